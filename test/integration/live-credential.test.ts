/**
 * `POST /api/livestream/{id}/live/credential` on the local stack: who may get the broadcaster's
 * live upload credential (as for `/start`), in which state, what it answers, and that the answer
 * really uploads through the S3 stand-in and plays back through the CloudFront stand-in at
 * `playback.hls`, with the live behaviour's cache headers.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tunables } from '../../functions/tunables.ts';
import { ApiError, LivestreamApi } from '../../web/sdk/index.ts';
import { type ApiResponse, type CallOptions, harness } from './harness.ts';

let h: Awaited<ReturnType<typeof harness>>;
let live: Awaited<ReturnType<typeof h.newStream>>;

beforeAll(async () => {
  h = await harness();
  live = await h.newStream('alice', { start: true });
}, 60_000);
afterAll(() => h?.close());

const credentialPath = (streamId: string) => `/api/livestream/${streamId}/live/credential`;

/** Calls the route and checks that it changed nothing stored (it only signs). */
async function ask(streamId: string, options: CallOptions = {}): Promise<ApiResponse> {
  const before = await h.snapshot();
  const res = await h.call('POST', credentialPath(streamId), options);
  expect(await h.snapshot()).toEqual(before);
  return res;
}

function expectError(res: ApiResponse, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error.code).toBe(code);
}

/** POSTs one object with a credential, as the broadcaster's browser does. */
async function upload(credential: ApiResponse['body'], key: string, body: string, contentType: string) {
  const form = new FormData();
  for (const [name, value] of Object.entries(credential.fields as Record<string, string>)) {
    form.append(name, value);
  }
  form.append('key', key);
  form.append('Content-Type', contentType);
  form.append('file', new Blob([body]), 'blob');
  return fetch(credential.url, { method: 'POST', body: form, headers: { Origin: h.stack.url } });
}

describe('who gets the credential', () => {
  it('answers the owner with the presigned POST, its prefix, limits, expiry and playback URL', async () => {
    const res = await ask(live.streamId, { token: live.ownerToken });

    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { url, fields, keyPrefix, maxBytes, expiresAt, playback } = res.body;
    expect(Object.keys(res.body).sort()).toEqual(
      ['url', 'fields', 'keyPrefix', 'maxBytes', 'expiresAt', 'playback'].sort(),
    );
    expect(url).toBe(`${h.stack.s3.endpoint}/${h.stack.s3.bucket}`);
    expect(Object.keys(fields).sort()).toEqual(
      ['Policy', 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Signature', 'bucket'].sort(),
    );
    expect(keyPrefix).toBe(`live/${live.streamId}/`);
    expect(maxBytes).toBe(tunables.LIVE_SEGMENT_MAX_BYTES.default);
    expect(playback).toEqual({ hls: `${h.stack.media.url}/live/${live.streamId}/index.m3u8` });
    // expiresAt is the policy's own expiration, which is what S3 enforces.
    const policy = JSON.parse(Buffer.from(fields.Policy, 'base64').toString('utf8'));
    expect(expiresAt).toBe(new Date(policy.expiration).toISOString());
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['starts-with', '$key', keyPrefix],
        ['content-length-range', 1, maxBytes],
        ['starts-with', '$Content-Type', ''],
        { bucket: h.stack.s3.bucket },
      ]),
    );
  });

  it('answers the holder of the stream key, without a token', async () => {
    const res = await ask(live.streamId, { headers: { 'X-Stream-Key': live.streamKey } });

    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.keyPrefix).toBe(`live/${live.streamId}/`);
  });

  it("is the SDK's liveCredential: the client's stream key, or one given for the call", async () => {
    const encoder = new LivestreamApi({ baseUrl: h.stack.url, streamKey: live.streamKey });
    const anonymous = new LivestreamApi({ baseUrl: h.stack.url });

    expect((await encoder.liveCredential(live.streamId)).keyPrefix).toBe(`live/${live.streamId}/`);
    const given = await anonymous.liveCredential(live.streamId, { streamKey: live.streamKey });
    expect(given.playback.hls).toBe(`${h.stack.media.url}/live/${live.streamId}/index.m3u8`);
    const refused = await anonymous.liveCredential(live.streamId).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).code).toBe('UNAUTHORIZED');
  });

  it('refuses anyone else (403), a wrong key (403), and an anonymous caller (401)', async () => {
    expectError(await ask(live.streamId, { token: await h.token('bob') }), 403, 'FORBIDDEN');
    expectError(
      await ask(live.streamId, { headers: { 'X-Stream-Key': 'sk_not-the-key' } }),
      403,
      'FORBIDDEN',
    );
    expectError(await ask(live.streamId), 401, 'UNAUTHORIZED');
  });

  it("settles ownership before the body: someone else's body is 403, the owner's is 400", async () => {
    const body = { keyPrefix: 'live/' };
    expectError(await ask(live.streamId, { token: await h.token('bob'), body }), 403, 'FORBIDDEN');
    expectError(await ask(live.streamId, { token: live.ownerToken, body }), 400, 'VALIDATION_FAILED');
  });

  it('answers 404 for a stream that does not exist', async () => {
    expectError(await ask(randomUUID(), { token: live.ownerToken }), 404, 'STREAM_NOT_FOUND');
  });
});

