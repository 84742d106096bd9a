/**
 * The demo app in headless Chromium, end to end on the local stack: alice goes live from the fake
 * camera with recording on; bob and carol (a 375 px phone) watch it, video decoded in their
 * pages; chat crosses all three; ending reaches both viewers; the recording becomes an HLS ladder
 * that plays through hls.js with its levels as quality options; the stats show the peak.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.ts';
import {
  type BrowserStack,
  buildApp,
  openPage,
  type PageProblems,
  screenshot,
  signIn,
  skipBrowser,
  startBrowserStack,
  unlabelledControls,
  waitForFrames,
} from './support.ts';

/** Frames each page must present: over a second of the fake camera's 30 fps. */
const FRAMES = 30;
const FRAMES_TIMEOUT_MS = 30_000;
/** A ~15 s 720p clip transcodes to three renditions in well under this on two cores. */
const RECORDING_TIMEOUT_MS = 120_000;
const XSS = '<img src=x onerror="window.__xss=1">';

let stack: LocalStack;
let browser: Browser;
let started: BrowserStack | undefined;
const problems: PageProblems[] = [];

beforeAll(async () => {
  if (skipBrowser) return;
  started = await startBrowserStack({ app: await buildApp() });
  ({ stack, browser } = started);
}, 120_000);

afterAll(() => started?.close());

