/**
 * Both tiers end to end in headless Chromium on the local stack, with one peer-to-peer seat
 * (PEER_SEATS_FALLBACK=1, PEER_SEATS_MAX=1): alice goes live from the app with the fake camera (the
 * SDK's live ladder runs beside WebRTC); bob, carol and dave open the watch page one after another;
 * bob gets the seat, carol and dave play the ladder from the CDN stand-in through hls.js, decoding
 * frames, their page showing the tier and the delay behind live. All along, every segment any
 * playlist lists answers 200. Ending from the app reaches the HLS viewers through the playlist's
 * EXT-X-ENDLIST; afterwards every rendition decodes at the RESOLUTION its master states.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.ts';
import { decodeSegment } from '../support/media.ts';
import { type SampleReport, sampleLiveCdn, segments, variants } from './live-cdn.ts';
import {
  type BrowserStack,
  buildApp,
  openPage,
  type PageProblems,
  screenshot,
  signIn,
  skipBrowser,
  startBrowserStack,
  waitForFrames,
} from './support.ts';

/** One seat; a 4 s presence window so the HLS tier shows in the count within the test. */
const ENV: Record<string, string> = {
  PEER_SEATS_FALLBACK: '1',
  PEER_SEATS_MAX: '1',
  PRESENCE_WINDOW_SECONDS: '4',
};
const FRAMES = 30;
/** Two shared cores encode three renditions, send WebRTC and decode three pages: generous. */
const LIVE_TIMEOUT_MS = 90_000;

let stack: LocalStack;
let browser: Browser;
let started: BrowserStack | undefined;
const problems: PageProblems[] = [];

beforeAll(async () => {
  if (skipBrowser) return;
  started = await startBrowserStack({ app: await buildApp(), env: ENV });
  ({ stack, browser } = started);
}, 120_000);

afterAll(() => started?.close());

