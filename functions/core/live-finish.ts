/**
 * Ending the live ladder server-side (docs/live.md, "Ending"): every media playlist of an ended
 * stream ends with `#EXT-X-ENDLIST`, so HLS players learn of the end from the playlist whatever
 * ended the stream. The broadcaster's SDK writes it on `stream:end`; this covers every other end
 * (a vanished broadcaster, an admin's terminate, an SDK cut off mid-write) and leaves a playlist
 * that already ends untouched, so any number of wakes for one stream change it once.
 */
import { eachLimited } from './each-limited.ts';
import { HLS_CONTENT_TYPE, liveKeyPrefix, liveMediaPlaylists } from './live-layout.ts';
import type { LiveObjects } from './ports.ts';

/** `{height}p`, as the broadcaster names its renditions; any other folder is none of ours. */
const RENDITION = /^[1-9]\d{2,3}p$/;
/** A ladder has three or four rungs; more (a hostile broadcaster's) only bounds the work. */
export const MAX_RENDITIONS = 8;
/** Folders listed to find them (one S3 page): room for junk next to the real ones. */
const LISTED_FOLDERS = 100;
/** Rewrites lost to a concurrent write of the same playlist before the batch is retried instead. */
const WRITE_ATTEMPTS = 3;

const ENDLIST = '#EXT-X-ENDLIST';

/** What became of one media playlist. */
export type PlaylistOutcome = 'ended' | 'already-ended' | 'missing' | 'not-a-playlist';

export interface LiveFinish {
  /** The renditions found under `live/{streamId}/`, in listing order. */
  renditions: string[];
  /** Each media playlist's key and what became of it. */
  playlists: Record<string, PlaylistOutcome>;
}

/** Whether a playlist already says it is over (the tag on a line of its own, anywhere). */
export const hasEndList = (text: string): boolean =>
  text.split(/\r?\n/).some((line) => line.trim() === ENDLIST);

/** The playlist with `#EXT-X-ENDLIST` as its last line, in the playlist's own line endings. */
export function withEndList(text: string): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  return `${text.endsWith('\n') ? text : `${text}${eol}`}${ENDLIST}${eol}`;
}

const isPlaylist = (text: string) => text.replace(/^\uFEFF/, '').startsWith('#EXTM3U');

/**
 * The renditions are found by listing `live/{streamId}/` with a delimiter, not by reading the
 * master: a rendition a later run dropped from the master still has players polling it (a player
 * reads the master once), and a missing or unreadable master does not hide any.
 */
export async function finishLive(deps: { live: LiveObjects }, streamId: string): Promise<LiveFinish> {
  const folders = await deps.live.listFolders(liveKeyPrefix(streamId), LISTED_FOLDERS);
  const renditions = folders.filter((name) => RENDITION.test(name)).slice(0, MAX_RENDITIONS);
  const keys = renditions.flatMap((rendition) => liveMediaPlaylists(streamId, rendition));
  const playlists: Record<string, PlaylistOutcome> = {};
  await eachLimited(keys, 4, async (key) => {
    playlists[key] = await finishPlaylist(deps.live, key);
  });
  return { renditions, playlists };
}

/**
 * Read, append, write back only if unchanged: a broadcaster whose last upload lands in between
 * (it listed one more segment) makes the write fail, and the next attempt appends to its version.
 */
async function finishPlaylist(live: LiveObjects, key: string): Promise<PlaylistOutcome> {
  for (let attempt = 1; ; attempt++) {
    const current = await live.read(key);
    if (!current) return 'missing';
    if (!isPlaylist(current.text)) return 'not-a-playlist';
    if (hasEndList(current.text)) return 'already-ended';
    const written = await live.writeIfUnchanged(key, withEndList(current.text), {
      ifMatch: current.etag,
      contentType: HLS_CONTENT_TYPE,
      ...(current.cacheControl !== undefined && { cacheControl: current.cacheControl }),
    });
    if (written) return 'ended';
    if (attempt >= WRITE_ATTEMPTS) throw new Error(`${key} changed under ${attempt} rewrites; retry later`);
  }
}
