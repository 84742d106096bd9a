/**
 * Ending the live ladder: the playlist text rules, the core over a fake bucket (renditions found
 * by listing, each media playlist ended once, a concurrent rewrite never lost), and the S3
 * adapter's exact commands. The whole path on the local stack is test/integration/live-finish.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { S3LiveObjects } from '../../functions/adapters/live-objects.ts';
import { finishLive, hasEndList, MAX_RENDITIONS, withEndList } from '../../functions/core/live-finish.ts';
import type { LiveObjects, LiveText } from '../../functions/core/ports.ts';

const ID = '0b9e4c1e-6a35-4c8e-9d43-2f1f0e6a7b10';
const LIVE = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:1
#EXT-X-MEDIA-SEQUENCE:40
#EXT-X-MAP:URI="init-1.mp4"
#EXT-X-PROGRAM-DATE-TIME:2026-12-03T17:00:40.000Z
#EXTINF:1.000,
40.m4s
`;

/** An in-memory bucket with S3's conditional-write answers, and a hook to write "in between". */
class FakeLive implements LiveObjects {
  readonly objects = new Map<string, LiveText>();
  readonly writes: string[] = [];
  private version = 0;
  /** Runs once, between the next read of `key` and the write that follows it. */
  interleave?: { key: string; run: () => void };

  put(key: string, text: string, cacheControl?: string) {
    this.objects.set(key, { text, etag: `"v${++this.version}"`, ...(cacheControl && { cacheControl }) });
  }

  async read(key: string) {
    const found = this.objects.get(key);
    if (this.interleave?.key === key) {
      const { run } = this.interleave;
      this.interleave = undefined;
      queueMicrotask(run);
    }
    return found && { ...found };
  }

  async writeIfUnchanged(key: string, text: string, options: { ifMatch: string; cacheControl?: string }) {
    await Promise.resolve();
    if (this.objects.get(key)?.etag !== options.ifMatch) return false;
    this.writes.push(key);
    this.put(key, text, options.cacheControl);
    return true;
  }

  async listFolders(prefix: string, limit: number) {
    const names = new Set<string>();
    for (const key of [...this.objects.keys()].sort()) {
      if (!key.startsWith(prefix)) continue;
      const [first, ...rest] = key.slice(prefix.length).split('/');
      if (rest.length > 0 && first) names.add(first);
    }
    return [...names].slice(0, limit);
  }
}

describe('playlist text', () => {
  it('appends #EXT-X-ENDLIST on a line of its own, in the playlist line endings', () => {
    expect(withEndList(LIVE)).toBe(`${LIVE}#EXT-X-ENDLIST\n`);
    expect(withEndList('#EXTM3U\n#EXTINF:1.0,\n1.m4s')).toBe(
      '#EXTM3U\n#EXTINF:1.0,\n1.m4s\n#EXT-X-ENDLIST\n',
    );
    expect(withEndList('#EXTM3U\r\n1.m4s\r\n')).toBe('#EXTM3U\r\n1.m4s\r\n#EXT-X-ENDLIST\r\n');
  });

  it('knows an ended playlist by the tag on any line, not by a mention of it', () => {
    expect(hasEndList(`${LIVE}#EXT-X-ENDLIST\n`)).toBe(true);
    expect(hasEndList(`${LIVE}#EXT-X-ENDLIST  \r\n`)).toBe(true);
    expect(hasEndList(LIVE)).toBe(false);
    expect(hasEndList('#EXTM3U\n#EXT-X-ENDLIST-NOT\n')).toBe(false);
  });
});

