/**
 * Headless Chromium against the local stack, for the demo app's browser tests: Debian's
 * /usr/bin/chromium driven by playwright-core, a fake camera, the app built by Vite into a
 * temporary directory and served by the stack at `/`.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';

/** Debian's chromium package; CHROMIUM_PATH points elsewhere (another OS, another build). */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SCREENSHOTS = join(REPO_ROOT, 'test-artifacts', 'screenshots');

/**
 * Whether to skip: only when Chromium is absent and REQUIRE_BROWSER is not set (CI sets it, so
 * a missing browser fails there instead of passing silently).
 */
export const skipBrowser = !existsSync(CHROMIUM) && process.env.REQUIRE_BROWSER !== '1';

/** Builds web/app with the repository's vite.config.ts into a fresh temporary directory. */
export async function buildApp(): Promise<WebAppDir> {
  const dir = await mkdtemp(join(tmpdir(), 'dreamx-web-'));
  const { build } = await import('vite');
  await build({
    configFile: join(REPO_ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: dir, emptyOutDir: true, sourcemap: false },
  });
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A directory the local stack serves at `/`, and how to remove it. */
export interface WebAppDir {
  dir: string;
  remove(): Promise<void>;
}

/** The local stack serving a web app, and Chromium beside it. */
export interface BrowserStack {
  stack: LocalStack;
  browser: Browser;
  /** Closes the browser, the stack and the app's directory, and restores the environment. */
  close(): Promise<void>;
}

/**
 * Starts the local stack serving `app` and Chromium side by side. `env` is set before the stack
 * starts (handlers read their tunables at cold start) and restored by `close()`. When either fails
 * to start, whatever did start is closed before the error is thrown.
 *
 * @example
 * const { stack, browser, close } = await startBrowserStack({ app: await buildApp(), env: { PEER_SEATS_MAX: '1' } });
 */
export async function startBrowserStack(options: {
  app: WebAppDir;
  env?: Record<string, string>;
}): Promise<BrowserStack> {
  const saved = Object.entries(options.env ?? {}).map(([name, value]) => {
    const before = process.env[name];
    process.env[name] = value;
    return [name, before] as const;
  });
  let stack: LocalStack | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await stack?.close();
    await options.app.remove();
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  const started = await Promise.allSettled([
    startLocalStack({ port: 0, quiet: true, webAppDir: options.app.dir }).then((s) => {
      stack = s;
    }),
    launchChromium().then((b) => {
      browser = b;
    }),
  ]);
  const failed = started.find((result) => result.status === 'rejected');
  if (failed || !stack || !browser) {
    await close();
    throw failed?.reason ?? new Error('the stack or the browser did not start');
  }
  return { stack, browser, close };
}

/**
 * Chromium with a fake camera and microphone, no network but loopback. `niceness` (1 to 19) runs
 * the whole browser at that lower CPU priority: pages that stand for other people's machines (a
 * bench's viewers) then never take the CPU from the one that stands for this machine's user.
 */
export async function launchChromium(options: { niceness?: number } = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`REQUIRE_BROWSER=1 but ${CHROMIUM} is missing: apt-get install chromium`);
  }
  return chromium.launch({
    executablePath: options.niceness ? await niceLauncher(options.niceness) : CHROMIUM,
    timeout: 30_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      // Loopback only: the public STUN servers the service hands out never resolve, so nothing
      // leaves the machine (host candidates connect peers on one host).
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    ],
  });
}

/** A script that starts Chromium under `nice`: Playwright takes only an executable's path. */
async function niceLauncher(niceness: number): Promise<string> {
  if (!Number.isInteger(niceness) || niceness < 1 || niceness > 19) {
    throw new RangeError(`niceness must be an integer from 1 to 19, not ${niceness}`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'dreamx-chromium-'));
  const path = join(dir, 'chromium');
  await writeFile(path, `#!/bin/sh\nexec nice -n ${niceness} '${CHROMIUM}' "$@"\n`, { mode: 0o755 });
  return path;
}

/** What went wrong inside a page: uncaught errors and console errors (CSP violations among them). */
export interface PageProblems {
  readonly errors: string[];
  readonly console: string[];
}

/** A fresh context (its own sessionStorage: its own user) and page, with its problems recorded. */
export async function openPage(
  browser: Browser,
  viewport = { width: 1280, height: 800 },
): Promise<{ context: BrowserContext; page: Page; problems: PageProblems }> {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const problems: PageProblems = { errors: [], console: [] };
  page.on('pageerror', (err) => problems.errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.console.push(msg.text());
  });
  return { context, page, problems };
}

/** Signs in through the app's sign-in page; `next` is where the app goes afterwards. */
export async function signIn(page: Page, baseUrl: string, name: string, next = '/'): Promise<void> {
  await page.goto(`${baseUrl}/#/sign-in?next=${encodeURIComponent(next)}`);
  await page.getByTestId('sign-in-name').fill(name);
  await page.getByTestId('sign-in-submit').click();
  await page.getByTestId('whoami').filter({ hasText: name }).waitFor();
}

/**
 * Waits until the `<video>` matched by `selector` has presented `count` more frames, counted in
 * the page by requestVideoFrameCallback (called once per frame composited for display, so
 * only decoded frames count). Each call starts its own count.
 */
export async function waitForFrames(
  page: Page,
  selector: string,
  count: number,
  timeout: number,
): Promise<void> {
  const key = `frames-${Math.random().toString(36).slice(2)}`;
  await page.locator(selector).waitFor({ state: 'attached', timeout });
  await page.evaluate(
    ({ selector, key }) => {
      const video = document.querySelector<HTMLVideoElement>(selector);
      if (!video) throw new Error(`no ${selector}`);
      const page = window as unknown as { __frames?: Record<string, number> };
      page.__frames ??= {};
      const counts = page.__frames;
      counts[key] = 0;
      const step = () => {
        counts[key] = (counts[key] ?? 0) + 1;
        video.requestVideoFrameCallback(step);
      };
      video.requestVideoFrameCallback(step);
    },
    { selector, key },
  );
  try {
    await page.waitForFunction(
      ({ key, count }) =>
        ((window as unknown as { __frames: Record<string, number> }).__frames[key] ?? 0) >= count,
      { key, count },
      { timeout, polling: 100 },
    );
  } catch (err) {
    const state = await page.evaluate(
      ({ selector, key }) => {
        const v = document.querySelector<HTMLVideoElement>(selector);
        const frames = (window as unknown as { __frames: Record<string, number> }).__frames[key];
        return JSON.stringify({
          frames,
          readyState: v?.readyState,
          paused: v?.paused,
          size: `${v?.videoWidth}x${v?.videoHeight}`,
          decoded: v?.getVideoPlaybackQuality().totalVideoFrames,
        });
      },
      { selector, key },
    );
    throw new Error(`${selector}: fewer than ${count} frames in ${timeout} ms (${state})`, { cause: err });
  }
}

/**
 * The visible form controls and buttons of a page that have no accessible name (a `<label>`,
 * `aria-label` or, for buttons and links, their text): what a screen reader could not announce.
 */
export function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('input, select, textarea, button, a[href]')]
      .filter((el) => el.offsetParent !== null)
      .filter((el) => {
        const labels = (el as HTMLInputElement).labels;
        const text = el.textContent?.trim() || el.getAttribute('aria-label') || el.getAttribute('title');
        return !(labels && labels.length > 0) && !text;
      })
      .map((el) => el.outerHTML.slice(0, 120)),
  );
}

/** A full-page PNG under test-artifacts/screenshots/ (gitignored). */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
