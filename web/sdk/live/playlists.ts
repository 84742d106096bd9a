/**
 * The live ladder's playlists (docs/live.md), written by the SDK rather than by the muxer so that
 * numbering survives a resume: pure functions from a rendition's history to text, and back.
 *
 * A rendition's history is every segment it has uploaded, oldest first. `{r}/index.m3u8` is its
 * last `WINDOW_SEGMENTS`, `{r}/full.m3u8` all of it (an EVENT playlist, the replay). Each run (a
 * broadcaster session) has its own init segment; its first segment after an earlier run carries
 * `EXT-X-DISCONTINUITY`, and `EXT-X-DISCONTINUITY-SEQUENCE` counts the ones that slid out.
 * Reading them back (to resume) is resume.ts.
 */

/**
 * One uploaded media segment.
 *
 * @example
 * const segment: LiveSegment = { sequence: 7, uri: '7.m4s', durationSec: 1, programDateTime: Date.now(), map: 'init-0.mp4', discontinuity: false };
 */
export interface LiveSegment {
  /** Its media sequence number; its file is `{sequence}.m4s`. */
  sequence: number;
  uri: string;
  durationSec: number;
  /** Wall clock of its first sample, ms since the epoch (`EXT-X-PROGRAM-DATE-TIME`). */
  programDateTime: number;
  /** The init segment of its run (`EXT-X-MAP`). */
  map: string;
  /** Preceded by `EXT-X-DISCONTINUITY`: the first segment of a later run, or after dropped ones. */
  discontinuity: boolean;
}

/**
 * Every segment of a rendition, and where the next run picks up.
 *
 * @example
 * const fresh: RenditionHistory = { segments: [], discontinuityBase: 0, nextSequence: 0, pendingDiscontinuity: false };
 */
export interface RenditionHistory {
  segments: readonly LiveSegment[];
  /** The discontinuity sequence number before `segments[0]` (tags that are in no playlist we read). */
  discontinuityBase: number;
  /** The sequence number the next segment gets. */
  nextSequence: number;
  /** The next segment starts a run that follows earlier segments: it gets `EXT-X-DISCONTINUITY`. */
  pendingDiscontinuity: boolean;
}

/** Segments in `{r}/index.m3u8`: six one-second segments, twice the three hls.js holds back from the edge. */
export const WINDOW_SEGMENTS = 6;
/** The segment length the encoder aims at, in seconds (a keyframe every second). */
export const SEGMENT_SECONDS = 1;
/** What `full.m3u8` may cost of a rendition's bitrate: it grows all stream long, so it is re-sent less often. */
export const FULL_PLAYLIST_SHARE = 0.05;

export const EMPTY_HISTORY: RenditionHistory = {
  segments: [],
  discontinuityBase: 0,
  nextSequence: 0,
  pendingDiscontinuity: false,
};

/**
 * Starts a run: its init segment's name (`init-{run}.mp4`, `run` counting the runs that listed a
 * segment) and the history its first segment will follow with a discontinuity.
 *
 * @example
 * const { history, map } = beginRun(EMPTY_HISTORY); // map: 'init-0.mp4'
 */
export function beginRun(history: RenditionHistory): { history: RenditionHistory; map: string } {
  const runs = new Set(history.segments.map((segment) => segment.map)).size;
  return {
    history: { ...history, pendingDiscontinuity: history.segments.length > 0 },
    map: `init-${runs}.mp4`,
  };
}

/**
 * The history with one more segment (numbered `nextSequence`), and that segment. `afterGap`: the
 * segments before it in its run were dropped (not live any more), so it follows a discontinuity.
 *
 * @example
 * const { history, segment } = appendSegment(h, { durationSec: 1.001, programDateTime: Date.now(), map });
 */
export function appendSegment(
  history: RenditionHistory,
  timing: { durationSec: number; programDateTime: number; map: string; afterGap?: boolean },
): { history: RenditionHistory; segment: LiveSegment } {
  const sequence = history.nextSequence;
  const { afterGap = false, ...rest } = timing;
  const segment: LiveSegment = {
    sequence,
    uri: `${sequence}.m4s`,
    ...rest,
    // A gap before anything was listed needs no tag: nothing precedes it.
    discontinuity: history.pendingDiscontinuity || (afterGap && history.segments.length > 0),
  };
  return {
    history: {
      ...history,
      segments: [...history.segments, segment],
      nextSequence: sequence + 1,
      pendingDiscontinuity: false,
    },
    segment,
  };
}

/**
 * `EXT-X-TARGETDURATION`: every EXTINF rounded must fit it, and a live playlist's must not change,
 * so it is taken over the whole history (it only grows, and only if a segment ran long).
 *
 * @example
 * targetDuration(history); // 1
 */
