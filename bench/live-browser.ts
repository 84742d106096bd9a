/**
 * Scenario 9, the HLS tier in Chromium: the demo app goes live from the fake camera (720p), its SDK
 * encoding the live ladder and uploading it through the presigned POST; the stack runs with no
 * peer seats (PEER_SEATS_FALLBACK=0, PEER_SEATS_MAX=0, set before it starts), so every viewer page
 * plays the ladder from the CloudFront stand-in with hls.js. Measured:
 *
 * The viewer pages run in a second Chromium at a lower CPU priority (`nice -n 10`): they stand for
 * other people's machines, and on this machine's two cores four of them decoding would otherwise
 * take the CPU the broadcaster's three encoders and its uploads need, which no real audience does.
 * They still decode every frame, so what they add to glass-to-glass is counted.
 *
 * - first frame: from the watch page's navigation start (a shared link opened in a fresh page; the
 *   viewer already signed in) to the first frame its `<video>` presents (requestVideoFrameCallback),
 *   each viewer alone, one after another;
 * - glass-to-glass: every 250 ms on every viewer page at once, the delay the page shows: the SDK's
 *   `latencySeconds()` (hls.js `playingDate`: wall clock minus the PROGRAM-DATE-TIME the broadcaster
 *   stamped on the frame on screen, its capture time; one clock, one machine), which the page
 *   refreshes every second;
 * - the broadcaster's uplink per rendition: the segments stored under `live/{id}/{rendition}/`
 *   (ListObjectsV2: their count and bytes) per second of stream, and every POST the page made
 *   (Playwright's request sizes: form fields included).
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { Page } from 'playwright-core';
import { localS3Client } from '../local/s3/s3-client.ts';
import type { LocalStack } from '../local/stack.ts';
import { launchChromium, openPage, signIn, waitForFrames } from '../test/browser/support.ts';
import { parseLivePlaylist } from './hls-playlist.ts';
import { percentile, round, spread } from './stats.ts';

export interface LiveBrowserOptions {
  viewers: number;
  /** How long glass-to-glass is sampled, all viewers playing. */
  seconds: number;
}

/** The viewers' browser's CPU priority (see the file's comment). */
const VIEWER_NICENESS = 10;

/** See bench/first-frame.ts: tsx's keepNames needs `__name` in the page. */
const KEEP_NAMES_HELPER = { content: 'globalThis.__name = (fn) => fn;' };

/**
 * Installed before the app's scripts: the first frame the watch page's video presents, and each
 * stall after it (`waiting`: playback stopped for want of data).
 */
function probe() {
  const w = window as unknown as { __firstFrameAt?: number; __joinAt?: number; __stalls?: number };
  w.__stalls = 0;
  const send = window.fetch.bind(window);
  window.fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (/\/api\/livestream\/[^/]+\/join$/.test(new URL(url, location.href).pathname)) {
      w.__joinAt ??= performance.now();
    }
    return send(input, init);
  };
  const watched = new WeakSet<Element>();
  new MutationObserver(() => {
    const video = document.querySelector<HTMLVideoElement>('video[data-testid="video"]');
    if (!video || watched.has(video)) return;
    watched.add(video);
    video.requestVideoFrameCallback((now) => {
      w.__firstFrameAt ??= now;
    });
    video.addEventListener('waiting', () => {
      if (w.__firstFrameAt !== undefined) w.__stalls = (w.__stalls ?? 0) + 1;
    });
  }).observe(document, { subtree: true, childList: true });
}

/** The stalls the probe counted on a page. */
const stalls = (page: Page): Promise<number> =>
  page.evaluate(() => (window as unknown as { __stalls?: number }).__stalls ?? 0);

const wallClock = () => Date.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** The delay the watch page shows (`12.3 s behind live`), or undefined while it shows none. */
async function shownLatency(page: Page): Promise<number | undefined> {
  const text = await page
    .getByTestId('viewer-latency')
    .evaluate((el: HTMLElement) => (el.hidden ? '' : (el.textContent ?? '')))
    .catch(() => '');
  const seconds = Number.parseFloat(text);
  return Number.isFinite(seconds) ? seconds : undefined;
}

