import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type S3rverBackend, startS3rver } from '../../../local/s3/s3rver-backend.ts';

let backend: S3rverBackend;
beforeAll(async () => {
  backend = await startS3rver({ bucket: 'gate' });
});
afterAll(() => backend?.close());

const body = async (method: string, payload?: Buffer) => {
  const res = await backend.call(method, '/gate/live/s/720p/index.m3u8', {}, payload);
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return { status: res.statusCode, bytes: Buffer.concat(chunks) };
};

describe('one object under concurrent writes and reads', () => {
  it('is read whole, the old version or the new, never a mix (S3 replaces objects atomically; s3rver writes in place)', async () => {
    const versions = ['a', 'b', 'c', 'd'].map((c) => Buffer.alloc(512 * 1024, c));
    await body('PUT', versions[0]);
    const reads: Promise<{ status?: number; bytes: Buffer }>[] = [];
    for (let round = 0; round < 20; round++) {
      const writing = body('PUT', versions[round % versions.length]);
      for (let r = 0; r < 5; r++) reads.push(body('GET'));
      await writing;
    }
    const seen = await Promise.all(reads);
    expect(seen).toHaveLength(100);
    const whole = seen.filter(
      (read) => read.status === 200 && versions.some((version) => version.equals(read.bytes)),
    );
    expect(whole).toHaveLength(100);
  });
});
