/**
 * S3 replaces an object atomically: a GET while the same key is being PUT answers the old object
 * or the new one, whole. The live ladder relies on it (its playlists are overwritten every second
 * while players read them), so the stand-in must too: s3rver alone truncates the file in place.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type S3rverBackend, startS3rver } from '../../../local/s3/s3rver-backend.ts';

const BUCKET = 'overwrite-test';
let s3: S3rverBackend;

beforeAll(async () => {
  s3 = await startS3rver({ bucket: BUCKET });
});
afterAll(() => s3?.close());

/** Version `n` of the object: its size and every byte tell which version it is. */
const version = (n: number) => Buffer.alloc(20_000 + (n % 7) * 30_000, 65 + (n % 26));

async function put(key: string, body: Buffer): Promise<void> {
  const res = await s3.call(
    'PUT',
    `/${BUCKET}/${key}`,
    {
      'content-type': 'application/vnd.apple.mpegurl',
      'content-length': String(body.length),
    },
    body,
  );
  res.resume();
  expect(res.statusCode).toBe(200);
}

async function get(key: string): Promise<{ status: number; length: number; body: Buffer }> {
  const res = await s3.call('GET', `/${BUCKET}/${key}`, {});
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of res) chunks.push(chunk as Buffer);
  } catch {
    // A body cut short: counted below as a length that does not match.
  }
  return {
    status: res.statusCode ?? 0,
    length: Number(res.headers['content-length']),
    body: Buffer.concat(chunks),
  };
}

describe('the S3 stand-in under overwrites', () => {
  it('answers every GET during 200 PUTs of one key with one whole version', async () => {
    const key = 'live/s/360p/index.m3u8';
    await put(key, version(0));
    let writing = true;
    const writer = (async () => {
      for (let n = 1; n <= 200; n++) await put(key, version(n));
      writing = false;
    })();
    const torn: string[] = [];
    let reads = 0;
    const readers = Array.from({ length: 4 }, async () => {
      while (writing) {
        const got = await get(key);
        reads++;
        const whole = got.body.length === got.length && got.body.every((b) => b === got.body[0]);
        if (got.status !== 200 || !whole) torn.push(`${got.status}: ${got.body.length} of ${got.length}`);
      }
    });
    await Promise.all([writer, ...readers]);
    expect(reads).toBeGreaterThan(50);
    expect(torn).toEqual([]);
  });
});
