/**
 * The broadcaster's live ladder in headless Chromium on the local stack: the SDK broadcasts the
 * fake camera (720p), encodes 720p/480p/360p with WebCodecs and uploads them by presigned POST;
 * then, read back from the CDN stand-in as a player would, every listed segment decodes (with its
 * init) at the RESOLUTION its master states, every segment has a PROGRAM-DATE-TIME, a reloaded
 * page goes on as a new run, and ending writes EXT-X-ENDLIST.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.ts';
import { endOf } from '../../web/sdk/live/live-edge.ts';
import { parseMediaPlaylist } from '../../web/sdk/live/resume.ts';
import { decodeSegment } from '../support/media.ts';
import { variants } from './live-cdn.ts';
import {
  type BrowserStack,
  openPage,
  type PageProblems,
  skipBrowser,
  startBrowserStack,
  type WebAppDir,
} from './support.ts';

/** Segments each rendition must have uploaded before the playlists are checked: ~5 s of stream. */
const SEGMENTS = 5;
/** Two shared cores encode three renditions (slower than real time when the machine is busy): generous. */
const LIVE_TIMEOUT_MS = 180_000;

let stack: LocalStack;
let browser: Browser;
let started: BrowserStack | undefined;
let page: Page;
let problems: PageProblems;
let streamId = '';
/** The frames the page's WebSockets sent and received (`stream:uplink` among the sent). */
const sentFrames: string[] = [];
const receivedFrames: string[] = [];

interface LivePage {
  liveTest: {
    errors: string[];
    start(token: string, streamId?: string): Promise<string>;
    stats(): Record<string, { segments: number }>;
    stop(): Promise<void>;
  };
}

