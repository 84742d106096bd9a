/**
 * The S3 stand-in's conditional writes (PutObject `If-Match`, `If-None-Match: *`), as finishLive
 * uses them to end a playlist without losing a write that landed after its read.
 */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUCKET, type MediaRig, startMediaRig } from '../media-harness.ts';

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'written',
    (err: Error & { $metadata?: { httpStatusCode?: number } }) =>
      `${err.$metadata?.httpStatusCode} ${err.name}`,
  );

describe('S3 stand-in: conditional writes', () => {
  let rig: MediaRig;
  beforeAll(async () => {
    rig = await startMediaRig();
  });
  afterAll(() => rig.close());

  const put = (Key: string, Body: string, conditions: { IfMatch?: string; IfNoneMatch?: string } = {}) =>
    rig.client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body, ...conditions }));
  const read = async (Key: string) => {
    const got = await rig.client.send(new GetObjectCommand({ Bucket: BUCKET, Key }));
    return { text: await got.Body?.transformToString(), etag: got.ETag ?? '' };
  };

  it('writes with If-Match only while the object is the version named', async () => {
    const key = 'live/a/720p/index.m3u8';
    await put(key, 'v1');
    const v1 = await read(key);
    await put(key, 'v2'); // the broadcaster's last upload, after the read
    expect(await failureOf(put(key, 'v1+end', { IfMatch: v1.etag }))).toBe('412 PreconditionFailed');
    expect((await read(key)).text).toBe('v2');

    const v2 = await read(key);
    expect(await failureOf(put(key, 'v2+end', { IfMatch: v2.etag }))).toBe('written');
    expect((await read(key)).text).toBe('v2+end');
    expect(await failureOf(put('live/a/none.m3u8', 'x', { IfMatch: v2.etag }))).toBe('404 NoSuchKey');
  });

  it('writes with If-None-Match: * only when there is no object yet', async () => {
    const key = 'live/b/index.m3u8';
    expect(await failureOf(put(key, 'first', { IfNoneMatch: '*' }))).toBe('written');
    expect(await failureOf(put(key, 'second', { IfNoneMatch: '*' }))).toBe('412 PreconditionFailed');
    expect((await read(key)).text).toBe('first');
  });

  it('lets exactly one of two racing writes naming the same version win', async () => {
    const key = 'live/c/720p/full.m3u8';
    await put(key, 'v1');
    const { etag } = await read(key);
    const outcomes = await Promise.all(
      ['a', 'b', 'c'].map((body) => failureOf(put(key, body, { IfMatch: etag }))),
    );
    expect(outcomes.sort()).toEqual(['412 PreconditionFailed', '412 PreconditionFailed', 'written']);
  });
});
