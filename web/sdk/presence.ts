import type { LivestreamApi } from './api.ts';
import { ApiError, LivestreamError } from './errors.ts';
import type { Schedule } from './socket.ts';

/**
 * How soon a beat that got no answer (or a 5xx, a 429) is tried again: well inside a presence
 * window (30 s by default), so one lost request does not drop the viewer from the count.
 */
export const BEAT_RETRY_MS = 5_000;

const defaultSchedule: Schedule = (fn, delayMs) => {
  const timer = setTimeout(fn, delayMs);
  return () => clearTimeout(timer);
};

/**
 * An HLS viewer's presence beats (`POST /presence`, docs/live.md): the server counts the HLS tier
 * by who beat in each window, and says when to beat next (a random point in the next window, so
 * a large audience's beats do not bunch). The first beat is due when `/join` said.
 *
 * A beat that got no answer, a 5xx or a 429 is tried again after {@link BEAT_RETRY_MS} (or the
 * server's `retryAfterMs`); any other refusal (`SESSION_CLOSED`: the session was left elsewhere,
 * `STREAM_ENDED`, `NOT_HLS`) stops the beats and is reported, since beating again cannot help.
 *
 * @internal Not exported from index.ts: the Viewer runs it.
 *
 * @example
 * const beats = new PresenceBeats(api, streamId, viewerId, onError);
 * beats.start(joined.presence.nextBeatInMs);
 * // ...
 * beats.stop();
 */
export class PresenceBeats {
  private cancel: (() => void) | undefined;
  private stopped = false;

  constructor(
    private readonly api: LivestreamApi,
    private readonly streamId: string,
    private readonly viewerId: string,
    private readonly onStop: (error: LivestreamError) => void,
    private readonly schedule: Schedule = defaultSchedule,
  ) {}

  /** Beats first after `firstInMs`, then on the server's schedule until `stop()`. */
  start(firstInMs: number): void {
    this.next(firstInMs);
  }

  /** No further beat (one in flight finishes, and schedules nothing). */
  stop(): void {
    this.stopped = true;
    this.cancel?.();
    this.cancel = undefined;
  }

  private next(delayMs: number): void {
    if (this.stopped) return;
    this.cancel = this.schedule(() => void this.beat(), Math.max(0, delayMs));
  }

  private async beat(): Promise<void> {
    this.cancel = undefined;
    try {
      const { nextBeatInMs } = await this.api.presence(this.streamId, this.viewerId);
      this.next(nextBeatInMs);
    } catch (error) {
      if (this.stopped) return;
      if (!isFinal(error)) {
        const retryAfterMs = error instanceof LivestreamError ? error.retryAfterMs : undefined;
        return this.next(retryAfterMs ?? BEAT_RETRY_MS);
      }
      this.stop();
      this.onStop(error);
    }
  }
}

/**
 * A refusal another beat will not change: a 4xx but 401 (the token function may hand out a
 * refreshed token), 408 and 429. No answer, a 5xx, or a token function that threw: the next try
 * may well get through (as the socket's reconnect judges).
 */
function isFinal(error: unknown): error is ApiError {
  return (
    error instanceof ApiError &&
    error.status >= 400 &&
    error.status < 500 &&
    ![401, 408, 429].includes(error.status)
  );
}
