/**
 * The S3 stand-in overwrites atomically, as S3 does (local/s3/atomic-overwrite.ts): GETs and HEADs
 * that overlap PUTs of the same key answer one version, whole, never a mix or an error. The live
 * ladder rewrites its playlists every second while players read them.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type S3rverBackend, startS3rver } from '../../../local/s3/s3rver-backend.ts';

const BUCKET = 'atomic-test';
let s3: S3rverBackend;
beforeAll(async () => {
  s3 = await startS3rver({ bucket: BUCKET });
});
afterAll(() => s3?.close());

/** Version `n`: a different size and byte each, so a mix of two shows. */
const version = (n: number) => Buffer.alloc(20_000 + (n % 7) * 30_000, 65 + (n % 7));

async function read(method: 'GET' | 'HEAD') {
  const res = await s3.call(method, `/${BUCKET}/live/s/720p/index.m3u8`, {});
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return {
    status: res.statusCode,
    length: Number(res.headers['content-length']),
    body: Buffer.concat(chunks),
  };
}

it('answers every read during 60 overwrites with one whole version', async () => {
  const put = (n: number) =>
    s3.call('PUT', `/${BUCKET}/live/s/720p/index.m3u8`, {}, version(n)).then((res) => {
      res.resume();
      expect(res.statusCode).toBe(200);
    });
  await put(0);
  const reads: Promise<Awaited<ReturnType<typeof read>>>[] = [];
  for (let n = 1; n <= 60; n++) {
    const writing = put(n);
    for (let r = 0; r < 10; r++) reads.push(read(r % 5 === 0 ? 'HEAD' : 'GET'));
    await writing;
  }
  const answers = await Promise.all(reads);
  const sizes = new Set(Array.from({ length: 7 }, (_, i) => version(i).length));
  for (const answer of answers) {
    expect(answer.status).toBe(200);
    expect(sizes.has(answer.length)).toBe(true);
    if (answer.body.length === 0) continue; // HEAD
    expect(answer.body.length).toBe(answer.length);
    const byte = answer.body[0] as number;
    expect(answer.body.every((b) => b === byte)).toBe(true);
    expect(answer.length).toBe(version(byte - 65).length);
  }
});