export async function liveBrowserScenario(stack: LocalStack, options: LiveBrowserOptions) {
  const browser = await launchChromium();
  const viewerBrowser = await launchChromium({ niceness: VIEWER_NICENESS });
  const s3 = localS3Client(stack.s3.endpoint);
  try {
    const { page: live, context: broadcasterContext } = await openPage(browser);
    await live.addInitScript(KEEP_NAMES_HELPER);
    // Every POST the broadcaster's page (and its workers) sends to the bucket. (Chromium reports
    // no body size for a form with a Blob: the bytes are counted from what S3 stored.)
    const posts: string[] = [];
    broadcasterContext.on('requestfinished', (request) => {
      if (request.method() === 'POST' && request.url().startsWith(stack.s3.endpoint))
        posts.push(request.url());
    });
    // The stream has an HLS tier once the broadcaster's `stream:uplink` (sent when its ladder is
    // playable) is acknowledged: viewers who join before that are seated peer to peer.
    let uplinkAcked!: () => void;
    const ladderReported = new Promise<void>((resolve) => {
      uplinkAcked = resolve;
    });
    live.on('websocket', (socket) =>
      socket.on('framereceived', ({ payload }) => {
        if (String(payload).includes('"stream:uplink:ack"')) uplinkAcked();
      }),
    );
    await signIn(live, stack.url, 'bench-live-broadcaster', '/live');
    await live.getByTestId('live-title').fill('Live tier bench');
    if (await live.getByTestId('live-record').isChecked()) await live.getByTestId('live-record').uncheck();
    await waitForFrames(live, '[data-testid="preview-video"]', 5, 30_000);
    const clickedAt = wallClock();
    await live.getByTestId('start-button').click();
    await live.getByTestId('live-status').filter({ hasText: 'LIVE' }).waitFor({ timeout: 60_000 });
    const share = (await live.getByTestId('share-link').getAttribute('href')) ?? '';
    const streamId = decodeURIComponent(share.split('#/watch/')[1] ?? '');
    if (!streamId) throw new Error('the go-live page shows no watch link');
    const cdn = `${stack.media.url}/live/${streamId}`;
    // The ladder is up when its multivariant playlist is.
    for (const deadline = wallClock() + 60_000; ; await sleep(250)) {
      if ((await fetch(`${cdn}/index.m3u8`)).status === 200) break;
      if (wallClock() > deadline) throw new Error('no multivariant playlist within 60 s of going live');
    }
    const ladderUpAfterMs = wallClock() - clickedAt;
    await Promise.race([
      ladderReported,
      sleep(60_000).then(() => {
        throw new Error('no stream:uplink:ack within 60 s of the ladder being up');
      }),
    ]);

    // First frame, one viewer at a time: sign in, then open the watch link in a fresh navigation.
    const viewers: Page[] = [];
    const firstFrame: { navigationToFrameMs: number; joinToFrameMs: number }[] = [];
    for (let i = 0; i < options.viewers; i++) {
      const { page, problems } = await openPage(viewerBrowser);
      await page.addInitScript(KEEP_NAMES_HELPER);
      await page.addInitScript(probe);
      await signIn(page, stack.url, `bench-live-viewer-${i}`);
      await page.goto('about:blank');
      await page.goto(new URL(share, `${stack.url}/`).href);
      const handle = await page
        .waitForFunction(
          () => {
            const w = window as unknown as { __joinAt?: number; __firstFrameAt?: number };
            return w.__firstFrameAt !== undefined && { frame: w.__firstFrameAt, join: w.__joinAt ?? 0 };
          },
          undefined,
          { timeout: 60_000, polling: 50 },
        )
        .catch(async (error: Error) => {
          const state = await page.evaluate(() => {
            const v = document.querySelector<HTMLVideoElement>('video[data-testid="video"]');
            const text = (id: string) => document.querySelector(`[data-testid="${id}"]`)?.textContent;
            return JSON.stringify({
              tier: text('viewer-tier'),
              connection: text('connection-state'),
              latency: text('viewer-latency'),
              readyState: v?.readyState,
              src: v?.currentSrc,
              decoded: v?.getVideoPlaybackQuality().totalVideoFrames,
            });
          });
          throw new Error(
            `viewer ${i}: no frame in 60 s (${state}; ${[...problems.errors, ...problems.console].join(' | ')})`,
            {
              cause: error,
            },
          );
        });
      const at = (await handle.jsonValue()) as { frame: number; join: number };
      const tier = await page.getByTestId('viewer-tier').textContent();
      if (tier !== 'HLS via CDN') throw new Error(`viewer ${i} is on ${tier}, not the HLS tier`);
      firstFrame.push({
        navigationToFrameMs: Math.round(at.frame),
        joinToFrameMs: Math.round(at.frame - at.join),
      });
      viewers.push(page);
    }

    // How old the live edge is: now minus the end of the newest segment any rendition lists (what
    // the encoder and the upload take, before any player).
    const renditionNames = [
      ...(await (await fetch(`${cdn}/index.m3u8`)).text()).matchAll(/^(\w+)\/index\.m3u8$/gm),
    ].map((m) => m[1] as string);
    const edgeAgeMs = async () => {
      const ends = await Promise.all(
        renditionNames.map(async (name) => {
          const { segments } = parseLivePlaylist(await (await fetch(`${cdn}/${name}/index.m3u8`)).text());
          const last = segments.at(-1);
          return last ? last.programDateTime + last.durationSec * 1000 : 0;
        }),
      );
      return wallClock() - Math.max(...ends);
    };

    // Glass-to-glass, every 250 ms on every page.
    const samples: number[] = [];
    const edgeAges: number[] = [];
    const perViewer: number[][] = viewers.map(() => []);
    const stallsBefore = await Promise.all(viewers.map(stalls));
    const sampleUntil = wallClock() + options.seconds * 1000;
    while (wallClock() < sampleUntil) {
      const tick = wallClock();
      const [shown, edge] = await Promise.all([Promise.all(viewers.map(shownLatency)), edgeAgeMs()]);
      edgeAges.push(edge);
      shown.forEach((seconds, i) => {
        if (seconds === undefined) return;
        samples.push(seconds * 1000);
        perViewer[i]?.push(seconds * 1000);
      });
      await sleep(250 - (wallClock() - tick));
    }

    const stallsDuring = (await Promise.all(viewers.map(stalls))).map((n, i) => n - (stallsBefore[i] ?? 0));

    // The uplink: what is stored per rendition, over the stream's seconds so far.
    const liveSeconds = (wallClock() - clickedAt) / 1000;
    const stored = await uploadedRenditions(s3, stack.s3.bucket, streamId, liveSeconds);
    // Seconds of media each rendition's full-history playlist lists, and the seconds it skipped:
    // segments the broadcaster dropped as too late to be live (web/sdk/live/live-edge.ts).
    const renditions = await Promise.all(
      stored.map(async (r) => {
        const { segments } = parseLivePlaylist(await (await fetch(`${cdn}/${r.rendition}/full.m3u8`)).text());
        const mediaSeconds = segments.reduce((sum, segment) => sum + segment.durationSec, 0);
        const first = segments[0];
        const last = segments.at(-1);
        const spanSeconds =
          first && last ? (last.programDateTime + last.durationSec * 1000 - first.programDateTime) / 1000 : 0;
        return {
          ...r,
          mediaSeconds: round(mediaSeconds, 1),
          skippedSeconds: round(Math.max(0, spanSeconds - mediaSeconds), 1),
          mediaKbps: mediaSeconds > 0 ? Math.round((r.bytes * 8) / mediaSeconds / 1000) : 0,
        };
      }),
    );
    const g2g = spread(samples);
    const frames = firstFrame.map((f) => f.navigationToFrameMs);
    const figures = {
      viewers: options.viewers,
      ladderUpAfterMs,
      firstFrame: {
        p50Ms: Math.round(percentile(frames, 50)),
        maxMs: Math.round(Math.max(...frames)),
        samples: firstFrame,
      },
      glassToGlassMs: g2g,
      /** Age of the newest listed segment's end when sampled: the encoder's and the upload's share. */
      edgeAgeMs: spread(edgeAges),
      perViewerGlassToGlassP50Ms: perViewer.map((s) => Math.round(percentile(s, 50))),
      /** Stalls while sampled, per viewer page: what a lower glass-to-glass would trade for. */
      stallsPerViewer: stallsDuring,
      uplink: renditions,
      posts: { count: posts.length, perSecond: round(posts.length / liveSeconds, 2) },
      liveSeconds: round(liveSeconds, 1),
    };
    const table = [
      {
        figure: `first frame, HLS viewer (${options.viewers}, one at a time)`,
        p50: `${figures.firstFrame.p50Ms} ms`,
        'p95 / max': `${figures.firstFrame.maxMs} ms`,
        note: 'watch page navigation to the first presented frame',
      },
      {
        figure: `glass-to-glass, HLS tier (${samples.length} samples)`,
        p50: `${round(g2g.p50 / 1000, 1)} s`,
        'p95 / max': `${round(g2g.p95 / 1000, 1)} s`,
        note: 'wall clock - PROGRAM-DATE-TIME of the frame on screen, every 250 ms',
      },
      {
        figure: `stalls while sampled (${options.seconds} s)`,
        p50: `${stallsDuring.reduce((a, b) => a + b, 0)} in all`,
        'p95 / max': `${Math.max(...stallsDuring)} on one page`,
        note: 'video `waiting` events after the first frame, per viewer page',
      },
      {
        figure: 'age of the live edge (newest segment listed)',
        p50: `${round(figures.edgeAgeMs.p50 / 1000, 1)} s`,
        'p95 / max': `${round(figures.edgeAgeMs.p95 / 1000, 1)} s`,
        note: 'wall clock - end of the newest segment: encoding and upload, before any player',
      },
      ...renditions.map((r) => ({
        figure: `uplink ${r.rendition}: segment bytes per second live`,
        p50: `${r.kbps} kbit/s`,
        'p95 / max': '',
        note: `${r.segments} segments, ${r.mediaSeconds} s of media in ${figures.liveSeconds} s live, ${r.skippedSeconds} s dropped as late (${r.mediaKbps} kbit/s of media)`,
      })),
      {
        figure: 'POSTs of the page (segments and playlists)',
        p50: `${figures.posts.perSecond}/s`,
        'p95 / max': '',
        note: `${figures.posts.count} POSTs`,
      },
    ];
    return { table, figures };
  } finally {
    s3.destroy();
    await viewerBrowser.close();
    await browser.close();
  }
}

