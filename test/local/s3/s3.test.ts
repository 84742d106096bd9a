import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventKey } from '../../../local/s3/s3-notifications.ts';
import { S3RVER_UPLOADS_DIR } from '../../../local/s3/s3-store.ts';
import { BUCKET, eventually, type MediaRig, startMediaRig } from '../media-harness.ts';

const MIB = 1024 * 1024;
const headersOf = (res: Response) => {
  const out: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
};
const md5 = (bytes: Buffer | string) => createHash('md5').update(bytes).digest('hex');
const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => ({ name: 'ok', status: 200 }),
    (err: Error & { $metadata?: { httpStatusCode?: number } }) => ({
      name: err.name,
      status: err.$metadata?.httpStatusCode,
    }),
  );

describe('S3 stand-in', () => {
  let rig: MediaRig;
  let key = 0;
  const nextKey = () => `uploads/${++key}/source.webm`;

  beforeAll(async () => {
    rig = await startMediaRig({
      s3Sources: [{ prefix: 'uploads/', events: ['s3:ObjectCreated:*'], handler: 'onUpload' }],
    });
  });
  afterAll(() => rig.close());

  async function openUpload(objectKey: string) {
    const out = await rig.client.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: objectKey, ContentType: 'video/webm' }),
    );
    return out.UploadId ?? '';
  }

  /** A part URL as presign-recording-part makes it: Content-Length signed. */
  const partUrl = (objectKey: string, uploadId: string, partNumber: number, size: number, expiresIn = 60) =>
    getSignedUrl(
      rig.client,
      new UploadPartCommand({
        Bucket: BUCKET,
        Key: objectKey,
        UploadId: uploadId,
        PartNumber: partNumber,
        ContentLength: size,
      }),
      { expiresIn },
    );

  async function putPart(objectKey: string, uploadId: string, partNumber: number, body: Buffer) {
    const res = await fetch(await partUrl(objectKey, uploadId, partNumber, body.length), {
      method: 'PUT',
      body: new Uint8Array(body),
      headers: { Origin: 'http://localhost:5173' },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    return res;
  }

  const complete = (objectKey: string, uploadId: string, parts: { PartNumber: number; ETag: string }[]) =>
    rig.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: objectKey,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );

  it('takes a multipart upload through presigned part URLs, listing parts, with S3 multipart ETag', async () => {
    const objectKey = nextKey();
    const uploadId = await openUpload(objectKey);
    const first = Buffer.alloc(5 * MIB, 1);
    const last = Buffer.from('the end');
    const put1 = await putPart(objectKey, uploadId, 1, first);
    const put2 = await putPart(objectKey, uploadId, 2, last);

    // Browsers read each part's ETag cross-origin: the bucket's CORS rule exposes it.
    expect(put1.headers.get('etag')).toBe(`"${md5(first)}"`);
    expect(put1.headers.get('access-control-allow-origin')).toBe('*');
    expect(put1.headers.get('access-control-expose-headers')).toBe('ETag');
    const listed = await rig.client.send(
      new ListPartsCommand({ Bucket: BUCKET, Key: objectKey, UploadId: uploadId }),
    );
    expect(listed.Parts?.map(({ PartNumber, ETag, Size }) => ({ PartNumber, ETag, Size }))).toEqual([
      { PartNumber: 1, ETag: `"${md5(first)}"`, Size: first.length },
      { PartNumber: 2, ETag: `"${md5(last)}"`, Size: last.length },
    ]);
    expect(listed.Parts?.[0]?.LastModified).toBeInstanceOf(Date);
    expect(listed.IsTruncated).toBe(false);

    const done = await complete(objectKey, uploadId, [
      { PartNumber: 1, ETag: put1.headers.get('etag') ?? '' },
      { PartNumber: 2, ETag: put2.headers.get('etag') ?? '' },
    ]);
    const multipartEtag = `${md5(Buffer.concat([Buffer.from(md5(first), 'hex'), Buffer.from(md5(last), 'hex')]))}-2`;
    expect(done.ETag).toBe(`"${multipartEtag}"`);
    expect(done.Location).toBe(`${rig.s3.endpoint}/${BUCKET}/${objectKey}`);
    const head = await rig.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: objectKey }));
    expect(head).toMatchObject({
      ETag: `"${multipartEtag}"`,
      ContentLength: first.length + last.length,
      ContentType: 'video/webm',
    });
    // Completed: the upload id is gone, as on S3.
    expect(
      await errorOf(
        rig.client.send(new ListPartsCommand({ Bucket: BUCKET, Key: objectKey, UploadId: uploadId })),
      ),
    ).toEqual({
      name: 'NoSuchUpload',
      status: 404,
    });
  });

  it('pages ListParts with max-parts and part-number-marker', async () => {
    const objectKey = nextKey();
    const uploadId = await openUpload(objectKey);
    for (const n of [1, 2, 3]) await putPart(objectKey, uploadId, n, Buffer.from(`part ${n}`));
    const page = await rig.client.send(
      new ListPartsCommand({ Bucket: BUCKET, Key: objectKey, UploadId: uploadId, MaxParts: 2 }),
    );
    const rest = await rig.client.send(
      new ListPartsCommand({
        Bucket: BUCKET,
        Key: objectKey,
        UploadId: uploadId,
        PartNumberMarker: page.NextPartNumberMarker,
      }),
    );
    expect(page.Parts?.map((p) => p.PartNumber)).toEqual([1, 2]);
    expect(page).toMatchObject({ IsTruncated: true, NextPartNumberMarker: '2' });
    expect(rest.Parts?.map((p) => p.PartNumber)).toEqual([3]);
    expect(rest.IsTruncated).toBe(false);
  });

  it('aborts an upload (204, its parts gone) and answers NoSuchUpload for an unknown one', async () => {
    const objectKey = nextKey();
    const uploadId = await openUpload(objectKey);
    await putPart(objectKey, uploadId, 1, Buffer.from('abc'));
    await rig.client.send(
      new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: objectKey, UploadId: uploadId }),
    );

    const otherUpload = await openUpload(`${objectKey}.2`);
    const results = await Promise.all([
      errorOf(
        rig.client.send(
          new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: objectKey, UploadId: uploadId }),
        ),
      ),
      errorOf(rig.client.send(new ListPartsCommand({ Bucket: BUCKET, Key: objectKey, UploadId: uploadId }))),
      errorOf(complete(objectKey, uploadId, [{ PartNumber: 1, ETag: md5('abc') }])),
      // Another key's upload id is no upload of this key.
      errorOf(
        rig.client.send(new ListPartsCommand({ Bucket: BUCKET, Key: objectKey, UploadId: otherUpload })),
      ),
    ]);
    for (const result of results) expect(result).toEqual({ name: 'NoSuchUpload', status: 404 });
    const late = await fetch(await partUrl(objectKey, uploadId, 2, 3), { method: 'PUT', body: 'xyz' });
    expect(late.status).toBe(404);
    expect(await late.text()).toContain('<Code>NoSuchUpload</Code>');
  });

  it('refuses to complete with a missing part, another ETag, parts out of order, or a small part', async () => {
    const objectKey = nextKey();
    const uploadId = await openUpload(objectKey);
    const big = Buffer.alloc(5 * MIB, 2);
    const small = Buffer.from('small');
    await putPart(objectKey, uploadId, 1, small);
    await putPart(objectKey, uploadId, 2, big);
    await putPart(objectKey, uploadId, 3, small);
    const etag = (b: Buffer) => `"${md5(b)}"`;

    const cases: [{ PartNumber: number; ETag: string }[], string][] = [
      [[{ PartNumber: 4, ETag: etag(small) }], 'InvalidPart'],
      [[{ PartNumber: 2, ETag: etag(small) }], 'InvalidPart'],
      [
        [
          { PartNumber: 2, ETag: etag(big) },
          { PartNumber: 1, ETag: etag(small) },
        ],
        'InvalidPartOrder',
      ],
      [
        [
          { PartNumber: 2, ETag: etag(big) },
          { PartNumber: 2, ETag: etag(big) },
        ],
        'InvalidPartOrder',
      ],
      [
        [
          { PartNumber: 1, ETag: etag(small) },
          { PartNumber: 2, ETag: etag(big) },
        ],
        'EntityTooSmall',
      ],
    ];
    for (const [parts, name] of cases) {
      expect(await errorOf(complete(objectKey, uploadId, parts)), name).toEqual({ name, status: 400 });
    }
    // Nothing was completed by the refusals: the right list still works, and only it counts.
    const done = await complete(objectKey, uploadId, [
      { PartNumber: 2, ETag: etag(big) },
      { PartNumber: 3, ETag: etag(small) },
    ]);
    expect(done.ETag).toMatch(/-2"$/);
    const got = await rig.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: objectKey }));
    const bytes = Buffer.from((await got.Body?.transformToByteArray()) ?? []);
    // Buffer.equals: a deep toEqual of 5 MiB takes seconds.
    expect(bytes.equals(Buffer.concat([big, small]))).toBe(true);
  });

  it('refuses a presigned URL moved to another part (SignatureDoesNotMatch) or used after it expired', async () => {
    const objectKey = nextKey();
    const uploadId = await openUpload(objectKey);
    const url = await partUrl(objectKey, uploadId, 1, 4);
    const moved = await fetch(url.replace('partNumber=1', 'partNumber=2'), { method: 'PUT', body: 'abcd' });
    const resized = await fetch(url, { method: 'PUT', body: 'abcde' });

    for (const res of [moved, resized]) {
      expect(res.status).toBe(403);
      const xml = await res.text();
      expect(xml).toContain('<Code>SignatureDoesNotMatch</Code>');
      expect(xml).toContain(
        '<Message>The request signature we calculated does not match the signature you provided. Check your key and signing method.</Message>',
      );
      expect(xml).toContain('<CanonicalRequest>PUT\n/s3/dreamx-recordings/');
    }

    // Signed two seconds ago for one second: expired, whatever the signature.
    const signedAt = new Date(Date.now() - 2_000);
    const expired = await getSignedUrl(
      rig.client,
      new UploadPartCommand({ Bucket: BUCKET, Key: objectKey, UploadId: uploadId, PartNumber: 1 }),
      { expiresIn: 1, signingDate: signedAt },
    );
    const late = await fetch(expired, { method: 'PUT', body: 'abcd' });
    expect(late.status).toBe(403);
    const xml = await late.text();
    expect(xml).toMatch(
      /<Error><Code>AccessDenied<\/Code><Message>Request has expired<\/Message><X-Amz-Expires>1<\/X-Amz-Expires><Expires>[^<]+Z<\/Expires><ServerTime>[^<]+Z<\/ServerTime>/,
    );
    const listed = await rig.client.send(
      new ListPartsCommand({ Bucket: BUCKET, Key: objectKey, UploadId: uploadId }),
    );
    expect(listed.Parts ?? []).toEqual([]);
  });

  it('verifies header-signed SDK requests too: a wrong secret is refused, an anonymous request denied', async () => {
    const wrong = new S3Client({
      endpoint: rig.s3.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'not-local' },
    });
    const stranger = new S3Client({
      endpoint: rig.s3.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'x' },
    });
    try {
      expect(await errorOf(wrong.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'x' })))).toMatchObject({
        status: 403,
      });
      expect(
        await errorOf(wrong.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'x', UploadId: 'y' }))),
      ).toEqual({
        name: 'SignatureDoesNotMatch',
        status: 403,
      });
      expect(
        await errorOf(stranger.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'x', UploadId: 'y' }))),
      ).toEqual({
        name: 'InvalidAccessKeyId',
        status: 403,
      });
    } finally {
      wrong.destroy();
      stranger.destroy();
    }
    const anonymous = await fetch(`${rig.s3.endpoint}/${BUCKET}/uploads/1/source.webm`);
    expect(anonymous.status).toBe(403);
    expect(await anonymous.text()).toContain('<Code>AccessDenied</Code><Message>Access Denied</Message>');
  });

  it("answers CORS preflights like the bucket's rule: PUT and POST from any origin, nothing else", async () => {
    const target = `${rig.s3.endpoint}/${BUCKET}/uploads/1/source.webm?partNumber=1&uploadId=x`;
    const preflight = (method: string) =>
      fetch(target, {
        method: 'OPTIONS',
        headers: {
          Origin: 'http://localhost:5173',
          'Access-Control-Request-Method': method,
          'Access-Control-Request-Headers': 'content-type',
        },
      });
    const put = await preflight('PUT');
    const get = await preflight('GET');

    expect(put.status).toBe(200);
    expect(headersOf(put)).toMatchObject({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'PUT, POST',
      'access-control-allow-headers': 'content-type',
      'access-control-expose-headers': 'ETag',
      'access-control-max-age': '3600',
    });
    expect(get.status).toBe(403);
    expect(await get.text()).toContain('<Code>AccessForbidden</Code>');
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('stores a streaming (aws-chunked) SDK upload as its bytes, not its framing', async () => {
    const streaming = new S3Client({
      endpoint: rig.s3.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      await streaming.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: 'media/chunked/file.txt',
          Body: Readable.from([Buffer.from('hello '), Buffer.from('chunks')]),
          ContentLength: 12,
        }),
      );
    } finally {
      streaming.destroy();
    }
    const got = await rig.client.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'media/chunked/file.txt' }),
    );
    expect(await got.Body?.transformToString()).toBe('hello chunks');
  });

  it('notifies the s3 source of objects created under its prefix, with the S3 event shape', async () => {
    const before = rig.invocations.length;
    const objectKey = 'uploads/a b+c/source.webm';
    const uploadId = await openUpload(objectKey);
    const put = await putPart(objectKey, uploadId, 1, Buffer.from('tiny upload'));
    await complete(objectKey, uploadId, [{ PartNumber: 1, ETag: put.headers.get('etag') ?? '' }]);
    await rig.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'uploads/put.txt', Body: 'put' }));
    await rig.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'media/elsewhere.txt', Body: 'no' }));
    await rig.s3.idle();

    const records = rig.invocations.slice(before).map((i) => {
      expect(i.handler).toBe('onUpload');
      return (i.event as S3Event).Records;
    });
    expect(records.map((r) => r.length)).toEqual([1, 1]);
    const [[completed], [plain]] = records as [S3Event['Records'], S3Event['Records']];
    expect(completed).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventName: 'ObjectCreated:CompleteMultipartUpload',
      s3: {
        s3SchemaVersion: '1.0',
        bucket: { name: BUCKET, arn: `arn:aws:s3:::${BUCKET}` },
        object: {
          key: 'uploads/a+b%2Bc/source.webm',
          size: 11,
          eTag: expect.stringMatching(/^[0-9a-f]{32}-1$/),
        },
      },
    });
    expect(new Date(completed?.eventTime ?? '').getTime()).not.toBeNaN();
    // What the handler does to get the key back.
    expect(decodeURIComponent(completed?.s3.object.key.replaceAll('+', ' ') ?? '')).toBe(objectKey);
    expect(plain).toMatchObject({
      eventName: 'ObjectCreated:Put',
      s3: { object: { key: 'uploads/put.txt', size: 3, eTag: md5('put') } },
    });
    // Sequencers of later events sort after earlier ones.
    expect((plain?.s3.object.sequencer ?? '') > (completed?.s3.object.sequencer ?? '')).toBe(true);
    expect(eventKey('uploads/x y/(1)~*.webm')).toBe('uploads/x+y/%281%29%7E*.webm');
  });

  it('retries a failing notification handler twice, as Lambda does an async invocation', async () => {
    const failing = await startMediaRig({
      s3Sources: [{ prefix: 'uploads/', events: ['s3:ObjectCreated:Put'], handler: 'broken' }],
      fail: () => true,
    });
    try {
      await failing.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'uploads/x.txt', Body: 'x' }));
      await eventually(() => expect(failing.invocations).toHaveLength(3));
      await failing.s3.idle();
      expect(failing.errors.filter((line) => line.startsWith('broken failed'))).toHaveLength(3);
    } finally {
      await failing.close();
    }
  });

  it('refuses dot segments, which s3rver would resolve on disk outside the bucket', async () => {
    for (const key of ['../outside.txt', 'media/../../outside.txt', 'a/./b.txt']) {
      expect(
        await errorOf(rig.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'x' }))),
        key,
      ).toEqual({
        name: 'InvalidArgument',
        status: 400,
      });
    }
  });

  it("keeps parts where s3rver's filesystem store does (the layout ListParts and Abort rely on)", async () => {
    const objectKey = nextKey();
    const uploadId = await openUpload(objectKey);
    await putPart(objectKey, uploadId, 3, Buffer.from('pinned'));
    const dir = join(rig.s3.directory, BUCKET, S3RVER_UPLOADS_DIR, uploadId);

    expect((await readdir(dir)).sort()).toEqual(['3', '3.md5', 'key', 'metadata']);
    expect(await readFile(join(dir, 'key'), 'utf8')).toBe(objectKey);
    expect(await readFile(join(dir, '3.md5'), 'utf8')).toBe(md5('pinned'));
    await complete(objectKey, uploadId, [{ PartNumber: 3, ETag: md5('pinned') }]);
    await expect(readdir(dir)).rejects.toMatchObject({ code: 'ENOENT' });
    const [, folder = '', name = ''] = /^uploads\/(\d+)\/(.+)$/.exec(objectKey) ?? [];
    const stored = join(rig.s3.directory, BUCKET, 'uploads', folder, `${name}._S3rver_object.md5`);
    expect(await readFile(stored, 'utf8')).toMatch(/^[0-9a-f]{32}-1$/);
  });
});
