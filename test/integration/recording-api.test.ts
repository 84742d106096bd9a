/**
 * The recording upload and archive API on the local stack: presigned parts into s3rver, every
 * refusal precise and harmless, an upload left open completed by the stream's end, and a corrupt
 * upload failing with its reason. The full 12 s ladder is test/e2e/recording.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localS3Client } from '../../local/s3/s3-client.ts';
import { makeTestVideo } from '../support/media.ts';
import { type ApiResponse, harness } from './harness.ts';

let h: Awaited<ReturnType<typeof harness>>;
const MIB = 1024 * 1024;
const random = (size: number) => new Uint8Array(randomBytes(size));

beforeAll(async () => {
  h = await harness();
}, 60_000);
afterAll(() => h?.close());

/** A live (or ended) stream of alice's with recording enabled, and its open upload. */
async function recordingStream(options: { open?: boolean; recordingEnabled?: boolean } = {}) {
  const stream = await h.newStream('alice', {
    start: true,
    body: { recordingEnabled: options.recordingEnabled ?? true },
  });
  const base = `/api/livestream/${stream.streamId}/recording`;
  if (options.open !== false) {
    const opened = await h.call('POST', base, {
      token: stream.ownerToken,
      body: { contentType: 'video/webm' },
    });
    expect(opened.status).toBe(201);
  }
  return { ...stream, base };
}

async function putPart(streamBase: string, token: string, partNumber: number, body: Uint8Array<ArrayBuffer>) {
  const signed = await h.call('POST', `${streamBase}/parts`, {
    token,
    body: { partNumber, sizeBytes: body.byteLength },
  });
  expect(signed.status, JSON.stringify(signed.body)).toBe(200);
  const put = await fetch(signed.body.url, { method: 'PUT', body: body });
  expect(put.status).toBe(200);
  return { partNumber, etag: put.headers.get('etag') ?? '' };
}

/** Polls the recording (bounded) until its status leaves `from`. */
async function settle(base: string, from: string[], attempts = 240): Promise<ApiResponse> {
  let last: ApiResponse | undefined;
  for (let i = 0; i < attempts; i++) {
    last = await h.call('GET', base);
    if (last.status === 200 && !from.includes(last.body.recording.status)) return last;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`recording still ${JSON.stringify(last?.body)}`);
}

function expectError(res: ApiResponse, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error.code).toBe(code);
}

