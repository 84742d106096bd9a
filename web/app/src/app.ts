/** What every page gets: the API client, the session, navigation, and small shared helpers. */
import { LivestreamError } from '../../sdk/errors.ts';
import type { LivestreamApi } from '../../sdk/index.ts';
import { h } from './dom.ts';
import type { Router } from './router.ts';
import type { Session } from './session.ts';

export interface App {
  readonly api: LivestreamApi;
  readonly session: Session;
  readonly router: Router<App>;
  /** A short message read out politely (and shown for a few seconds). */
  notify(message: string): void;
}

const FRIENDLY: Record<string, string> = {
  NETWORK: 'The local stack did not answer. Is `npm start` still running?',
  UNAUTHORIZED: 'Please sign in again.',
  INVALID_TOKEN: 'Please sign in again.',
  TOKEN_EXPIRED: 'Your session expired: please sign in again.',
  STREAM_NOT_FOUND: 'There is no such stream.',
  STREAM_FULL: 'This stream is full: try again when someone leaves.',
  BANNED: 'You are banned from this chat.',
  FORBIDDEN: 'Only the stream’s owner can do that.',
};

/** A message for people: the service's own, or a friendlier one for the codes users meet. */
export function describeError(err: unknown): string {
  if (err instanceof LivestreamError) {
    if (err.code === 'RATE_LIMITED' || err.code === 'SLOW_MODE') {
      const seconds = Math.max(1, Math.ceil((err.retryAfterMs ?? 1000) / 1000));
      return `Slow down: you can send again in ${seconds} s.`;
    }
    if (err.code === 'CHAT_BUSY') return 'The chat is busy: try again in a moment.';
    return FRIENDLY[err.code] ?? err.message;
  }
  if (err instanceof DOMException && err.name === 'NotAllowedError') {
    return 'The browser was not allowed to use the camera or microphone.';
  }
  return err instanceof Error ? err.message : String(err);
}

/** Whether the error means the token is no good any more (the page then asks to sign in again). */
export function isAuthError(err: unknown): boolean {
  return (
    err instanceof LivestreamError &&
    (err.code === 'UNAUTHORIZED' || err.code === 'INVALID_TOKEN' || err.code === 'TOKEN_EXPIRED')
  );
}

/**
 * Calls `fn` now and then every `ms` (or what `ms()` says then) after each call settles, until `signal` aborts or `fn`
 * returns false. Failures are passed to `onError` and do not stop the loop. While the tab is
 * hidden no call is made (each is a billed request and an invocation on AWS); the next one goes
 * out as soon as the tab is shown again.
 */
export function poll(
  signal: AbortSignal,
  ms: number | (() => number),
  fn: () => Promise<unknown>,
  onError: (err: unknown) => void = (err) => console.warn(err),
): void {
  const tick = async () => {
    if (signal.aborted) return;
    if (document.hidden) {
      const shown = () => {
        if (document.hidden) return;
        document.removeEventListener('visibilitychange', shown);
        void tick();
      };
      document.addEventListener('visibilitychange', shown);
      signal.addEventListener('abort', () => document.removeEventListener('visibilitychange', shown), {
        once: true,
      });
      return;
    }
    let again: unknown = true;
    try {
      again = await fn();
    } catch (err) {
      if (!signal.aborted) onError(err);
    }
    if (again !== false && !signal.aborted) {
      const timer = setTimeout(tick, typeof ms === 'number' ? ms : ms());
      signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
    }
  };
  void tick();
}

/** A page heading that takes focus on navigation. */
export function heading(text: string, ...extra: (Node | string)[]): HTMLHeadingElement {
  return h('h1', { tabindex: -1 }, text, ...extra);
}

/** An error line, announced when it appears. */
export function errorLine(testId?: string): HTMLParagraphElement {
  return h('p', { class: 'error', role: 'alert', 'data-testid': testId, hidden: true });
}

export function showError(el: HTMLElement, err: unknown): void {
  el.textContent = err === undefined ? '' : describeError(err);
  el.hidden = err === undefined;
}
