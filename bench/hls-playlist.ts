/**
 * Reading a live media playlist as a player does (the bench's own reader, not the SDK's): a module
 * of its own because bench/hls-players.ts is a worker's entry and waits for its parent when loaded.
 */

/** One segment of a media playlist, as a player reads it. */
export interface PlaylistSegment {
  sequence: number;
  uri: string;
  durationSec: number;
  /** `EXT-X-PROGRAM-DATE-TIME` in ms (or the previous segment's end), 0 when none. */
  programDateTime: number;
  /** The `EXT-X-MAP` URI in force. */
  map: string;
}

/** A media playlist's segments and whether it has ended: what a player reads of it (the bench's own reader). */
export function parseLivePlaylist(playlist: string): { segments: PlaylistSegment[]; ended: boolean } {
  const segments: PlaylistSegment[] = [];
  let sequence = 0;
  let duration = 0;
  let pdt: number | undefined;
  let map = '';
  let ended = false;
  for (const raw of playlist.split(/\r?\n/)) {
    const line = raw.trim();
    const colon = line.indexOf(':');
    const [tag, value] = colon < 0 ? [line, ''] : [line.slice(0, colon), line.slice(colon + 1)];
    if (tag === '#EXT-X-MEDIA-SEQUENCE') sequence = Number.parseInt(value, 10) || 0;
    else if (tag === '#EXT-X-MAP') map = /URI="([^"]*)"/.exec(value)?.[1] ?? map;
    else if (tag === '#EXT-X-PROGRAM-DATE-TIME') pdt = Date.parse(value);
    else if (tag === '#EXTINF') duration = Number.parseFloat(value) || 0;
    else if (tag === '#EXT-X-ENDLIST') ended = true;
    else if (line !== '' && !line.startsWith('#')) {
      const previous = segments.at(-1);
      const start = pdt ?? (previous ? previous.programDateTime + previous.durationSec * 1000 : 0);
      segments.push({
        sequence: sequence + segments.length,
        uri: line,
        durationSec: duration,
        programDateTime: start,
        map,
      });
      pdt = undefined;
    }
  }
  return { segments, ended };
}