/** The SDK's ladder alone on a page (live-ladder-page.ts), bundled into a directory the stack serves. */
async function buildLadderPage(): Promise<WebAppDir> {
  const dir = await mkdtemp(join(tmpdir(), 'dreamx-live-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(
    join(dir, 'index.html'),
    '<!doctype html><script type="module" src="/assets/live.js"></script>',
  );
  await build({
    entryPoints: [fileURLToPath(new URL('./live-ladder-page.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    outfile: join(dir, 'assets', 'live.js'),
    logLevel: 'warning',
  });
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

beforeAll(async () => {
  if (skipBrowser) return;
  started = await startBrowserStack({ app: await buildLadderPage() });
  ({ stack, browser } = started);
}, 120_000);

afterAll(() => started?.close());

/** Opens the page and broadcasts as alice: a new stream, or `resume` (a reloaded page). */
async function broadcast(resume?: string): Promise<string> {
  if (!page) {
    ({ page, problems } = await openPage(browser));
    page.on('websocket', (ws) => {
      ws.on('framesent', ({ payload }) => sentFrames.push(String(payload)));
      ws.on('framereceived', ({ payload }) => receivedFrames.push(String(payload)));
    });
  }
  await page.goto(`${stack.url}/`);
  await page.waitForFunction(() => 'liveTest' in window);
  const token = await stack.issuer.mint({ userId: 'alice' });
  return page.evaluate(({ token, resume }) => (window as unknown as LivePage).liveTest.start(token, resume), {
    token,
    resume,
  });
}

/** Waits until every rendition of the running ladder has uploaded `count` segments. */
async function waitForSegments(count: number): Promise<void> {
  const stats = () => page.evaluate(() => (window as unknown as LivePage).liveTest.stats());
  await page
    .waitForFunction(
      (count) => {
        const all = Object.values((window as unknown as LivePage).liveTest.stats());
        return all.length > 0 && all.every((s) => s.segments >= count);
      },
      count,
      { timeout: LIVE_TIMEOUT_MS, polling: 250 },
    )
    .catch(async (error: unknown) => {
      throw new Error(`fewer than ${count} segments per rendition: ${JSON.stringify(await stats())}`, {
        cause: error,
      });
    });
}

const cdn = (path: string) => `${stack.media.url}/live/${streamId}/${path}`;

/**
 * A playlist as a player reads it. The S3 stand-in (s3rver) rewrites an object in place, so a
 * read racing an upload may answer 500 or a cut text, which S3 never does: retried, as a player would.
 */
async function text(path: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(cdn(path));
    const body = await res.text();
    const whole = res.status === 200 && body.startsWith('#EXTM3U') && body.endsWith('\n');
    if (whole || attempt === 5 || (res.status !== 200 && res.status < 500)) {
      expect(res.status, path).toBe(200);
      return body;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function bytes(path: string): Promise<Uint8Array> {
  const res = await fetch(cdn(path));
  expect(res.status, path).toBe(200);
  return new Uint8Array(await res.arrayBuffer());
}

/** A media playlist's segments with the lines before each (PDT, EXTINF) and the map in force. */
function segments(playlist: string): { uri: string; map: string; pdt?: string; extinf?: string }[] {
  const lines = playlist.trim().split('\n');
  let map = '';
  return lines.flatMap((line, i) => {
    if (line.startsWith('#EXT-X-MAP:')) map = /URI="([^"]+)"/.exec(line)?.[1] ?? '';
    if (line.startsWith('#') || line === '') return [];
    const before = lines.slice(Math.max(0, i - 3), i);
    return [
      {
        uri: line,
        map,
        pdt: before.find((l) => l.startsWith('#EXT-X-PROGRAM-DATE-TIME:')),
        extinf: before.find((l) => l.startsWith('#EXTINF:')),
      },
    ];
  });
}

describe.skipIf(skipBrowser)('the live ladder in Chromium', () => {
  it(
    'uploads 720p, 480p and 360p whose every segment decodes at the RESOLUTION the master states',
    async () => {
      streamId = await broadcast();
      await waitForSegments(SEGMENTS);
      const master = variants(await text('index.m3u8'));
      expect(master.map((v) => [v.uri, v.attributes.RESOLUTION])).toEqual([
        ['360p/index.m3u8', '640x360'],
        ['480p/index.m3u8', '854x480'],
        ['720p/index.m3u8', '1280x720'],
      ]);
      for (const { attributes, uri } of master) {
        expect(attributes.CODECS).toMatch(/^avc1\.[0-9a-f]{6},(Opus|mp4a\.40\.2)$/);
        expect(Number(attributes.BANDWIDTH)).toBeGreaterThan(0);
        expect(Number(attributes['FRAME-RATE'])).toBeGreaterThan(0);
        const rendition = uri.split('/')[0] ?? '';
        const listed = segments(await text(uri));
        expect(listed.length).toBeGreaterThanOrEqual(3);
        const [width, height] = (attributes.RESOLUTION ?? '').split('x').map(Number);
        const init = await bytes(`${rendition}/${listed[0]?.map}`);
        for (const segment of listed) {
          expect(segment.pdt, `${rendition}/${segment.uri}`).toMatch(
            /^#EXT-X-PROGRAM-DATE-TIME:\d{4}-\d\d-\d\dT/,
          );
          expect(segment.extinf).toMatch(/^#EXTINF:\d+\.\d{3},$/);
          const media = await bytes(`${rendition}/${segment.uri}`);
          const decoded = await decodeSegment(new Uint8Array([...init, ...media]));
          expect(decoded, `${rendition}/${segment.uri}`).toMatchObject({ width, height });
          expect(decoded.frames).toBeGreaterThan(0);
        }
      }
      // Playable: the broadcaster tells the service what its ladder sends (the peers' uplink: none yet).
      await expect
        .poll(() => sentFrames.map((f) => JSON.parse(f)).find((f) => f.action === 'stream:uplink'))
        .toEqual({ action: 'stream:uplink', data: { ladderKbps: 4688 } });
      expect(receivedFrames.filter((f) => f.includes('stream:error'))).toEqual([]);
      const replay = variants(await text('replay.m3u8'));
      expect(replay.map((v) => v.uri)).toEqual(['360p/full.m3u8', '480p/full.m3u8', '720p/full.m3u8']);
      expect(await text('720p/full.m3u8')).toContain('#EXT-X-PLAYLIST-TYPE:EVENT');
    },
    LIVE_TIMEOUT_MS * 3,
  );

  it(
    'goes on after a reload as a new run: numbers continue past a discontinuity, with a new init',
    async () => {
      const before = segments(await text('360p/full.m3u8')).length;
      expect(await broadcast(streamId)).toBe(streamId);
      await waitForSegments(3);
      const full = await text('360p/full.m3u8');
      const listed = segments(full);
      const second = listed.findIndex((s) => s.map === 'init-1.mp4');
      expect(second).toBeGreaterThanOrEqual(before);
      // One numbering across both runs: every URI is its media sequence number.
      expect(listed.map((s) => s.uri)).toEqual(listed.map((_, i) => `${i}.m4s`));
      // The run boundary is the one discontinuity with a new init. Any other marks segments the
      // broadcaster dropped as too late to be live (a loaded machine): a jump in the wall clock.
      const read = parseMediaPlaylist(full).segments;
      const marks = read.flatMap((segment, i) => {
        const previous = read[i - 1];
        return segment.discontinuity && previous ? [{ segment, previous }] : [];
      });
      const runStarts = marks.filter(({ segment, previous }) => segment.map !== previous.map);
      expect(runStarts.map(({ segment }) => segment.map)).toEqual(['init-1.mp4']);
      for (const { segment, previous } of marks) {
        if (segment.map !== previous.map) continue;
        expect(segment.programDateTime - endOf(previous), segment.uri).toBeGreaterThan(500);
      }
      expect(full).toContain(`#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="init-1.mp4"`);
      const window = await text('360p/index.m3u8');
      expect(window).toContain('#EXT-X-MAP:URI="init-1.mp4"');
      expect(window).toMatch(/#EXT-X-DISCONTINUITY-SEQUENCE:[01]\n/);
    },
    LIVE_TIMEOUT_MS + 30_000,
  );

  it('writes EXT-X-ENDLIST to every rendition playlist when the stream ends', async () => {
    await page.evaluate(() => (window as unknown as LivePage).liveTest.stop());
    const lastLine = async (path: string) => (await text(path)).trimEnd().split('\n').at(-1);
    for (const rendition of ['720p', '480p', '360p']) {
      for (const playlist of ['index.m3u8', 'full.m3u8']) {
        // Read through the CDN, whose edge keeps a playlist up to a second (as CloudFront's does).
        await expect
          .poll(() => lastLine(`${rendition}/${playlist}`), { timeout: 5000, interval: 250 })
          .toBe('#EXT-X-ENDLIST');
      }
    }
  }, 60_000);

  it('reported no error and raised none in the page', async () => {
    expect(await page.evaluate(() => (window as unknown as LivePage).liveTest.errors)).toEqual([]);
    expect(problems.errors).toEqual([]);
  });
});