describe.skipIf(skipBrowser)('two tiers in Chromium', () => {
  let alice: Page;
  const viewers: Record<'bob' | 'carol' | 'dave', Page> = {} as never;
  let streamId = '';
  /** When the app said LIVE and when End was clicked: how long the ladder had to encode. */
  let liveAt = 0;
  let endedAt = 0;
  let sampler: { stop(): Promise<SampleReport> } | undefined;
  const cdn = (path = '') => `${stack.media.url}/live/${streamId}${path && `/${path}`}`;

  async function open(name: string, path: string): Promise<Page> {
    const opened = await openPage(browser);
    problems.push(opened.problems);
    await signIn(opened.page, stack.url, name, path);
    return opened.page;
  }

  /**
   * How old the live edge is, in seconds: now minus the end of the newest segment of the freshest
   * and of the stalest rendition (the player may be on any; under load their queues drift apart).
   */
  async function edgeAgeSeconds(): Promise<{ freshest: number; stalest: number }> {
    const master = variants(await (await fetch(cdn('index.m3u8'))).text());
    const ends = await Promise.all(
      master.map(async ({ uri }) => {
        const playlist = await (await fetch(cdn(uri))).text();
        const dated = [...playlist.matchAll(/#EXT-X-PROGRAM-DATE-TIME:(.+)\n#EXTINF:([\d.]+)/g)];
        const [, date = '', duration = '0'] = dated.at(-1) ?? [];
        return Date.parse(date) + Number(duration) * 1000;
      }),
    );
    const now = Date.now();
    return { freshest: (now - Math.max(...ends)) / 1000, stalest: (now - Math.min(...ends)) / 1000 };
  }

  /** The page's decoder keeps decoding: `totalVideoFrames` grows. */
  async function decodes(page: Page): Promise<void> {
    const frames = () =>
      page
        .getByTestId('video')
        .evaluate((v: HTMLVideoElement) => v.getVideoPlaybackQuality().totalVideoFrames);
    const before = await frames();
    // Not a frame rate: on a loaded machine the ladder runs slower than real time, and a player at
    // its edge waits for each segment.
    await expect.poll(frames, { timeout: 30_000 }).toBeGreaterThan(before + 10);
  }

  it(
    'goes live from the app with the fake camera; the ladder reaches the CDN',
    async () => {
      alice = await open('alice', '/live');
      await waitForFrames(alice, '[data-testid=preview-video]', 10, LIVE_TIMEOUT_MS);
      await alice.getByTestId('live-title').fill('Two tiers');
      await alice.getByTestId('live-record').uncheck();
      await alice.getByTestId('start-button').click();
      // The ladder starts (its encoders, a read of the playlists to resume) before the page says LIVE.
      await alice.getByTestId('live-status').filter({ hasText: 'LIVE' }).waitFor({ timeout: 60_000 });
      liveAt = Date.now();
      const share = (await alice.getByTestId('share-link').getAttribute('href')) ?? '';
      streamId = decodeURIComponent(share.split('#/watch/')[1] ?? '');
      expect(streamId).toMatch(/^[0-9a-f-]{36}$/);

      // From the first master on, every listed segment is checked, four times a second.
      sampler = sampleLiveCdn(cdn());
      await expect
        .poll(async () => (await fetch(cdn('index.m3u8'))).status, {
          timeout: LIVE_TIMEOUT_MS,
          interval: 500,
        })
        .toBe(200);
    },
    LIVE_TIMEOUT_MS + 30_000,
  );

  it(
    'seats the first viewer peer-to-peer',
    async () => {
      viewers.bob = await open('bob', `/watch/${streamId}`);
      await waitForFrames(viewers.bob, '[data-testid=video]', FRAMES, LIVE_TIMEOUT_MS);
      expect(await viewers.bob.getByTestId('viewer-tier').textContent()).toBe('Peer-to-peer');
      expect(await viewers.bob.getByTestId('viewer-latency').isHidden()).toBe(true);
      expect(await viewers.bob.getByTestId('video').evaluate((v: HTMLVideoElement) => v.currentSrc)).toBe('');
    },
    LIVE_TIMEOUT_MS,
  );

  it(
    'plays the other two from the CDN over HLS, frames decoded, tier and delay shown',
    async () => {
      for (const name of ['carol', 'dave'] as const) {
        const page = await open(name, `/watch/${streamId}`);
        viewers[name] = page;
        await page.getByTestId('viewer-tier').filter({ hasText: 'HLS via CDN' }).waitFor({ timeout: 30_000 });
        await waitForFrames(page, '[data-testid=video]', FRAMES, LIVE_TIMEOUT_MS);
        await decodes(page);
        // From the CDN stand-in's live/ (the segments of this stream), through MediaSource.
        const loaded = await page.evaluate(() =>
          performance.getEntriesByType('resource').map((entry) => new URL(entry.name).pathname),
        );
        expect(loaded.filter((path) => path.startsWith(`/media/live/${streamId}/`)).length).toBeGreaterThan(
          3,
        );
        expect(loaded.some((path) => path.endsWith('.m4s'))).toBe(true);
        expect(await page.getByTestId('video').evaluate((v: HTMLVideoElement) => v.currentSrc)).toMatch(
          /^blob:/,
        );
        // The delay shown is the playing frame's age by its PROGRAM-DATE-TIME: never less than
        // the age of the newest segment listed, at most the window (and a stall) more. No fixed
        // bound: a loaded machine encodes the ladder slower than real time, and the edge ages.
        const delay = page.getByTestId('viewer-latency');
        await delay.filter({ hasText: /s behind live$/ }).waitFor({ timeout: 15_000 });
        const before = await edgeAgeSeconds();
        const seconds = Number.parseFloat((await delay.textContent()) ?? '');
        const after = await edgeAgeSeconds();
        console.info(`${name}: ${seconds} s behind live; the live edge ${before.freshest.toFixed(1)} s old`);
        expect(seconds).toBeGreaterThan(before.freshest - 2);
        expect(seconds).toBeLessThan(after.stalest + 15);
      }
      // The seat kept its peer all along.
      await decodes(viewers.bob);
    },
    3 * LIVE_TIMEOUT_MS,
  );

  it('counts both tiers on every watch page', async () => {
    for (const page of Object.values(viewers)) {
      await page
        .getByTestId('viewer-count')
        .filter({ hasText: '3 viewers watching (1 peer-to-peer, 2 HLS)' })
        .waitFor({ timeout: 30_000 });
    }
    const stream = (await (await fetch(`${stack.url}/api/livestream/${streamId}`)).json()) as {
      tiers: { webrtc: number; hls: number };
    };
    expect(stream.tiers).toEqual({ webrtc: 1, hls: 2 });
    await Promise.all(Object.entries(viewers).map(([name, page]) => screenshot(page, `live-tiers-${name}`)));
  }, 60_000);

  it('ends from the app: HLS viewers reach the end through the playlist, the seat through signaling', async () => {
    endedAt = Date.now();
    await alice.getByTestId('end-button').click();
    for (const [name, page] of Object.entries(viewers)) {
      const banner = page.getByTestId('ended-banner');
      await banner.filter({ hasText: 'This stream has ended' }).waitFor({ timeout: 40_000 });
      expect(await banner.getAttribute('data-via'), name).toBe(name === 'bob' ? 'signaling' : 'playlist');
    }
    const master = variants(await (await fetch(cdn('index.m3u8'))).text());
    for (const { uri } of master) {
      expect((await (await fetch(cdn(uri))).text()).trimEnd().split('\n').at(-1)).toBe('#EXT-X-ENDLIST');
    }
  }, 60_000);

  it('never listed a segment the CDN did not serve', async () => {
    const report = await (sampler as NonNullable<typeof sampler>).stop();
    console.info(`live CDN sampled ${report.samples} times, ${report.checks} listed objects checked`);
    expect(report.samples).toBeGreaterThan(0);
    expect(report.checks).toBeGreaterThan(0);
    expect(report.failures).toEqual([]);
  });

  it('decodes every rendition whole at the RESOLUTION its master states', async () => {
    const master = variants(await (await fetch(cdn('index.m3u8'))).text());
    expect(master.length).toBeGreaterThan(0);
    for (const { attributes, uri } of master) {
      const rendition = uri.split('/')[0] ?? '';
      const listed = segments(await (await fetch(cdn(`${rendition}/full.m3u8`))).text());
      expect(listed.length, rendition).toBeGreaterThan(3);
      const live = (endedAt - liveAt) / 1000;
      console.info(`${rendition}: ${listed.length} segments for ${live.toFixed(0)} s live`);
      const parts: Uint8Array[] = [];
      for (const object of [listed[0]?.map ?? '', ...listed.map((s) => s.uri)]) {
        const res = await fetch(cdn(`${rendition}/${object}`));
        expect(res.status, `${rendition}/${object}`).toBe(200);
        parts.push(new Uint8Array(await res.arrayBuffer()));
      }
      const decoded = await decodeSegment(Buffer.concat(parts));
      const [width, height] = (attributes.RESOLUTION ?? '').split('x').map(Number);
      expect(decoded, rendition).toMatchObject({ width, height });
      // A frame rate well above zero through every segment: nothing undecodable was skipped.
      expect(decoded.frames, rendition).toBeGreaterThan(listed.length * 5);
    }
  }, 120_000);

  it('raised no error in any page', () => {
    for (const seen of problems) expect(seen.errors).toEqual([]);
  });
});
