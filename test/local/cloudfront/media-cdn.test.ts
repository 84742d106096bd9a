import { request } from 'node:http';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUCKET, type MediaRig, startMediaRig } from '../media-harness.ts';

describe('CloudFront stand-in (/media)', () => {
  let rig: MediaRig;
  const segment = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));
  const media = (path: string, init?: RequestInit) => fetch(`${rig.url}/media/${path}`, init);

  beforeAll(async () => {
    rig = await startMediaRig();
    const put = (key: string, body: string | Buffer, contentType?: string) =>
      rig.client.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ContentType: contentType }),
      );
    await put('media/s1/index.m3u8', '#EXTM3U\n', 'application/vnd.apple.mpegurl');
    await put('media/s1/index.mpd', '<MPD/>', 'application/dash+xml');
    await put('media/s1/index_720p_00001.cmfv', segment, 'video/mp4');
    await put('media/s1/index_audio_00001.cmfa', segment, 'audio/mp4');
    await put('media/s1/thumbnails/thumb.0000000.jpg', segment, 'image/jpeg');
    // Stored without a type (as S3 defaults it): the extension decides.
    await put('media/s1/index_360p_init.cmfv', segment);
    await put('uploads/s1/source.webm', 'private');
    await put('live/l1/index.m3u8', '#EXTM3U\n', 'application/vnd.apple.mpegurl');
    await put('live/l1/720p/index.m3u8', '#EXTM3U\n', 'application/vnd.apple.mpegurl');
    await put('live/l1/720p/init-1.mp4', segment, 'video/mp4');
    await put('live/l1/720p/7.m4s', segment, 'video/mp4');
    // A recording's folder named like the live behaviour is out of reach, as on CloudFront.
    await put('media/live/l1/index.m3u8', 'not the live playlist');
  });
  afterAll(() => rig.close());

  it('serves media/ with each file type, readable from any origin', async () => {
    const expected: Record<string, string> = {
      'index.m3u8': 'application/vnd.apple.mpegurl',
      'index.mpd': 'application/dash+xml',
      'index_720p_00001.cmfv': 'video/mp4',
      'index_audio_00001.cmfa': 'audio/mp4',
      'thumbnails/thumb.0000000.jpg': 'image/jpeg',
      'index_360p_init.cmfv': 'video/mp4',
    };
    for (const [path, type] of Object.entries(expected)) {
      const res = await media(`s1/${path}`, { headers: { Origin: 'http://localhost:5173' } });
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toBe(type);
      expect(res.headers.get('access-control-allow-origin'), path).toBe('*');
    }
    // The query string never reaches the origin (the cache policies forward none).
    expect(await (await media('s1/index.m3u8?token=abc')).text()).toBe('#EXTM3U\n');
  });

  it('answers byte ranges with 206, a HEAD without a body', async () => {
    const ranged = await media('s1/index_720p_00001.cmfv', { headers: { Range: 'bytes=10-19' } });
    const open = await media('s1/index_720p_00001.cmfv', { headers: { Range: 'bytes=990-' } });
    const suffix = await media('s1/index_720p_00001.cmfv', { headers: { Range: 'bytes=-4' } });
    const head = await media('s1/index_720p_00001.cmfv', { method: 'HEAD' });

    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe('bytes 10-19/1000');
    expect(Buffer.from(await ranged.arrayBuffer())).toEqual(segment.subarray(10, 20));
    expect(open.status).toBe(206);
    expect(Buffer.from(await open.arrayBuffer())).toEqual(segment.subarray(990));
    expect(suffix.status).toBe(206);
    expect(suffix.headers.get('content-range')).toBe('bytes 996-999/1000');
    expect(Buffer.from(await suffix.arrayBuffer())).toEqual(segment.subarray(996));
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('1000');
    expect(head.headers.get('accept-ranges')).toBe('bytes');
    expect(await head.text()).toBe('');
  });

  it('answers 404 for a missing object, and never reaches outside media/', async () => {
    for (const path of ['s1/missing.m3u8', 'nothing/index.m3u8']) {
      const res = await media(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('access-control-allow-origin'), path).toBe('*');
      expect(await res.text(), path).toContain('<Code>NoSuchKey</Code>');
    }
    // Sent as is (fetch would normalise the dots away).
    for (const path of ['/media/../uploads/s1/source.webm', '/media/..%2Fuploads/s1/source.webm']) {
      const status = await new Promise<number | undefined>((resolve, reject) => {
        request(`${rig.url}${path}`, (res) => {
          res.resume();
          resolve(res.statusCode);
        })
          .on('error', reject)
          .end();
      });
      expect(status, path).toBe(404);
    }
  });

  it("serves /media/live/... from the bucket's live/ with the live behaviour's Cache-Control", async () => {
    const expected: Record<string, [type: string, cacheControl: string]> = {
      'index.m3u8': ['application/vnd.apple.mpegurl', 'max-age=1'],
      '720p/index.m3u8': ['application/vnd.apple.mpegurl', 'max-age=1'],
      '720p/init-1.mp4': ['video/mp4', 'max-age=31536000, immutable'],
      '720p/7.m4s': ['video/mp4', 'max-age=31536000, immutable'],
    };
    for (const [path, [type, cacheControl]] of Object.entries(expected)) {
      const res = await media(`live/l1/${path}`, { headers: { Origin: 'http://localhost:5173' } });
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toBe(type);
      expect(res.headers.get('cache-control'), path).toBe(cacheControl);
      expect(res.headers.get('access-control-allow-origin'), path).toBe('*');
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('content-security-policy'), path).toBe("default-src 'none'; sandbox");
    }
    expect(await (await media('live/l1/index.m3u8')).text()).toBe('#EXTM3U\n');
    const ranged = await media('live/l1/720p/7.m4s', { headers: { Range: 'bytes=0-9' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('cache-control')).toBe('max-age=31536000, immutable');
    expect(ranged.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");

    const missing = await media('live/l1/720p/8.m4s');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('access-control-allow-origin')).toBe('*');
    expect(missing.headers.get('cache-control')).toBeNull();
    expect(await missing.text()).toContain('<Code>NoSuchKey</Code>');
    // Recordings keep their behaviour: no Cache-Control of the live one.
    expect((await media('s1/index.m3u8')).headers.get('cache-control')).toBeNull();
  });

  it('takes GET and HEAD only', async () => {
    const res = await media('s1/index.m3u8', { method: 'DELETE' });
    expect(res.status).toBe(403);
    expect((await media('s1/index.m3u8')).status).toBe(200);
  });

  it('keeps a live playlist 1 s and a live 404 1 s at the edge, as the live behaviours do, so the bucket sees a stream, not its audience', async () => {
    const put = (key: string, body: string) =>
      rig.client.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: key,
          Body: body,
          ContentType: 'application/vnd.apple.mpegurl',
        }),
      );
    await put('live/edge/720p/index.m3u8', '#EXTM3U\n#v1\n');
    const first = await media('live/edge/720p/index.m3u8');
    expect([await first.text(), first.headers.get('x-cache')]).toEqual([
      '#EXTM3U\n#v1\n',
      'Miss from cloudfront',
    ]);
    await put('live/edge/720p/index.m3u8', '#EXTM3U\n#v2\n');
    const cached = await media('live/edge/720p/index.m3u8');
    expect([await cached.text(), cached.headers.get('x-cache')]).toEqual([
      '#EXTM3U\n#v1\n',
      'Hit from cloudfront',
    ]);
    expect(cached.headers.get('cache-control')).toBe('max-age=1');
    const missing = await media('live/edge/720p/9.m4s');
    expect(missing.status).toBe(404);
    await put('live/edge/720p/9.m4s', 'segment');
    expect((await media('live/edge/720p/9.m4s')).status).toBe(404);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const fresh = await media('live/edge/720p/index.m3u8');
    expect([await fresh.text(), fresh.headers.get('x-cache')]).toEqual([
      '#EXTM3U\n#v2\n',
      'Miss from cloudfront',
    ]);
    expect((await media('live/edge/720p/9.m4s')).status).toBe(200);
  });
});
