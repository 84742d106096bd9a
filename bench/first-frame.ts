/**
 * Scenario 5, first frame: a broadcaster page goes live from Chromium's fake camera, then
 * `viewers` pages open the watch page at once. Each page measures, on its own clock, from the
 * moment the app calls `POST /join` to the first video frame it decodes and presents
 * (requestVideoFrameCallback): signaling, ICE, DTLS and the first keyframe, end to end.
 */
import type { Page } from 'playwright-core';
import type { LocalStack } from '../local/stack.ts';
import { launchChromium, openPage, signIn, waitForFrames } from '../test/browser/support.ts';
import { percentile } from './stats.ts';

/** Installed before any of the app's scripts: times the join request and the first frame. */
function probe() {
  const w = window as unknown as { __joinAt?: number; __firstFrameAt?: number };
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
  }).observe(document, { subtree: true, childList: true });
}

/**
 * tsx compiles with esbuild's keepNames, which wraps named functions in `__name(...)`; functions
 * handed to the page (page.evaluate, addInitScript) then need that helper there too. Vitest's
 * transform does not, which is why the browser tests never needed it.
 */
const KEEP_NAMES_HELPER = { content: 'globalThis.__name = (fn) => fn;' };

async function firstFrameMs(page: Page): Promise<number> {
  const handle = await page.waitForFunction(
    () => {
      const w = window as unknown as { __joinAt?: number; __firstFrameAt?: number };
      return w.__joinAt !== undefined && w.__firstFrameAt !== undefined && w.__firstFrameAt - w.__joinAt;
    },
    undefined,
    { timeout: 30_000, polling: 50 },
  );
  return Number(await handle.jsonValue());
}

export async function firstFrameScenario(stack: LocalStack, options: { viewers: number }) {
  const browser = await launchChromium();
  try {
    const { page: live } = await openPage(browser);
    await live.addInitScript(KEEP_NAMES_HELPER);
    await signIn(live, stack.url, 'bench-broadcaster', '/live');
    await live.getByTestId('live-title').fill('First frame bench');
    if (await live.getByTestId('live-record').isChecked()) await live.getByTestId('live-record').uncheck();
    await waitForFrames(live, '[data-testid="preview-video"]', 5, 15_000);
    await live.getByTestId('start-button').click();
    const watchUrl = await live.getByTestId('share-link').getAttribute('href', { timeout: 15_000 });
    if (!watchUrl) throw new Error('the go-live page shows no watch link');

    const times = await Promise.all(
      Array.from({ length: options.viewers }, async (_, i) => {
        const { page } = await openPage(browser);
        await page.addInitScript(KEEP_NAMES_HELPER);
        await page.addInitScript(probe);
        await signIn(page, stack.url, `bench-viewer-${i}`);
        await page.goto(watchUrl);
        return firstFrameMs(page);
      }),
    );
    const row = {
      viewers: options.viewers,
      p50Ms: Math.round(percentile(times, 50)),
      maxMs: Math.round(Math.max(...times)),
    };
    return { table: [row], figures: { ...row, samplesMs: times.map(Math.round) } };
  } finally {
    await browser.close();
  }
}
