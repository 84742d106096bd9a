/**
 * Reading the live playlists back: a new run continues the numbering of what the rendition's
 * playlists hold (docs/live.md, "run"), and the encoder reads each segment's timing from the
 * muxer's own playlist. The inverse of playlists.ts.
 */
import { EMPTY_HISTORY, type LiveSegment, type RenditionHistory } from './playlists.ts';

/**
 * A media playlist read back: ours (to resume) or the muxer's (for a segment's timing).
 *
 * @example
 * const { segments, ended } = parseMediaPlaylist(await (await fetch(url)).text());
 */
export interface ParsedPlaylist {
  mediaSequence: number;
  discontinuitySequence: number;
  segments: LiveSegment[];
  ended: boolean;
}

/**
 * Reads a media playlist: sequence numbers from `EXT-X-MEDIA-SEQUENCE` and position, each
 * segment's EXTINF, PDT (the previous one's end when absent), map and discontinuity.
 *
 * @example
 * parseMediaPlaylist('#EXTM3U\n#EXTINF:1,\n0.m4s\n').segments[0]?.uri; // '0.m4s'
 */
export function parseMediaPlaylist(text: string): ParsedPlaylist {
  const parsed: ParsedPlaylist = { mediaSequence: 0, discontinuitySequence: 0, segments: [], ended: false };
  let duration = 0;
  let pdt: number | undefined;
  let map = '';
  let discontinuity = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const [tag, value = ''] = splitTag(line);
    if (tag === '#EXT-X-MEDIA-SEQUENCE') parsed.mediaSequence = Number.parseInt(value, 10) || 0;
    else if (tag === '#EXT-X-DISCONTINUITY-SEQUENCE')
      parsed.discontinuitySequence = Number.parseInt(value, 10) || 0;
    else if (tag === '#EXT-X-DISCONTINUITY') discontinuity = true;
    else if (tag === '#EXT-X-MAP') map = /URI="([^"]*)"/.exec(value)?.[1] ?? map;
    else if (tag === '#EXT-X-PROGRAM-DATE-TIME') pdt = Date.parse(value);
    else if (tag === '#EXTINF') duration = Number.parseFloat(value) || 0;
    else if (tag === '#EXT-X-ENDLIST') parsed.ended = true;
    else if (line !== '' && !line.startsWith('#')) {
      const previous = parsed.segments.at(-1);
      const start = pdt ?? (previous ? previous.programDateTime + previous.durationSec * 1000 : 0);
      const sequence = parsed.mediaSequence + parsed.segments.length;
      parsed.segments.push({
        sequence,
        uri: line,
        durationSec: duration,
        programDateTime: start,
        map,
        discontinuity,
      });
      pdt = undefined;
      discontinuity = false;
    }
  }
  return parsed;
}

function splitTag(line: string): [string, string?] {
  const colon = line.indexOf(':');
  return colon < 0 ? [line] : [line.slice(0, colon), line.slice(colon + 1)];
}

/**
 * Where a new run continues: the history in the rendition's `full.m3u8` and `index.m3u8` as
 * found (undefined: not found, a fresh start). `full.m3u8` is re-sent less often than the window,
 * so the window's newer segments are added after it; segments that fell between the two (the
 * window moved past the last `full.m3u8` sent) are listed from their files, their durations
 * shared out of the wall-clock time between their neighbours. `EXT-X-ENDLIST` is dropped.
 *
 * @example
 * const history = resumeHistory(await read('720p/index.m3u8'), await read('720p/full.m3u8'));
 */
export function resumeHistory(index: string | undefined, full: string | undefined): RenditionHistory {
  const window = index === undefined ? undefined : parseMediaPlaylist(index);
  const all = full === undefined ? undefined : parseMediaPlaylist(full);
  const base = all ?? window;
  if (!base || base.segments.length === 0) {
    const next = Math.max(window?.mediaSequence ?? 0, all?.mediaSequence ?? 0);
    return { ...EMPTY_HISTORY, nextSequence: next };
  }
  const segments = [...base.segments];
  const newer = base === all ? (window?.segments ?? []) : [];
  for (const segment of newer) {
    const last = segments.at(-1) as LiveSegment;
    if (segment.sequence <= last.sequence) continue;
    segments.push(...bridge(last, segment), segment);
  }
  const last = segments.at(-1) as LiveSegment;
  return {
    segments,
    discontinuityBase: base.discontinuitySequence,
    nextSequence: last.sequence + 1,
    pendingDiscontinuity: false,
  };
}

/** The segments numbered between `before` and `after`, none of whose playlists we hold. */
function bridge(before: LiveSegment, after: LiveSegment): LiveSegment[] {
  const missing = after.sequence - before.sequence - 1;
  if (missing <= 0) return [];
  const start = before.programDateTime + before.durationSec * 1000;
  const each = Math.max(0, after.programDateTime - start) / missing;
  return Array.from({ length: missing }, (_, i) => ({
    sequence: before.sequence + 1 + i,
    uri: `${before.sequence + 1 + i}.m4s`,
    durationSec: each / 1000,
    programDateTime: start + i * each,
    // A run that began inside the gap is not known: its segments keep the earlier run's init.
    map: before.map,
    discontinuity: false,
  }));
}