describe.skipIf(skipBrowser)('the demo app in Chromium', () => {
  let alice: Page;
  let bob: Page;
  let carol: Page;
  let streamId = '';

  async function open(name: string, viewport?: { width: number; height: number }): Promise<Page> {
    const opened = await openPage(browser, viewport);
    problems.push(opened.problems);
    await signIn(opened.page, stack.url, name);
    return opened.page;
  }

  it('serves the app at / and signs a user in', async () => {
    const res = await fetch(`${stack.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");

    const opened = await openPage(browser);
    problems.push(opened.problems);
    alice = opened.page;
    await alice.goto(`${stack.url}/#/live`);
    // Going live needs a user: the app asks for one first, then comes back.
    await alice.getByTestId('sign-in-name').waitFor();
    await screenshot(alice, '1-sign-in');
    // By keyboard: the name field has the focus, Enter submits.
    await alice.keyboard.type('alice');
    await alice.keyboard.press('Enter');
    await expect.poll(() => alice.evaluate(() => location.hash)).toBe('#/live');
    expect(await alice.getByTestId('whoami').textContent()).toBe('Signed in as alice');
  });

  it('goes live from the fake camera with recording on', async () => {
    await waitForFrames(alice, '[data-testid=preview-video]', 10, FRAMES_TIMEOUT_MS);
    await alice.getByTestId('live-title').fill('Browser test stream');
    await alice.getByTestId('live-description').fill('Fake camera, real WebRTC');
    expect(await alice.getByTestId('live-record').isChecked()).toBe(true);
    await alice.getByTestId('start-button').click();

    await alice.getByTestId('live-status').filter({ hasText: 'LIVE' }).waitFor();
    const share = (await alice.getByTestId('share-link').getAttribute('href')) ?? '';
    streamId = decodeURIComponent(share.split('#/watch/')[1] ?? '');
    expect(streamId).toMatch(/^[0-9a-f-]{36}$/);
    await alice.getByTestId('recording-status').and(alice.locator('[data-status=uploading]')).waitFor();
    const stream = (await (await fetch(`${stack.url}/api/livestream/${streamId}`)).json()) as {
      status: string;
      recordingEnabled: boolean;
    };
    expect(stream).toMatchObject({ status: 'live', recordingEnabled: true });
  }, 60_000);

  it('shows the stream to two viewers, video decoded in each page', async () => {
    [bob, carol] = await Promise.all([open('bob'), open('carol', { width: 375, height: 740 })]);
    const card = bob.locator(`[data-testid=stream-item][data-stream-id="${streamId}"]`);
    await card.waitFor();
    expect(await card.textContent()).toContain('Browser test stream');
    expect(await card.textContent()).toContain('alice');
    await screenshot(bob, '2-live-now');

    await card.getByTestId('watch-link').click();
    await carol.goto(`${stack.url}/#/watch/${streamId}`);
    await Promise.all([
      waitForFrames(bob, '[data-testid=video]', FRAMES, FRAMES_TIMEOUT_MS),
      waitForFrames(carol, '[data-testid=video]', FRAMES, FRAMES_TIMEOUT_MS),
    ]);
    await alice.getByTestId('viewer-count').filter({ hasText: '2 viewers' }).waitFor();
    for (const page of [bob, carol]) {
      const size = await page
        .getByTestId('video')
        .evaluate((v: HTMLVideoElement) => [v.videoWidth, v.videoHeight]);
      expect(size[0]).toBeGreaterThan(0);
    }
    // The phone-sized page fits its width: nothing scrolls sideways.
    expect(await carol.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  }, 90_000);

  /** Types `text` on `from` (Enter or the Send button) and waits for it, as text, on the other pages. */
  async function chat(from: Page, text: string, others: Page[], send: 'enter' | 'click' = 'enter') {
    await from.getByTestId('chat-input').fill(text);
    if (send === 'enter') await from.getByTestId('chat-input').press('Enter');
    else await from.getByTestId('chat-send').click();
    for (const page of [from, ...others]) {
      await page.getByTestId('chat-text').filter({ hasText: text }).waitFor();
    }
  }

  it('carries a chat message typed on one page to the others', async () => {
    await chat(bob, 'hi alice, the picture is great', [alice, carol]);
    await chat(alice, 'welcome, everyone', [bob, carol], 'click');
    await bob
      .getByTestId('viewer-count')
      .filter({ hasText: '2 viewers watching' })
      .waitFor({ timeout: 15_000 });
    for (const page of [alice, bob, carol]) expect(await unlabelledControls(page)).toEqual([]);
    await Promise.all([
      screenshot(alice, '3-go-live'),
      screenshot(bob, '4-watch'),
      screenshot(carol, '5-watch-375px'),
    ]);
  }, 60_000);

  it('shows chat as text: markup in a message is never run or rendered', async () => {
    await chat(carol, `look ${XSS}`, [alice, bob]);
    for (const page of [alice, bob, carol]) {
      expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
      expect(await page.getByTestId('chat-list').locator('img').count()).toBe(0);
    }
  });

  it('shows both viewers that the stream has ended', async () => {
    await alice.getByTestId('end-button').click();
    for (const page of [bob, carol]) {
      const banner = page.getByTestId('ended-banner');
      await banner.filter({ hasText: 'This stream has ended' }).waitFor({ timeout: 20_000 });
      expect(await page.getByTestId('chat-input').isDisabled()).toBe(true);
    }
    await alice.getByTestId('ended-banner').waitFor({ timeout: 30_000 });
    await screenshot(bob, '6-ended');
  }, 60_000);

  it(
    'turns the recording into an HLS ladder that plays through hls.js, levels as quality options',
    async () => {
      await alice.goto(`${stack.url}/#/recordings`);
      const item = alice.locator(`[data-testid=recording-item][data-stream-id="${streamId}"]`);
      await item
        .locator('[data-testid=recording-status][data-status=ready]')
        .waitFor({ timeout: RECORDING_TIMEOUT_MS });
      await screenshot(alice, '7-recordings');

      await item.getByTestId('play-recording').click();
      const video = '[data-testid=replay-video]';
      await waitForFrames(alice, video, FRAMES, FRAMES_TIMEOUT_MS);
      // Played from MediaSource (hls.js), not by the browser from the playlist URL.
      expect(await alice.locator(video).evaluate((v: HTMLVideoElement) => v.currentSrc)).toMatch(/^blob:/);

      const { recording } = (await (
        await fetch(`${stack.url}/api/livestream/${streamId}/recording`)
      ).json()) as {
        recording: { renditions: { name: string }[] };
      };
      const options = await alice.getByTestId('quality-select').locator('option').allTextContents();
      expect(options[0]).toBe('Auto');
      expect(options.slice(1)).toEqual(recording.renditions.map((r) => r.name));
      expect(options.slice(1, 3)).toEqual(['360p', '480p']);

      // Picking a rendition switches to it.
      await alice.getByTestId('quality-select').selectOption({ label: '360p' });
      await alice.getByTestId('current-quality').filter({ hasText: 'Playing 360p' }).waitFor();
      await waitForFrames(alice, video, 10, FRAMES_TIMEOUT_MS);
      await screenshot(alice, '8-replay');
    },
    RECORDING_TIMEOUT_MS + 60_000,
  );

  it('shows the owner a peak of 2 viewers', async () => {
    await alice.goto(`${stack.url}/#/stats/${streamId}`);
    await alice.getByTestId('stats-peak').filter({ hasText: /^2$/ }).waitFor();
    expect(await alice.getByTestId('stats-total-views').textContent()).toBe('2');
    expect(await alice.getByTestId('stats-unique').textContent()).toBe('2');
    expect(await alice.getByTestId('stats-chart').locator('rect.bar').count()).toBeGreaterThan(0);
    await screenshot(alice, '9-stats');
  });

  it('raised no script errors and no CSP violations in any page', () => {
    const errors = problems.flatMap((p) => p.errors);
    const csp = problems.flatMap((p) => p.console).filter((line) => /Content Security Policy/i.test(line));
    expect(errors).toEqual([]);
    expect(csp).toEqual([]);
  });
});
