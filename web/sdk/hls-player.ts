import type { default as Hls, HlsConfig } from 'hls.js';
import { type LivestreamError, MediaError } from './errors.ts';

/**
 * hls.js tuned for the live ladder's 1 s segments (docs/live.md): start two segments behind the
 * live edge (hls.js's default of three is for 6 s segments), catch up by playing at up to 1.1x
 * when a stall left it behind, seek forward past six, and keep little behind the playhead (a
 * viewer of a live stream does not seek back; the buffer is memory). No LL-HLS parts: the ladder
 * writes whole segments.
 *
 * @example
 * new Hls({ ...LIVE_HLS_CONFIG, debug: true });
 */
export const LIVE_HLS_CONFIG: Partial<HlsConfig> = {
  lowLatencyMode: false,
  liveSyncDurationCount: 2,
  liveMaxLatencyDurationCount: 6,
  maxLiveSyncPlaybackRate: 1.1,
  maxBufferLength: 8,
  backBufferLength: 4,
  enableWorker: true,
};

/** A playlist or segment that failed to load is retried this often, this far apart, before giving up. */
export const RELOAD_ATTEMPTS = 15;
export const RELOAD_DELAY_MS = 2_000;
/**
 * Once the playlist says `#EXT-X-ENDLIST`, what is buffered plays out and the video ends; a video
 * that is paused (by its viewer, or an autoplay policy) never would, so the end is reported after
 * this long at the latest. The tail is a few 1 s segments.
 */
export const ENDLIST_GRACE_MS = 10_000;

/** What the player reports: the stream's end reached (the playlist ended), or a playback failure. */
export interface LivePlayerHandlers {
  ended(): void;
  error(error: LivestreamError): void;
}

/**
 * The live ladder playing in a `<video>`.
 *
 * @internal Not exported from index.ts: the Viewer runs it.
 */
export interface LivePlayer {
  /**
   * How far behind the broadcaster's camera the frame on screen is, in seconds: the wall clock
   * minus the playing frame's `EXT-X-PROGRAM-DATE-TIME` (the capture's clock: skew between the
   * two machines' clocks adds to it). Undefined until a frame with a date plays.
   */
  latencySeconds(): number | undefined;
  /** Stops loading and lets go of the video (its source removed). */
  destroy(): void;
}

/** iOS Safari: HLS in the `<video>` itself and no MediaSource for hls.js. */
function nativeOnly(video: HTMLVideoElement): boolean {
  const mse = 'MediaSource' in globalThis || 'ManagedMediaSource' in globalThis;
  return !mse && video.canPlayType('application/vnd.apple.mpegurl') !== '';
}

/**
 * Plays the live multivariant playlist at `url` in `video`: hls.js (loaded now, so a page that
 * never plays HLS never downloads it) where MediaSource exists, else the browser's own HLS
 * (Safari on iOS). Any `srcObject` (a peer's stream) is let go first.
 *
 * @internal Not exported from index.ts: the Viewer runs it.
 *
 * @example
 * const player = await playLive(video, joined.playback.hls, { ended: showEnded, error: console.warn });
 * setInterval(() => (label.textContent = `${player.latencySeconds()?.toFixed(1)} s`), 1000);
 */
export async function playLive(
  video: HTMLVideoElement,
  url: string,
  handlers: LivePlayerHandlers,
): Promise<LivePlayer> {
  video.srcObject = null;
  if (nativeOnly(video)) return playNatively(video, url, handlers);
  let Ctor: typeof Hls;
  try {
    Ctor = (await import('hls.js')).default;
  } catch (cause) {
    throw new MediaError('HLS', 'The HLS player (hls.js) could not be loaded', { cause });
  }
  if (Ctor.isSupported()) return playWithHlsJs(Ctor, video, url, handlers);
  if (video.canPlayType('application/vnd.apple.mpegurl')) return playNatively(video, url, handlers);
  throw new MediaError('HLS', 'This browser can play neither MediaSource nor HLS');
}

function playWithHlsJs(
  Ctor: typeof Hls,
  video: HTMLVideoElement,
  url: string,
  handlers: LivePlayerHandlers,
): LivePlayer {
  const hls = new Ctor(LIVE_HLS_CONFIG);
  let reloads = 0;
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  let reloadTimer: ReturnType<typeof setTimeout> | undefined;
  let done = false;
  const end = () => {
    if (done) return;
    done = true;
    clearTimeout(graceTimer);
    handlers.ended();
  };
  video.addEventListener('ended', end);
  hls.on(Ctor.Events.LEVEL_UPDATED, (_event, { details }) => {
    reloads = 0;
    // `live` turns false when the playlist gained #EXT-X-ENDLIST: the stream is over.
    if (!details.live && graceTimer === undefined) graceTimer = setTimeout(end, ENDLIST_GRACE_MS);
  });
  hls.on(Ctor.Events.FRAG_LOADED, () => {
    reloads = 0;
  });
  hls.on(Ctor.Events.ERROR, (_event, data) => {
    if (!data.fatal || done) return;
    if (data.type === Ctor.ErrorTypes.MEDIA_ERROR) return hls.recoverMediaError();
    // A playlist not written yet (the ladder's first segments), a CDN hiccup: load it again.
    if (reloads++ < RELOAD_ATTEMPTS) {
      reloadTimer = setTimeout(() => hls.loadSource(url), RELOAD_DELAY_MS);
      return;
    }
    handlers.error(new MediaError('HLS', `Live playback failed (${data.details})`, { cause: data.error }));
  });
  hls.loadSource(url);
  hls.attachMedia(video);
  return {
    latencySeconds: () => secondsSince(hls.playingDate),
    destroy() {
      done = true;
      clearTimeout(graceTimer);
      clearTimeout(reloadTimer);
      video.removeEventListener('ended', end);
      hls.destroy();
    },
  };
}

/** Safari's own HLS: it ends the video at #EXT-X-ENDLIST and dates frames by PROGRAM-DATE-TIME. */
function playNatively(video: HTMLVideoElement, url: string, handlers: LivePlayerHandlers): LivePlayer {
  const ended = () => handlers.ended();
  const failed = () =>
    handlers.error(new MediaError('HLS', `Live playback failed (media error ${video.error?.code ?? '?'})`));
  video.addEventListener('ended', ended);
  video.addEventListener('error', failed);
  video.src = url;
  return {
    latencySeconds() {
      // getStartDate: the PROGRAM-DATE-TIME of the stream's time 0 (Safari only).
      const start = (video as { getStartDate?: () => Date }).getStartDate?.();
      const at = start ? start.getTime() + video.currentTime * 1000 : Number.NaN;
      return secondsSince(Number.isFinite(at) ? new Date(at) : null);
    },
    destroy() {
      video.removeEventListener('ended', ended);
      video.removeEventListener('error', failed);
      video.removeAttribute('src');
      video.load();
    },
  };
}

function secondsSince(date: Date | null): number | undefined {
  return date ? (Date.now() - date.getTime()) / 1000 : undefined;
}
