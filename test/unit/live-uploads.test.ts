import { describe, expect, it } from 'vitest';
import { ApiError, MediaError } from '../../web/sdk/errors.ts';
import { type UploadItem, UploadQueue } from '../../web/sdk/live/queue.ts';
import { Credentials, postObject, readPlaylist } from '../../web/sdk/live/uploader.ts';
import type { LiveCredential } from '../../web/sdk/types.ts';

const credential = (expiresAt: string, n = 1): LiveCredential => ({
  url: 'https://bucket.s3.amazonaws.com/',
  fields: { Policy: `policy-${n}`, 'X-Amz-Signature': `sig-${n}` },
  keyPrefix: 'live/s1/',
  maxBytes: 1000,
  expiresAt,
  playback: { hls: 'https://cdn.example/live/s1/index.m3u8' },
});

const item = (path: string, extra: Partial<UploadItem> = {}): UploadItem => ({
  path,
  body: new Blob([path]),
  contentType: 'video/mp4',
  ...extra,
});

/** A queue over a fake storage: `outcomes` decides each attempt of a path (true: 2xx). */
function harness(render: () => UploadItem[], outcomes: (path: string, attempt: number) => true | ApiError) {
  const sent: string[] = [];
  const attempts = new Map<string, number>();
  const failures: unknown[] = [];
  let renewals = 0;
  const queue = new UploadQueue({
    put: async ({ path }) => {
      const attempt = attempts.get(path) ?? 0;
      attempts.set(path, attempt + 1);
      await Promise.resolve();
      const outcome = outcomes(path, attempt);
      if (outcome !== true) throw outcome;
      sent.push(path);
    },
    renew: () => renewals++,
    render,
    onFailure: (error) => failures.push(error),
    wait: async () => {},
  });
  return { queue, sent, failures, renewals: () => renewals };
}

describe('a rendition upload queue', () => {
  it('sends objects in order, then the playlists once, rendered from what was uploaded', async () => {
    const uploaded: string[] = [];
    const { queue, sent } = harness(
      () => [item(`index.m3u8 listing ${uploaded.join(',')}`)],
      () => true,
    );
    const uploadedThen = (n: string) => {
      uploaded.push(n);
      queue.playlists();
    };
    for (const n of [0, 1, 2]) {
      queue.object(item(`${n}.m4s`, { onUploaded: () => uploadedThen(String(n)) }));
    }
    await queue.idle();
    // Three segments queued together: one playlist, after the last, listing all three.
    expect(sent).toEqual(['0.m4s', '1.m4s', '2.m4s', 'index.m3u8 listing 0,1,2']);
  });

  it('never sends a playlist before the segment it lists, and retries with a fresh credential on 403', async () => {
    const uploaded: string[] = [];
    const { queue, sent, renewals, failures } = harness(
      () => [item(`index ${uploaded.join(',')}`)],
      (path, attempt) =>
        path === '1.m4s' && attempt < 2 ? new ApiError(403, 'FORBIDDEN', 'Policy expired') : true,
    );
    const uploadedThen = (n: string) => {
      uploaded.push(n);
      queue.playlists();
    };
    queue.object(item('0.m4s', { onUploaded: () => uploadedThen('0') }));
    await queue.idle();
    queue.object(item('1.m4s', { endsAt: Date.now() - 1500, onUploaded: () => uploadedThen('1') }));
    await queue.idle();
    expect(sent).toEqual(['0.m4s', 'index 0', '1.m4s', 'index 0,1']);
    expect(renewals()).toBe(2);
    expect(failures).toEqual([]);
    const stats = queue.stats();
    expect(stats).toMatchObject({ segments: 1, pending: 0 });
    expect(stats.bytes).toBe(['0.m4s', 'index 0', '1.m4s', 'index 0,1'].join('').length);
    expect(stats.lastSegmentLatencyMs).toBeGreaterThanOrEqual(1500);
  });

  it('gives up on a refusal that will not pass, reports one typed error and drops the rest', async () => {
    const { queue, sent, failures } = harness(
      () => [item('index')],
      (path) => (path === '1.m4s' ? new ApiError(400, 'UPLOAD_FAILED', 'bad form') : true),
    );
    for (const n of [0, 1, 2]) queue.object(item(`${n}.m4s`, { onUploaded: () => queue.playlists() }));
    await queue.idle();
    expect(sent).toEqual(['0.m4s']);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(MediaError);
    expect(failures[0]).toMatchObject({ code: 'LIVE' });
    expect((failures[0] as MediaError).cause).toBeInstanceOf(ApiError);
    expect(queue.failed).toBe(true);
    queue.object(item('3.m4s'));
    await queue.idle();
    expect(sent).toEqual(['0.m4s']);
  });

  it('keeps trying a transient failure (network, 5xx) up to its attempts', async () => {
    const { queue, sent, failures } = harness(
      () => [],
      (_path, attempt) => (attempt < 9 ? new ApiError(0, 'NETWORK', 'offline') : true),
    );
    queue.object(item('0.m4s'));
    await queue.idle();
    expect(sent).toEqual(['0.m4s']);
    expect(failures).toEqual([]);
  });
});