describe('finishLive', () => {
  let live: FakeLive;
  beforeEach(() => {
    live = new FakeLive();
  });
  const key = (rest: string) => `live/${ID}/${rest}`;

  it('ends both media playlists of every rendition, once, and leaves the masters alone', async () => {
    live.put(key('index.m3u8'), '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n720p/index.m3u8\n');
    live.put(key('replay.m3u8'), '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n720p/full.m3u8\n');
    for (const r of ['360p', '720p']) {
      live.put(key(`${r}/index.m3u8`), LIVE);
      live.put(key(`${r}/full.m3u8`), LIVE.replace('#EXT-X-VERSION:7', '#EXT-X-PLAYLIST-TYPE:EVENT'));
      live.put(key(`${r}/40.m4s`), 'x');
    }
    const first = await finishLive({ live }, ID);
    expect(first.renditions).toEqual(['360p', '720p']);
    expect(Object.values(first.playlists)).toEqual(['ended', 'ended', 'ended', 'ended']);
    for (const r of ['360p', '720p']) {
      expect(live.objects.get(key(`${r}/index.m3u8`))?.text).toBe(`${LIVE}#EXT-X-ENDLIST\n`);
      expect(live.objects.get(key(`${r}/full.m3u8`))?.text.match(/#EXT-X-ENDLIST/g)).toHaveLength(1);
    }
    expect(live.objects.get(key('index.m3u8'))?.text).not.toContain('ENDLIST');

    const second = await finishLive({ live }, ID);
    expect(Object.values(second.playlists)).toEqual(Array(4).fill('already-ended'));
    expect(live.writes).toHaveLength(4);
  });

  it('keeps a rendition the current master no longer lists (its players still poll it)', async () => {
    live.put(key('index.m3u8'), '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n360p/index.m3u8\n');
    live.put(key('360p/index.m3u8'), LIVE);
    live.put(key('720p/index.m3u8'), LIVE);
    const finished = await finishLive({ live }, ID);
    expect(finished.playlists).toEqual({
      [key('360p/index.m3u8')]: 'ended',
      [key('360p/full.m3u8')]: 'missing',
      [key('720p/index.m3u8')]: 'ended',
      [key('720p/full.m3u8')]: 'missing',
    });
  });

  it('is fine with no live objects at all, and ignores what is not a rendition or not a playlist', async () => {
    expect(await finishLive({ live }, ID)).toEqual({ renditions: [], playlists: {} });
    live.put(key('junk/index.m3u8'), LIVE);
    live.put(key('480p/index.m3u8'), 'not a playlist');
    const finished = await finishLive({ live }, ID);
    expect(finished.renditions).toEqual(['480p']);
    expect(finished.playlists[key('480p/index.m3u8')]).toBe('not-a-playlist');
    expect(live.writes).toEqual([]);
  });

  it(`works on at most ${MAX_RENDITIONS} renditions, whatever a broadcaster made`, async () => {
    for (let h = 100; h < 130; h++) live.put(key(`${h}p/index.m3u8`), LIVE);
    const finished = await finishLive({ live }, ID);
    expect(finished.renditions).toHaveLength(MAX_RENDITIONS);
  });

  it('appends to the version a last upload wrote in between, never dropping its segment', async () => {
    const newer = `${LIVE}#EXTINF:1.000,\n41.m4s\n`;
    live.put(key('720p/index.m3u8'), LIVE);
    live.interleave = { key: key('720p/index.m3u8'), run: () => live.put(key('720p/index.m3u8'), newer) };
    await finishLive({ live }, ID);
    expect(live.objects.get(key('720p/index.m3u8'))?.text).toBe(`${newer}#EXT-X-ENDLIST\n`);
  });

  it('keeps the Cache-Control the broadcaster stored', async () => {
    live.put(key('720p/index.m3u8'), LIVE, 'max-age=1');
    await finishLive({ live }, ID);
    expect(live.objects.get(key('720p/index.m3u8'))?.cacheControl).toBe('max-age=1');
  });

  it('gives up (the batch is retried) when every rewrite loses to another write', async () => {
    live.put(key('720p/index.m3u8'), LIVE);
    live.writeIfUnchanged = async () => false;
    await expect(finishLive({ live }, ID)).rejects.toThrow(/changed under 3 rewrites/);
  });
});

describe('S3LiveObjects', () => {
  const client = new S3Client({ region: 'us-east-1' });
  const s3 = mockClient(client);
  const objects = new S3LiveObjects('rec', client);
  const awsError = (name: string, status: number) =>
    Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
  beforeEach(() => s3.reset());

  it('reads text, ETag and Cache-Control; a missing key is undefined', async () => {
    s3.on(GetObjectCommand, { Key: 'live/a/720p/index.m3u8' }).resolves({
      // The SDK's stream mixin, as much of it as the adapter uses.
      Body: { transformToString: async () => LIVE } as never,
      ETag: '"e1"',
      CacheControl: 'max-age=1',
    });
    s3.on(GetObjectCommand, { Key: 'live/a/none.m3u8' }).rejects(awsError('NoSuchKey', 404));
    expect(await objects.read('live/a/720p/index.m3u8')).toEqual({
      text: LIVE,
      etag: '"e1"',
      cacheControl: 'max-age=1',
    });
    expect(await objects.read('live/a/none.m3u8')).toBeUndefined();
  });

  it('writes only if unchanged (If-Match), and answers false for 412, 409 and 404', async () => {
    s3.on(PutObjectCommand).resolves({});
    const options = {
      ifMatch: '"e1"',
      contentType: 'application/vnd.apple.mpegurl',
      cacheControl: 'max-age=1',
    };
    expect(await objects.writeIfUnchanged('live/a/720p/index.m3u8', 'text', options)).toBe(true);
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: 'rec',
      Key: 'live/a/720p/index.m3u8',
      Body: 'text',
      IfMatch: '"e1"',
      ContentType: 'application/vnd.apple.mpegurl',
      CacheControl: 'max-age=1',
    });
    for (const [name, status] of [
      ['PreconditionFailed', 412],
      ['ConditionalRequestConflict', 409],
      ['NoSuchKey', 404],
    ] as const) {
      s3.on(PutObjectCommand).rejects(awsError(name, status));
      expect(await objects.writeIfUnchanged('k', 'text', options)).toBe(false);
    }
    s3.on(PutObjectCommand).rejects(awsError('AccessDenied', 403));
    await expect(objects.writeIfUnchanged('k', 'text', options)).rejects.toMatchObject({
      name: 'AccessDenied',
    });
  });

  it('lists the folders right under the prefix with a delimiter, one bounded page', async () => {
    s3.on(ListObjectsV2Command).resolves({
      CommonPrefixes: [{ Prefix: 'live/a/360p/' }, { Prefix: 'live/a/720p/' }],
      Contents: [{ Key: 'live/a/index.m3u8' }],
    });
    expect(await objects.listFolders('live/a/', 100)).toEqual(['360p', '720p']);
    expect(s3.commandCalls(ListObjectsV2Command)[0]?.args[0].input).toEqual({
      Bucket: 'rec',
      Prefix: 'live/a/',
      Delimiter: '/',
      MaxKeys: 100,
    });
  });
});
