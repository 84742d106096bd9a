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

/**
 * A queue over a fake storage: `objects` is what its object lane pulls, `outcomes` decides each
 * attempt of a path (true: 2xx), and `hold(path)` keeps that path's POST open until released.
 */
function harness(render: () => UploadItem[], outcomes: (path: string, attempt: number) => true | ApiError) {
  const objects: UploadItem[] = [];
  const events: string[] = [];
  const attempts = new Map<string, number>();
  const held = new Map<string, () => void>();
  const holding = new Set<string>();
  const failures: unknown[] = [];
  let renewals = 0;
  const queue = new UploadQueue({
    put: async ({ path }) => {
      const attempt = attempts.get(path) ?? 0;
      attempts.set(path, attempt + 1);
      events.push(`start ${path}`);
      if (holding.has(path)) await new Promise<void>((release) => held.set(path, release));
      else await Promise.resolve();
      const outcome = outcomes(path, attempt);
      if (outcome !== true) throw outcome;
      events.push(`end ${path}`);
    },
    renew: () => renewals++,
    next: () => objects.shift(),
    render,
    onFailure: (error) => failures.push(error),
    wait: async () => {},
  });
  const push = (...items: UploadItem[]) => {
    objects.push(...items);
    queue.objects();
  };
  const sent = () => events.filter((e) => e.startsWith('end ')).map((e) => e.slice(4));
  const hold = (path: string) => holding.add(path);
  const release = async (path: string) => {
    await until(() => held.has(path));
    held.get(path)?.();
    holding.delete(path);
  };
  return { queue, push, events, sent, hold, release, failures, renewals: () => renewals };
}

/** Lets the queue's promises run until `done` holds (a bounded number of turns). */
async function until(done: () => boolean): Promise<void> {
  for (let turn = 0; turn < 100 && !done(); turn++) await Promise.resolve();
  if (!done()) throw new Error('the queue never got there');
}

describe('a rendition upload queue', () => {
  it('sends objects in order, and the playlists once per turn, rendered from what was uploaded', async () => {
    const uploaded: string[] = [];
    const { queue, push, sent } = harness(
      () => [item(`index ${uploaded.join(',')}`)],
      () => true,
    );
    const uploadedThen = (n: string) => {
      uploaded.push(n);
      queue.playlists();
    };
    push(...[0, 1, 2].map((n) => item(`${n}.m4s`, { onUploaded: () => uploadedThen(String(n)) })));
    await queue.idle();
    expect(sent().filter((path) => path.endsWith('.m4s'))).toEqual(['0.m4s', '1.m4s', '2.m4s']);
    // Each playlist lists only segments already uploaded, and the last one lists all three.
    const playlists = sent().filter((path) => path.startsWith('index'));
    for (const playlist of playlists) {
      const listed = playlist.slice('index '.length).split(',');
      for (const n of listed) expect(sent().indexOf(`${n}.m4s`)).toBeLessThan(sent().indexOf(playlist));
    }
    expect(playlists.at(-1)).toBe('index 0,1,2');
  });

  it('sends the next segment while the playlist listing the last one goes up (two lanes)', async () => {
    const uploaded: string[] = [];
    const { queue, push, events, sent, hold, release } = harness(
      () => [item(`index ${uploaded.join(',')}`)],
      () => true,
    );
    const segment = (n: number) =>
      item(`${n}.m4s`, {
        onUploaded: () => {
          uploaded.push(String(n));
          queue.playlists();
        },
      });
    hold('index 0');
    push(segment(0));
    await until(() => events.includes('start index 0'));
    push(segment(1));
    await until(() => events.includes('end 1.m4s'));
    expect(events).not.toContain('end index 0');
    await release('index 0');
    await queue.idle();
    expect(sent()).toEqual(['0.m4s', '1.m4s', 'index 0', 'index 0,1']);
  });

  it('sends only the newest playlists however many updates piled up while one was in flight', async () => {
    let version = 0;
    const { queue, events, hold, release } = harness(
      () => [item(`index v${version}`)],
      () => true,
    );
    hold('index v0');
    queue.playlists();
    for (let v = 1; v <= 5; v++) {
      version = v;
      queue.playlists();
    }
    await release('index v0');
    await queue.idle();
    expect(events.filter((e) => e.startsWith('start'))).toEqual(['start index v0', 'start index v5']);
  });

  it('retries with a fresh credential on 403, and counts segments with their latency', async () => {
    const uploaded: string[] = [];
    const { queue, push, sent, renewals, failures } = harness(
      () => [item(`index ${uploaded.join(',')}`)],
      (path, attempt) =>
        path === '1.m4s' && attempt < 2 ? new ApiError(403, 'FORBIDDEN', 'Policy expired') : true,
    );
    const uploadedThen = (n: string) => {
      uploaded.push(n);
      queue.playlists();
    };
    push(item('0.m4s', { onUploaded: () => uploadedThen('0') }));
    await queue.idle();
    push(item('1.m4s', { endsAt: Date.now() - 1500, onUploaded: () => uploadedThen('1') }));
    await queue.idle();
    expect(sent()).toEqual(['0.m4s', 'index 0', '1.m4s', 'index 0,1']);
    expect(renewals()).toBe(2);
    expect(failures).toEqual([]);
    const stats = queue.stats();
    expect(stats).toMatchObject({ segments: 1 });
    expect(stats.bytes).toBe(['0.m4s', 'index 0', '1.m4s', 'index 0,1'].join('').length);
    expect(stats.lastSegmentLatencyMs).toBeGreaterThanOrEqual(1500);
  });

  it('gives up on a refusal that will not pass, reports one typed error and drops the rest', async () => {
    const { queue, push, sent, failures } = harness(
      () => [item('index')],
      (path) => (path === '1.m4s' ? new ApiError(400, 'UPLOAD_FAILED', 'bad form') : true),
    );
    push(...[0, 1, 2].map((n) => item(`${n}.m4s`)));
    await queue.idle();
    expect(sent()).toEqual(['0.m4s']);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(MediaError);
    expect(failures[0]).toMatchObject({ code: 'LIVE' });
    expect((failures[0] as MediaError).cause).toBeInstanceOf(ApiError);
    expect(queue.failed).toBe(true);
    push(item('3.m4s'));
    queue.playlists();
    await queue.idle();
    expect(sent()).toEqual(['0.m4s']);
  });

  it('keeps trying a transient failure (network, 5xx) up to its attempts', async () => {
    const { queue, push, sent, failures } = harness(
      () => [],
      (_path, attempt) => (attempt < 9 ? new ApiError(0, 'NETWORK', 'offline') : true),
    );
    push(item('0.m4s'));
    await queue.idle();
    expect(sent()).toEqual(['0.m4s']);
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
