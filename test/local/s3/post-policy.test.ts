/**
 * POST Object against the SigV4-checking S3 stand-in, with credentials made by the real adapter
 * (functions/adapters/live-uploads.ts): what a live credential lets its holder write, and the
 * refusals, each as S3 words it, each storing nothing (no object, no S3 event).
 */
import { randomUUID } from 'node:crypto';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3LiveUploads } from '../../../functions/adapters/live-uploads.ts';
import { liveKeyPrefix } from '../../../functions/core/live-layout.ts';
import type { UploadCredential } from '../../../functions/core/ports.ts';
import { BUCKET, type MediaRig, startMediaRig } from '../media-harness.ts';

const MAX_BYTES = 1024;
const ORIGIN = 'http://localhost:5173';

describe('S3 stand-in: POST Object under a live credential', () => {
  let rig: MediaRig;
  let uploads: S3LiveUploads;
  const streamId = randomUUID();
  const other = randomUUID();
  const prefix = liveKeyPrefix(streamId);
  const credential = (limits: Partial<{ maxBytes: number; expiresInSeconds: number }> = {}) =>
    uploads.credential(prefix, { maxBytes: MAX_BYTES, expiresInSeconds: 60, ...limits });

  beforeAll(async () => {
    rig = await startMediaRig({
      s3Sources: [{ prefix: 'live/', events: ['s3:ObjectCreated:*'], handler: 'onLive' }],
    });
    uploads = new S3LiveUploads(BUCKET, rig.client);
  });
  afterAll(() => rig.close());

  interface Upload {
    key: string;
    body?: string | Uint8Array<ArrayBuffer>;
    contentType?: string | null;
    /** Added (or replacing) after the credential's fields. */
    extra?: Record<string, string>;
    url?: string;
  }

  /** The form as docs/live.md says: every field, then `key`, `Content-Type`, and `file` last. */
  async function post(cred: UploadCredential, upload: Upload) {
    const form = new FormData();
    for (const [name, value] of Object.entries({ ...cred.fields, ...upload.extra })) form.append(name, value);
    form.append('key', upload.key);
    if (upload.contentType !== null) form.append('Content-Type', upload.contentType ?? 'video/mp4');
    form.append('file', new Blob([upload.body ?? 'segment bytes']), 'blob');
    const res = await fetch(upload.url ?? cred.url, {
      method: 'POST',
      body: form,
      headers: { Origin: ORIGIN },
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  const stored = (key: string) =>
    rig.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })).then(
      (head) => ({ type: head.ContentType, size: head.ContentLength }),
      () => undefined,
    );
  const events = () => rig.invocations.filter((i) => i.handler === 'onLive').length;

  /** Refused with `status` and `code` (and `message` when given), and nothing stored. */
  async function expectRefused(
    cred: UploadCredential,
    upload: Upload,
    status: number,
    code: string,
    message?: string,
  ) {
    const before = events();
    const res = await post(cred, upload);
    expect(res.status, res.text).toBe(status);
    expect(res.text).toContain(`<Code>${code}</Code>`);
    if (message) expect(res.text).toContain(`<Message>${message}</Message>`);
    // Browsers can read the refusal: the bucket's CORS rule covers POST.
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(await stored(upload.key)).toBeUndefined();
    await rig.s3.idle();
    expect(events()).toBe(before);
    return res.text;
  }

  const keyCondition = `Invalid according to Policy: Policy Condition failed: [&quot;starts-with&quot;, &quot;$key&quot;, &quot;${prefix}&quot;]`;

  it('takes uploads anywhere inside live/{id}/, stored with their Content-Type, one S3 event each', async () => {
    const cred = await credential();
    const before = events();
    const segment = await post(cred, { key: `${prefix}720p/1.m4s`, body: new Uint8Array(MAX_BYTES) });
    const playlist = await post(cred, {
      key: `${prefix}index.m3u8`,
      body: '#EXTM3U\n',
      contentType: 'application/vnd.apple.mpegurl',
    });

    expect(segment.status, segment.text).toBe(204);
    expect(segment.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    expect(segment.headers.get('location')).toBe(`${rig.s3.endpoint}/${BUCKET}/${prefix}720p/1.m4s`);
    expect(segment.headers.get('access-control-allow-origin')).toBe('*');
    expect(playlist.status).toBe(204);
    expect(await stored(`${prefix}720p/1.m4s`)).toEqual({ type: 'video/mp4', size: MAX_BYTES });
    expect(await stored(`${prefix}index.m3u8`)).toEqual({ type: 'application/vnd.apple.mpegurl', size: 8 });
    await rig.s3.idle();
    expect(events()).toBe(before + 2);
    const last = rig.invocations.at(-1)?.event as { Records: { eventName: string }[] };
    expect(last.Records[0]?.eventName).toBe('ObjectCreated:Post');
    // The credential names no key: the broadcaster names each one, so the adapter sends no `key`.
    expect(Object.keys(cred.fields).map((name) => name.toLowerCase())).not.toContain('key');
  });

  it("refuses every key outside the stream's own prefix: another stream's, uploads/, media/, look-alike prefixes", async () => {
    const cred = await credential();
    for (const key of [
      `live/${other}/index.m3u8`,
      `uploads/${streamId}/source.webm`,
      `media/${streamId}/index.m3u8`,
      // The prefix ends with `/`: a stream id that merely starts the same is another stream.
      `live/${streamId}x/index.m3u8`,
      `live/${streamId}.m3u8`,
      `live/${streamId}`,
      'index.m3u8',
    ]) {
      await expectRefused(cred, { key }, 403, 'AccessDenied', keyCondition);
    }
  });

  it('never lets `..` reach another prefix (S3 keys are literal; the stand-in refuses dot segments)', async () => {
    const cred = await credential();
    // On S3 this stores the literal key `live/{id}/../{other}/index.m3u8`, inside the stream's own
    // prefix; s3rver would resolve it on disk, so the stand-in refuses it outright.
    await expectRefused(cred, { key: `${prefix}../${other}/index.m3u8` }, 400, 'InvalidArgument');
    expect(await stored(`live/${other}/index.m3u8`)).toBeUndefined();
  });

  it('refuses another bucket, both ways: this credential there, and a credential for another bucket here', async () => {
    const cred = await credential();
    const bucketCondition = `Policy Condition failed: {&quot;bucket&quot;:&quot;${BUCKET}&quot;}`;
    const there = await expectRefused(
      cred,
      { key: `${prefix}a.m4s`, url: `${rig.s3.endpoint}/another-bucket` },
      403,
      'AccessDenied',
    );
    expect(there).toContain(bucketCondition);

    const foreign = await new S3LiveUploads('another-bucket', rig.client).credential(prefix, {
      maxBytes: MAX_BYTES,
      expiresInSeconds: 60,
    });
    const here = await expectRefused(foreign, { key: `${prefix}b.m4s`, url: cred.url }, 403, 'AccessDenied');
    expect(here).toContain('Policy Condition failed: {&quot;bucket&quot;:&quot;another-bucket&quot;}');
  });

  it('refuses a file over the cap (EntityTooLarge) or empty (EntityTooSmall)', async () => {
    const cred = await credential();
    const big = await expectRefused(
      cred,
      { key: `${prefix}big.m4s`, body: new Uint8Array(MAX_BYTES + 1) },
      400,
      'EntityTooLarge',
    );
    expect(big).toContain(
      `<ProposedSize>${MAX_BYTES + 1}</ProposedSize><MaxSizeAllowed>${MAX_BYTES}</MaxSizeAllowed>`,
    );
    const empty = await expectRefused(cred, { key: `${prefix}empty.m4s`, body: '' }, 400, 'EntityTooSmall');
    expect(empty).toContain('<ProposedSize>0</ProposedSize><MinSizeAllowed>1</MinSizeAllowed>');
  });

  it('refuses a credential once its policy has expired', async () => {
    const cred = await credential({ expiresInSeconds: 1 });
    // The policy's expiration is in whole seconds, at most 1 s away: 2 s later it has passed.
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await expectRefused(
      cred,
      { key: `${prefix}late.m4s` },
      403,
      'AccessDenied',
      'Invalid according to Policy: Policy expired.',
    );
  });

  it('refuses a tampered policy, a tampered signature, and a policy signed with another secret', async () => {
    const cred = await credential();
    const policy = JSON.parse(Buffer.from(cred.fields.Policy ?? '', 'base64').toString('utf8'));
    // The whole bucket's live/ for the price of one edit: the signature no longer matches.
    policy.conditions[0] = ['starts-with', '$key', 'live/'];
    const widened = Buffer.from(JSON.stringify(policy)).toString('base64');
    const signature = cred.fields['X-Amz-Signature'] ?? '';
    const flipped = `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`;
    const tampered: Record<string, string>[] = [
      { Policy: widened },
      { 'X-Amz-Signature': flipped },
      { 'X-Amz-Signature': signature.slice(0, 32) },
    ];
    for (const extra of tampered) {
      await expectRefused(cred, { key: `live/${other}/index.m3u8`, extra }, 403, 'SignatureDoesNotMatch');
    }
    const forger = new S3Client({
      endpoint: rig.s3.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'not-the-secret' },
    });
    try {
      const forged = await new S3LiveUploads(BUCKET, forger).credential(prefix, {
        maxBytes: MAX_BYTES,
        expiresInSeconds: 60,
      });
      await expectRefused(forged, { key: `${prefix}forged.m4s` }, 403, 'SignatureDoesNotMatch');
    } finally {
      forger.destroy();
    }
  });

  it('refuses a field no condition names, and a missing Content-Type; x-ignore-* fields pass', async () => {
    const cred = await credential();
    await expectRefused(
      cred,
      { key: `${prefix}meta.m4s`, extra: { 'x-amz-meta-owner': 'mallory' } },
      403,
      'AccessDenied',
      'Invalid according to Policy: Extra input fields: x-amz-meta-owner',
    );
    await expectRefused(
      cred,
      { key: `${prefix}untyped.m4s`, contentType: null },
      403,
      'AccessDenied',
      'Invalid according to Policy: Policy Condition failed: [&quot;starts-with&quot;, &quot;$Content-Type&quot;, &quot;&quot;]',
    );
    const ignored = await post(cred, { key: `${prefix}ignored.m4s`, extra: { 'x-ignore-retry': '2' } });
    expect(ignored.status, ignored.text).toBe(204);
  });

  it('refuses a form without the policy (anonymous), without a key, or that is no form at all', async () => {
    const cred = await credential();
    const { Policy: _, ...unsigned } = cred.fields;
    await expectRefused(
      { ...cred, fields: unsigned },
      { key: `${prefix}anon.m4s` },
      403,
      'AccessDenied',
      'Access Denied',
    );
    const noKey = new FormData();
    for (const [name, value] of Object.entries(cred.fields)) noKey.append(name, value);
    noKey.append('Content-Type', 'video/mp4');
    noKey.append('file', new Blob(['x']), 'blob');
    const keyless = await fetch(cred.url, { method: 'POST', body: noKey });
    expect(keyless.status).toBe(400);
    expect(await keyless.text()).toContain('Bucket POST must contain a field named &apos;key&apos;.');
    const json = await fetch(cred.url, {
      method: 'POST',
      body: '{}',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(json.status).toBe(412);
    expect(await json.text()).toContain('<Code>PreconditionFailed</Code>');
  });

  it("answers success_action_status 201 with S3's PostResponse when the policy allows it", async () => {
    const { url, fields } = await createPresignedPost(rig.client, {
      Bucket: BUCKET,
      Key: `${prefix}\${filename}`,
      Conditions: [['starts-with', '$Content-Type', '']],
      Fields: { success_action_status: '201' },
      Expires: 60,
    });
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('Content-Type', 'text/plain');
    form.append('file', new Blob(['named by the file']), 'notes.txt');
    const res = await fetch(url, { method: 'POST', body: form });
    const text = await res.text();
    expect(res.status, text).toBe(201);
    // `${filename}` in the key is the file's name.
    expect(text).toContain(`<Bucket>${BUCKET}</Bucket><Key>${prefix}notes.txt</Key>`);
    expect(await stored(`${prefix}notes.txt`)).toEqual({ type: 'text/plain', size: 17 });
  });

  it('answers a POST preflight from any origin', async () => {
    const res = await fetch(`${rig.s3.endpoint}/${BUCKET}`, {
      method: 'OPTIONS',
      headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toBe('PUT, POST');
  });
});