describe('the upload credential', () => {
  it('is fetched once, shared, and renewed after two thirds of its lifetime', async () => {
    let now = 0;
    let fetched = 0;
    const credentials = new Credentials(
      async () => credential(new Date(now + 60_000).toISOString(), ++fetched),
      () => now,
    );
    const [a, b] = await Promise.all([credentials.current(), credentials.current()]);
    expect(fetched).toBe(1);
    expect(a).toBe(b);
    now = 39_999;
    expect((await credentials.current()).fields.Policy).toBe('policy-1');
    now = 40_000;
    expect((await credentials.current()).fields.Policy).toBe('policy-2');
    credentials.invalidate();
    expect((await credentials.current()).fields.Policy).toBe('policy-3');
  });

  it('POSTs the policy fields, then key, Content-Type and file last', async () => {
    let form: FormData | undefined;
    let url = '';
    const fetchStub = (async (input: string, init: RequestInit) => {
      url = input;
      form = init.body as FormData;
      return new Response(null, { status: 204 });
    }) as typeof fetch;
    await postObject(
      credential('2030-01-01T00:00:00Z'),
      '720p/0.m4s',
      new Blob(['abc']),
      'video/mp4',
      fetchStub,
    );
    expect(url).toBe('https://bucket.s3.amazonaws.com/');
    expect([...(form?.keys() ?? [])]).toEqual(['Policy', 'X-Amz-Signature', 'key', 'Content-Type', 'file']);
    expect(form?.get('key')).toBe('live/s1/720p/0.m4s');
    expect(form?.get('Content-Type')).toBe('video/mp4');
    expect(await (form?.get('file') as Blob | undefined)?.text()).toBe('abc');
  });

  it('turns refusals into typed errors, and reads a missing playlist as a fresh start', async () => {
    const answer = (status: number, body = '') =>
      (async () => new Response(body, { status })) as unknown as typeof fetch;
    const c = credential('2030-01-01T00:00:00Z');
    await expect(
      postObject(c, 'x', new Blob(['a']), 't', answer(403, '<Code>AccessDenied</Code>')),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
      status: 403,
      details: { key: 'live/s1/x', reason: 'AccessDenied' },
    });
    await expect(postObject(c, 'x', new Blob(['a']), 't', answer(503))).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
    });
    await expect(postObject(c, 'x', new Blob(['a'.repeat(1001)]), 't', answer(204))).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
    });
    expect(await readPlaylist(c, '720p/index.m3u8', answer(404))).toBeUndefined();
    expect(await readPlaylist(c, '720p/index.m3u8', answer(200, '#EXTM3U\n'))).toBe('#EXTM3U\n');
    await expect(readPlaylist(c, '720p/index.m3u8', answer(500))).rejects.toBeInstanceOf(ApiError);
  });
});