/** Segments stored per rendition: count, bytes, and bytes per second since going live. */
async function uploadedRenditions(
  s3: ReturnType<typeof localS3Client>,
  bucket: string,
  streamId: string,
  liveSeconds: number,
) {
  const objects: { key: string; size: number }[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: `live/${streamId}/`, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) objects.push({ key: o.Key ?? '', size: o.Size ?? 0 });
    token = page.NextContinuationToken;
  } while (token);
  const byRendition = new Map<string, { segments: number; bytes: number }>();
  for (const { key, size } of objects) {
    const [, , rendition, name] = key.split('/');
    if (!rendition || !name?.endsWith('.m4s')) continue;
    const r = byRendition.get(rendition) ?? { segments: 0, bytes: 0 };
    r.segments++;
    r.bytes += size;
    byRendition.set(rendition, r);
  }
  return [...byRendition.entries()]
    .sort(([, a], [, b]) => b.bytes / b.segments - a.bytes / a.segments)
    .map(([rendition, r]) => ({
      rendition,
      segments: r.segments,
      bytes: r.bytes,
      meanSegmentBytes: Math.round(r.bytes / r.segments),
      // What the broadcaster's uplink carried for this rendition, per second live.
      kbps: Math.round((r.bytes * 8) / liveSeconds / 1000),
    }));
}