describe('only while live', () => {
  it('refuses a stream not started yet (409 STREAM_NOT_LIVE) and an ended one (409 STREAM_ENDED)', async () => {
    const created = await h.newStream('carol');
    const notLive = await ask(created.streamId, { token: created.ownerToken });
    expectError(notLive, 409, 'STREAM_NOT_LIVE');
    expect(notLive.body.error.details).toEqual({ status: 'created' });

    const ended = await h.newStream('dave', { start: true });
    const end = await h.call('POST', `/api/livestream/${ended.streamId}/end`, {
      token: ended.ownerToken,
      body: {},
    });
    expect(end.status).toBe(200);
    const afterEnd = await ask(ended.streamId, { token: ended.ownerToken });
    expectError(afterEnd, 409, 'STREAM_ENDED');
    expect(afterEnd.body.error.details).toEqual({ status: 'ended' });
  });
});

describe('the credential at work', () => {
  it('uploads a segment and a playlist through S3, which play at playback.hls with the live cache headers', async () => {
    const { body: credential } = await ask(live.streamId, { token: live.ownerToken });
    const { keyPrefix } = credential;
    const segment = await upload(credential, `${keyPrefix}720p/0.m4s`, 'moof+mdat', 'video/mp4');
    const rendition = await upload(
      credential,
      `${keyPrefix}720p/index.m3u8`,
      '#EXTM3U\n#EXTINF:1.0,\n0.m4s\n',
      'application/vnd.apple.mpegurl',
    );
    const master = await upload(
      credential,
      `${keyPrefix}index.m3u8`,
      '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=2500000\n720p/index.m3u8\n',
      'application/vnd.apple.mpegurl',
    );
    expect([segment.status, rendition.status, master.status]).toEqual([204, 204, 204]);
    // The web app's origin can read the answer (and the ETag) of its upload.
    expect(segment.headers.get('access-control-allow-origin')).toBe('*');

    const playlist = await fetch(credential.playback.hls);
    expect(playlist.status).toBe(200);
    expect(playlist.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(playlist.headers.get('cache-control')).toBe('max-age=1');
    expect(playlist.headers.get('access-control-allow-origin')).toBe('*');
    const variant = (await playlist.text()).split('\n').find((line) => line.endsWith('.m3u8')) ?? '';

    const media = await fetch(new URL(variant, credential.playback.hls));
    expect(media.headers.get('cache-control')).toBe('max-age=1');
    const first = (await media.text()).split('\n').find((line) => line.endsWith('.m4s')) ?? '';
    const bytes = await fetch(new URL(first, new URL(variant, credential.playback.hls)));
    expect(bytes.status).toBe(200);
    expect(bytes.headers.get('content-type')).toBe('video/mp4');
    expect(bytes.headers.get('cache-control')).toBe('max-age=31536000, immutable');
    expect(await bytes.text()).toBe('moof+mdat');

    const missing = await fetch(new URL('720p/1.m4s', credential.playback.hls));
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('<Code>NoSuchKey</Code>');
  });

  it("writes nothing under another stream's prefix", async () => {
    const { body: credential } = await ask(live.streamId, { headers: { 'X-Stream-Key': live.streamKey } });
    const other = await h.newStream('erin', { start: true });
    const res = await upload(credential, `live/${other.streamId}/index.m3u8`, '#EXTM3U\n', 'text/plain');

    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Policy Condition failed');
    expect((await fetch(`${h.stack.media.url}/live/${other.streamId}/index.m3u8`)).status).toBe(404);
  });
});