describe('opening an upload', () => {
  it('answers the upload terms, and the same upload when opened again (a reloaded page)', async () => {
    const stream = await recordingStream({ open: false });
    const first = await h.call('POST', stream.base, {
      token: stream.ownerToken,
      body: { contentType: 'video/webm;codecs=vp9,opus' },
    });
    expect(first.status).toBe(201);
    expect(first.body.recording).toMatchObject({
      status: 'uploading',
      contentType: 'video/webm',
      progress: 0,
    });
    expect(first.body.upload).toMatchObject({
      minPartBytes: 5 * MIB,
      maxParts: 10_000,
      partUrlTtlSeconds: 900,
    });
    expect(JSON.stringify(first.body)).not.toMatch(/uploadId|uploads\//);
    const again = await h.call('POST', stream.base, {
      token: stream.ownerToken,
      body: { contentType: 'video/webm' },
    });
    expect(again.status).toBe(200);
    expect(again.body.recording.openedAt).toBe(first.body.recording.openedAt);
  });

  it('is refused, storing nothing, to a non-owner, a stream not recording, one not started', async () => {
    const live = await recordingStream({ open: false });
    const disabled = await h.newStream('alice', { start: true });
    const notStarted = await h.newStream('alice', { body: { recordingEnabled: true } });
    const before = await h.snapshot();
    expectError(await h.call('POST', live.base, { token: await h.token('bob'), body: {} }), 403, 'FORBIDDEN');
    expectError(
      await h.call('POST', `/api/livestream/${disabled.streamId}/recording`, {
        token: disabled.ownerToken,
        body: {},
      }),
      409,
      'RECORDING_DISABLED',
    );
    expectError(
      await h.call('POST', `/api/livestream/${notStarted.streamId}/recording`, {
        token: notStarted.ownerToken,
        body: {},
      }),
      409,
      'STREAM_NOT_LIVE',
    );
    expectError(
      await h.call('POST', live.base, { token: live.ownerToken, body: { contentType: 'video/quicktime' } }),
      400,
      'VALIDATION_FAILED',
    );
    expectError(await h.call('POST', live.base, { body: {} }), 401, 'UNAUTHORIZED');
    expect(await h.snapshot()).toEqual(before);
  });
});

describe('part URLs', () => {
  it('are refused precisely: out of range, oversized, another stream, a non-owner', async () => {
    const stream = await recordingStream();
    const other = await recordingStream({ open: false });
    const before = await h.snapshot();
    for (const partNumber of [0, 10_001, 1.5, '1']) {
      const res = await h.call('POST', `${stream.base}/parts`, {
        token: stream.ownerToken,
        body: { partNumber, sizeBytes: 10 },
      });
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(JSON.stringify(res.body.error.details)).toContain('partNumber');
    }
    expectError(
      await h.call('POST', `${stream.base}/parts`, {
        token: stream.ownerToken,
        body: { partNumber: 1, sizeBytes: 6 * 1024 ** 3 },
      }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    // alice's other stream has no upload open: its parts are not hers to sign yet.
    expectError(
      await h.call('POST', `${other.base}/parts`, {
        token: other.ownerToken,
        body: { partNumber: 1, sizeBytes: 10 },
      }),
      404,
      'RECORDING_NOT_FOUND',
    );
    expectError(
      await h.call('POST', `${stream.base}/parts`, {
        token: await h.token('bob'),
        body: { partNumber: 1, sizeBytes: 10 },
      }),
      403,
      'FORBIDDEN',
    );
    expect(await h.snapshot()).toEqual(before);
  });

  it('sign one part of one stream: S3 refuses the URL moved to another part or another stream', async () => {
    const stream = await recordingStream();
    const other = await recordingStream();
    const signed = await h.call('POST', `${stream.base}/parts`, {
      token: stream.ownerToken,
      body: { partNumber: 1, sizeBytes: 4 },
    });
    const moved = [
      signed.body.url.replace('partNumber=1', 'partNumber=2'),
      signed.body.url.replace(stream.streamId, other.streamId),
    ];
    for (const url of moved) {
      const put = await fetch(url, { method: 'PUT', body: 'abcd' });
      expect(put.status).toBe(403);
      expect(await put.text()).toContain('SignatureDoesNotMatch');
    }
  });
});

describe('completing', () => {
  it('refuses missing parts, small parts and a non-owner, and nothing changes', async () => {
    const stream = await recordingStream();
    const one = await putPart(stream.base, stream.ownerToken, 1, random(1024));
    const three = await putPart(stream.base, stream.ownerToken, 3, random(1024));
    const before = await h.snapshot();
    const missing = await h.call('POST', `${stream.base}/complete`, {
      token: stream.ownerToken,
      body: { parts: [one, { partNumber: 2, etag: one.etag }, three] },
    });
    expectError(missing, 400, 'MISSING_PARTS');
    expect(missing.body.error.details).toEqual({ missing: [2], held: [1, 3] });
    expectError(
      await h.call('POST', `${stream.base}/complete`, {
        token: stream.ownerToken,
        body: { parts: [one, three] },
      }),
      400,
      'PART_TOO_SMALL',
    );
    expectError(
      await h.call('POST', `${stream.base}/complete`, {
        token: stream.ownerToken,
        body: { parts: [three, one] },
      }),
      400,
      'VALIDATION_FAILED',
    );
    expectError(
      await h.call('POST', `${stream.base}/complete`, {
        token: await h.token('bob'),
        body: { parts: [one] },
      }),
      403,
      'FORBIDDEN',
    );
    expect(await h.snapshot()).toEqual(before);
    const status = await h.call('GET', stream.base);
    expect(status.body.recording.status).toBe('uploading');
  });

  it('fails a corrupt upload with its reason', async () => {
    const stream = await recordingStream();
    const part = await putPart(stream.base, stream.ownerToken, 1, random(64 * 1024));
    const done = await h.call('POST', `${stream.base}/complete`, {
      token: stream.ownerToken,
      body: { parts: [part] },
    });
    expect(done.status).toBe(200);
    expect(done.body.recording).toMatchObject({ status: 'processing', sizeBytes: 64 * 1024 });
    const failed = await settle(stream.base, ['processing']);
    expect(failed.body.recording.status).toBe('failed');
    expect(['SOURCE_UNREADABLE', 'TRANSCODE_FAILED']).toContain(failed.body.recording.failure.code);
    expect(failed.body.recording.failure.message.length).toBeGreaterThan(10);
    expect(failed.body.recording.playbackUrl).toBeNull();
  });
});

describe('the end of the stream', () => {
  it('completes an upload its broadcaster left open, and the recording plays', async () => {
    const stream = await recordingStream();
    const video = await makeTestVideo({ seconds: 3, width: 640, height: 360 });
    await putPart(stream.base, stream.ownerToken, 1, video.bytes);
    const ended = await h.call('POST', `/api/livestream/${stream.streamId}/end`, {
      token: stream.ownerToken,
      body: {},
    });
    expect(ended.status).toBe(200);
    const ready = await settle(stream.base, ['uploading', 'processing']);
    expect(ready.body.recording).toMatchObject({ status: 'ready', sizeBytes: video.bytes.byteLength });
    expect(ready.body.recording.renditions.map((r: { name: string }) => r.name)).toEqual(['360p']);
    const playlist = await fetch(ready.body.recording.playbackUrl);
    expect(playlist.status).toBe(200);
    // And the stream's own view says so.
    const view = await h.call('GET', `/api/livestream/${stream.streamId}`);
    expect(view.body.recording).toMatchObject({
      status: 'ready',
      playbackUrl: ready.body.recording.playbackUrl,
    });
  }, 120_000);

  it('fails an upload left open with no part in it', async () => {
    const stream = await recordingStream();
    await h.call('POST', `/api/livestream/${stream.streamId}/end`, { token: stream.ownerToken, body: {} });
    const failed = await settle(stream.base, ['uploading']);
    expect(failed.body.recording).toMatchObject({ status: 'failed', failure: { code: 'UPLOAD_EMPTY' } });
  });
});

describe('the archive', () => {
  it("lists the caller's recordings newest first, page by page, and nobody else's", async () => {
    const mine = [await recordingStream(), await recordingStream(), await recordingStream()];
    const token = mine[0]?.ownerToken ?? '';
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const query = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const res = await h.call('GET', `/api/livestream/recordings${query}`, { token });
      expect(res.status).toBe(200);
      expect(res.body.recordings.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.recordings.map((r: { recording: { streamId: string } }) => r.recording.streamId));
      cursor = res.body.nextCursor ?? undefined;
      if (!cursor) break;
    }
    // Newest first: the three just opened lead the list.
    expect(seen.slice(0, 3)).toEqual(mine.map((s) => s.streamId).reverse());
    expect(new Set(seen).size).toBe(seen.length);
    const bobs = await h.call('GET', '/api/livestream/recordings', { token: await h.token('bob') });
    expect(bobs.body.recordings).toEqual([]);
    expectError(
      await h.call('GET', '/api/livestream/recordings?cursor=bm9wZQ', { token }),
      400,
      'INVALID_CURSOR',
    );
  });

  it('deletes an open upload for good: gone from the list, S3 holds none of its parts', async () => {
    const stream = await recordingStream();
    await putPart(stream.base, stream.ownerToken, 1, random(1024));
    const pending = await h.call('POST', `${stream.base}/parts`, {
      token: stream.ownerToken,
      body: { partNumber: 2, sizeBytes: 1 },
    });
    expectError(await h.call('DELETE', stream.base, { token: await h.token('bob') }), 403, 'FORBIDDEN');
    const deleted = await h.call('DELETE', stream.base, { token: stream.ownerToken });
    expect(deleted.status).toBe(200);
    expect(deleted.body.recording).toMatchObject({ status: 'deleted', playbackUrl: null });
    const s3 = localS3Client(h.stack.s3.endpoint);
    const objects = await s3.send(
      new ListObjectsV2Command({ Bucket: h.stack.s3.bucket, Prefix: `uploads/${stream.streamId}/` }),
    );
    expect(objects.Contents ?? []).toEqual([]);
    // The multipart upload itself is aborted: a part URL signed before the delete finds no upload.
    const late = await fetch(pending.body.url, { method: 'PUT', body: 'x' });
    expect(late.status).toBe(404);
    expect(await late.text()).toContain('NoSuchUpload');
    // Deleting again is harmless (it re-sweeps).
    expect((await h.call('DELETE', stream.base, { token: stream.ownerToken })).status).toBe(200);
    const list = await h.call('GET', '/api/livestream/recordings?limit=100', { token: stream.ownerToken });
    expect(
      list.body.recordings.map((r: { recording: { streamId: string } }) => r.recording.streamId),
    ).not.toContain(stream.streamId);
    expectError(
      await h.call('POST', `${stream.base}/parts`, {
        token: stream.ownerToken,
        body: { partNumber: 2, sizeBytes: 1 },
      }),
      409,
      'RECORDING_NOT_UPLOADING',
    );
  });
});