export function targetDuration(history: RenditionHistory): number {
  return history.segments.reduce((most, s) => Math.max(most, Math.round(s.durationSec)), SEGMENT_SECONDS);
}

/**
 * `{r}/index.m3u8`: the last `window` segments; `ended` adds `EXT-X-ENDLIST`.
 *
 * @example
 * indexPlaylist(history, { ended: false });
 */
export function indexPlaylist(
  history: RenditionHistory,
  options: { ended: boolean; window?: number },
): string {
  const first = Math.max(0, history.segments.length - (options.window ?? WINDOW_SEGMENTS));
  return mediaPlaylist(history, first, options.ended, []);
}

/**
 * `{r}/full.m3u8`: every segment since the stream began, an EVENT playlist (players may seek back
 * to the start); `ended` adds `EXT-X-ENDLIST`, turning it into the replay.
 *
 * @example
 * fullPlaylist(history, { ended: true });
 */
export function fullPlaylist(history: RenditionHistory, options: { ended: boolean }): string {
  return mediaPlaylist(history, 0, options.ended, ['#EXT-X-PLAYLIST-TYPE:EVENT']);
}

function mediaPlaylist(history: RenditionHistory, first: number, ended: boolean, extra: string[]): string {
  const listed = history.segments.slice(first);
  const slidOut = history.segments.slice(0, first).filter((segment) => segment.discontinuity).length;
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    ...extra,
    `#EXT-X-TARGETDURATION:${targetDuration(history)}`,
    `#EXT-X-MEDIA-SEQUENCE:${listed[0]?.sequence ?? history.nextSequence}`,
    `#EXT-X-DISCONTINUITY-SEQUENCE:${history.discontinuityBase + slidOut}`,
    '#EXT-X-INDEPENDENT-SEGMENTS',
  ];
  let map: string | undefined;
  for (const segment of listed) {
    if (segment.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
    if (segment.map !== map) lines.push(`#EXT-X-MAP:URI="${segment.map}"`);
    map = segment.map;
    lines.push(
      `#EXT-X-PROGRAM-DATE-TIME:${new Date(segment.programDateTime).toISOString()}`,
      `#EXTINF:${segment.durationSec.toFixed(3)},`,
      segment.uri,
    );
  }
  if (ended) lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

/**
 * Whether `full.m3u8` is due again: at most once a second, and no more often than keeps its
 * uploads under `FULL_PLAYLIST_SHARE` of the rendition's bitrate (`bytes` is its size now).
 *
 * @example
 * fullPlaylistDue({ bytes: 270_000, kbps: 796, sinceMs: 30_000 }); // false: every 54 s at this size
 */
export function fullPlaylistDue(input: { bytes: number; kbps: number; sinceMs: number }): boolean {
  const intervalMs = Math.max(
    SEGMENT_SECONDS * 1000,
    ((input.bytes * 8) / (FULL_PLAYLIST_SHARE * input.kbps * 1000)) * 1000,
  );
  return input.sinceMs >= intervalMs;
}

/**
 * One variant of a multivariant playlist: the rendition and what its encoders really produce.
 *
 * @example
 * const v: Variant = { name: '720p', bandwidth: 2_900_000, averageBandwidth: 2_596_000, width: 1280, height: 720, codecs: ['avc1.640028', 'opus'], frameRate: 30 };
 */
export interface Variant {
  name: string;
  bandwidth: number;
  averageBandwidth: number;
  width: number;
  height: number;
  /** The RFC 6381 strings of its tracks (Opus is `Opus` in HLS, as its sample entry). */
  codecs: string[];
  frameRate: number;
}

/**
 * `index.m3u8` (over each rendition's `index.m3u8`) or `replay.m3u8` (over `full.m3u8`): one
 * `EXT-X-STREAM-INF` per rendition, lowest bandwidth first.
 *
 * @example
 * masterPlaylist(variants, 'index.m3u8');
 */
export function masterPlaylist(variants: readonly Variant[], playlist: 'index.m3u8' | 'full.m3u8'): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const v of [...variants].sort((a, b) => a.bandwidth - b.bandwidth)) {
    const codecs = v.codecs.map((codec) => (codec === 'opus' ? 'Opus' : codec)).join(',');
    lines.push(
      `#EXT-X-STREAM-INF:BANDWIDTH=${Math.ceil(v.bandwidth)},AVERAGE-BANDWIDTH=${Math.ceil(v.averageBandwidth)},` +
        `RESOLUTION=${v.width}x${v.height},CODECS="${codecs}",FRAME-RATE=${v.frameRate.toFixed(3)}`,
      `${v.name}/${playlist}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
