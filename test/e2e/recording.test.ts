/**
 * A recording end to end on the local stack, with real media: a 12.5 s 720p WebM made by ffmpeg
 * is uploaded in 3 parts through presigned URLs, transcoded by the same job settings MediaConvert
 * gets, and served under /media as CloudFront would. Then it is deleted, object by object.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIO_BITRATE, LADDER } from '../../functions/core/ladder.ts';
import { localS3Client } from '../../local/s3/s3-client.ts';
import { type ApiResponse, harness } from '../integration/harness.ts';
import { decodeSegment, makeTestVideo, type TestVideo } from '../support/media.ts';

const MIB = 1024 * 1024;
let h: Awaited<ReturnType<typeof harness>>;
let source: TestVideo;
let streamId = '';
let token = '';
let ready: ApiResponse;

const base = () => `/api/livestream/${streamId}/recording`;
const text = async (url: string) => {
  const res = await fetch(url);
  expect(res.status, url).toBe(200);
  return res.text();
};
const bytes = async (url: string) => new Uint8Array(await (await fetch(url)).arrayBuffer());

/** `KEY=value` pairs of an HLS attribute list (quoted values may hold commas). */
const attributes = (line: string) =>
  Object.fromEntries(
    [...line.matchAll(/([A-Z-]+)=("[^"]*"|[^,]*)/g)].map((m) => [m[1], (m[2] ?? '').replaceAll('"', '')]),
  );

beforeAll(async () => {
  [h, source] = await Promise.all([
    harness(),
    makeTestVideo({ seconds: 12.5, width: 1280, height: 720, noise: true, bitrate: '9M' }),
  ]);
  expect(source.bytes.byteLength).toBeGreaterThan(11 * MIB);
  const stream = await h.newStream('alice', { start: true, body: { recordingEnabled: true } });
  streamId = stream.streamId;
  token = stream.ownerToken;

  const opened = await h.call('POST', base(), { token, body: { contentType: 'video/webm' } });
  expect(opened.status).toBe(201);
  // Three parts, as a recorder flushing every few seconds would send them: 5.5 MiB, 5.5 MiB, the rest.
  const cuts = [0, 5.5 * MIB, 11 * MIB, source.bytes.byteLength];
  const parts = [];
  for (let i = 0; i < 3; i++) {
    const body = source.bytes.subarray(cuts[i], cuts[i + 1]);
    const signed = await h.call('POST', `${base()}/parts`, {
      token,
      body: { partNumber: i + 1, sizeBytes: body.byteLength },
    });
    expect(signed.status).toBe(200);
    const put = await fetch(signed.body.url, { method: signed.body.method, body });
    expect(put.status).toBe(200);
    parts.push({ partNumber: i + 1, etag: put.headers.get('etag') ?? '' });
  }
  const completed = await h.call('POST', `${base()}/complete`, { token, body: { parts } });
  expect(completed.status).toBe(200);
  expect(completed.body.recording.status).toBe('processing');

  // Bounded: a 12 s clip takes well under a minute to transcode on two cores.
  for (let i = 0; i < 600; i++) {
    ready = await h.call('GET', base());
    if (ready.body.recording.status !== 'processing') break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}, 240_000);
afterAll(() => h?.close());

describe('a 720p recording', () => {
  it('becomes ready with its CDN URLs, renditions and duration', () => {
    const { recording } = ready.body;
    expect(recording.status, JSON.stringify(recording.failure)).toBe('ready');
    expect(recording.progress).toBe(100);
    expect(recording.sizeBytes).toBe(source.bytes.byteLength);
    expect(recording.playbackUrl).toBe(`${h.stack.url}/media/${streamId}/index.m3u8`);
    expect(recording.dashUrl).toBe(`${h.stack.url}/media/${streamId}/index.mpd`);
    expect(recording.renditions.map((r: { name: string }) => r.name)).toEqual(['360p', '480p', '720p']);
    expect(Math.abs(recording.durationSeconds - source.durationSeconds)).toBeLessThanOrEqual(0.5);
  });

  it('plays from an HLS master listing 360p, 480p and 720p with their bandwidth and resolution, never 1080p', async () => {
    const master = await text(ready.body.recording.playbackUrl);
    const variants = master
      .split('\n')
      .filter((line) => line.startsWith('#EXT-X-STREAM-INF:'))
      .map(attributes);
    expect(variants.map((v) => v.RESOLUTION)).toEqual(['640x360', '854x480', '1280x720']);
    expect(variants.map((v) => Number(v.BANDWIDTH))).toEqual(
      LADDER.slice(0, 3).map((rung) => rung.maxBitrate + AUDIO_BITRATE),
    );
    for (const v of variants) expect(v.CODECS).toMatch(/avc1\.[0-9a-fA-F]{6},mp4a\.40\.2/);
    expect(master).not.toContain('1920x1080');
  });

  it('has a DASH manifest with the same representations', async () => {
    const mpd = await text(ready.body.recording.dashUrl);
    const video = [...mpd.matchAll(/<Representation[^>]*mimeType="video\/mp4"[^>]*>/g)].map((m) => m[0]);
    const attr = (tag: string, name: string) => Number(new RegExp(`\\s${name}="(\\d+)"`).exec(tag)?.[1]);
    expect(video.map((tag) => `${attr(tag, 'width')}x${attr(tag, 'height')}`)).toEqual([
      '640x360',
      '854x480',
      '1280x720',
    ]);
    expect(video.map((tag) => attr(tag, 'bandwidth'))).toEqual(
      LADDER.slice(0, 3).map((rung) => rung.maxBitrate),
    );
    expect(mpd).toMatch(/mimeType="audio\/mp4"/);
  });

  it('serves decodable segments of every rendition, adding up to the source duration', async () => {
    const masterUrl = ready.body.recording.playbackUrl as string;
    const master = await text(masterUrl);
    const lines = master.split('\n');
    const renditionUrls = lines
      .flatMap((line, i) => (line.startsWith('#EXT-X-STREAM-INF:') ? [lines[i + 1]?.trim() ?? ''] : []))
      .map((uri) => new URL(uri, masterUrl).href);
    expect(renditionUrls).toHaveLength(3);
    for (const [i, url] of renditionUrls.entries()) {
      const playlist = await text(url);
      const total = [...playlist.matchAll(/#EXTINF:([\d.]+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
      expect(Math.abs(total - source.durationSeconds)).toBeLessThanOrEqual(0.5);
      const segmentDurations = [...playlist.matchAll(/#EXTINF:([\d.]+)/g)].map((m) => Number(m[1]));
      for (const d of segmentDurations.slice(0, -1)) expect(Math.abs(d - 6)).toBeLessThanOrEqual(0.1);
      const init = /#EXT-X-MAP:URI="([^"]+)"/.exec(playlist)?.[1];
      const first = playlist.split('\n').find((line) => line.trim() !== '' && !line.startsWith('#'));
      expect(init && first).toBeTruthy();
      const segment = new Uint8Array([
        ...(await bytes(new URL(init ?? '', url).href)),
        ...(await bytes(new URL(first ?? '', url).href)),
      ]);
      const decoded = await decodeSegment(segment);
      expect(`${decoded.width}x${decoded.height}`).toBe(['640x360', '854x480', '1280x720'][i]);
      expect(decoded.frames).toBeGreaterThanOrEqual(6 * 29);
    }
  }, 60_000);

  it('has a thumbnail', async () => {
    const res = await fetch(ready.body.recording.thumbnailUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
  });

  it('is deleted object by object, and its playback URL then 404s', async () => {
    const s3 = localS3Client(h.stack.s3.endpoint);
    const keys = async (prefix: string) =>
      (await s3.send(new ListObjectsV2Command({ Bucket: h.stack.s3.bucket, Prefix: prefix }))).Contents ?? [];
    expect((await keys(`uploads/${streamId}/`)).length).toBe(1);
    expect((await keys(`media/${streamId}/`)).length).toBeGreaterThan(10);

    const deleted = await h.call('DELETE', base(), { token });
    expect(deleted.status).toBe(200);
    expect(deleted.body.recording).toMatchObject({ status: 'deleted', playbackUrl: null, dashUrl: null });
    expect(await keys(`uploads/${streamId}/`)).toEqual([]);
    expect(await keys(`media/${streamId}/`)).toEqual([]);
    expect((await fetch(ready.body.recording.playbackUrl)).status).toBe(404);
    expect((await h.call('GET', base())).body.recording.status).toBe('deleted');
  });
});
