/**
 * Worker thread: `players` simulated HLS players on one live stream, each behaving as hls.js does
 * with its defaults on a live playlist:
 * - the multivariant playlist once, then one rendition's media playlist (the top one, or one per
 *   player in turn: `rendition`);
 * - the media playlist again every target duration after a load that brought new segments, half of
 *   that after one that did not (hls.js's reload interval);
 * - playback starts `LIVE_SYNC_SEGMENTS` segments from the live edge (hls.js's
 *   liveSyncDurationCount), then every new segment is fetched once, in order, one at a time, each
 *   init segment once; a player that falls out of the window jumps to its start (counted);
 * - it stops at the deadline or at `EXT-X-ENDLIST`.
 *
 * Counts requests, bytes and errors (any non-2xx, any network error or timeout), the time of each
 * segment fetch, and each player's lag: when a segment was in hand minus the wall clock its last
 * frame was captured (`EXT-X-PROGRAM-DATE-TIME` + its duration): the upload, the playlist's
 * publication, the player's polling and the fetch, end to end.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parseLivePlaylist } from './hls-playlist.ts';
import { percentile, spread } from './stats.ts';

export interface PlayersOptions {
  /** The multivariant playlist on the CDN. */
  masterUrl: string;
  players: number;
  /** Players play this long from the `go` message (`{ until }`, a wall-clock ms shared across threads). */
  seconds: number;
  /** `top`: every player on the best rendition (as hls.js settles on loopback); `spread`: in turn. */
  rendition: 'top' | 'spread';
  /** Players start over this many ms, not all in the same instant. */
  rampMs: number;
  /** This worker's first player number (for `spread`). */
  offset: number;
}

/** hls.js's liveSyncDurationCount: start this many target durations from the live edge. */
export const LIVE_SYNC_SEGMENTS = 3;
/**
 * hls.js's load policies (1.5+): 10 s to the first byte of anything; 20 s to load a playlist,
 * 120 s a segment. Past them, an error.
 */
const FIRST_BYTE_TIMEOUT_MS = 10_000;
const LOAD_TIMEOUT_MS = { master: 20_000, playlist: 20_000, init: 120_000, segment: 120_000 };

const wallClock = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

interface Counters {
  requests: { master: number; playlist: number; init: number; segment: number };
  bytes: number;
  errors: number;
  errorSamples: string[];
  segmentFetchMs: number[];
  playlistFetchMs: number[];
  /** Per player: the lag of each segment it fetched. */
  lagMs: number[][];
  skipped: number;
  stalledPlayers: number;
}

const counters: Counters = {
  requests: { master: 0, playlist: 0, init: 0, segment: 0 },
  bytes: 0,
  errors: 0,
  errorSamples: [],
  segmentFetchMs: [],
  playlistFetchMs: [],
  lagMs: [],
  skipped: 0,
  stalledPlayers: 0,
};

/** One GET, read to its end; undefined (and counted) on an error. */
async function get(
  url: string,
  kind: keyof Counters['requests'],
): Promise<{ body: Uint8Array; ms: number } | undefined> {
  counters.requests[kind]++;
  const started = performance.now();
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error('no first byte in time')), FIRST_BYTE_TIMEOUT_MS);
  try {
    const res = await fetch(url, { signal: abort.signal });
    clearTimeout(timer);
    const loading = setTimeout(
      () => abort.abort(new Error('not loaded in time')),
      LOAD_TIMEOUT_MS[kind] - (performance.now() - started),
    );
    const body = new Uint8Array(await res.arrayBuffer().finally(() => clearTimeout(loading)));
    counters.bytes += body.byteLength;
    if (!res.ok) throw new Error(`${res.status} ${url}`);
    return { body, ms: performance.now() - started };
  } catch (error) {
    clearTimeout(timer);
    counters.errors++;
    if (counters.errorSamples.length < 10) counters.errorSamples.push(`${kind}: ${String(error)}`);
    return undefined;
  }
}

const text = (body: Uint8Array) => Buffer.from(body).toString('utf8');

/** The media playlists of a multivariant one, lowest bandwidth first (as the playlist lists them). */
function variants(master: string, base: string): string[] {
  const lines = master.split(/\r?\n/);
  const uris: { bandwidth: number; url: string }[] = [];
  lines.forEach((line, i) => {
    if (!line.startsWith('#EXT-X-STREAM-INF:')) return;
    const bandwidth = Number(/BANDWIDTH=(\d+)/.exec(line)?.[1] ?? 0);
    const uri = lines[i + 1]?.trim();
    if (uri) uris.push({ bandwidth, url: new URL(uri, base).href });
  });
  return uris.sort((a, b) => a.bandwidth - b.bandwidth).map((v) => v.url);
}

async function player(n: number, options: PlayersOptions & { until: number }): Promise<void> {
  const lags: number[] = [];
  counters.lagMs.push(lags);
  const master = await get(options.masterUrl, 'master');
  if (!master) return;
  const renditions = variants(text(master.body), options.masterUrl);
  const mediaUrl =
    options.rendition === 'top' ? renditions.at(-1) : renditions[(options.offset + n) % renditions.length];
  if (!mediaUrl) return;

  // What the playlist loop has seen, for the segment loop to fetch in order.
  const known = new Map<number, { url: string; map: string; pdt: number; durationSec: number }>();
  let first = -1;
  let edge = -1;
  let next = -1;
  let ended = false;
  let wake: (() => void) | undefined;
  const loadPlaylist = async () => {
    const loaded = await get(mediaUrl, 'playlist');
    if (!loaded) return false;
    counters.playlistFetchMs.push(loaded.ms);
    const playlist = parseLivePlaylist(text(loaded.body));
    const before = edge;
    for (const s of playlist.segments) {
      known.set(s.sequence, {
        url: new URL(s.uri, mediaUrl).href,
        map: new URL(s.map, mediaUrl).href,
        pdt: s.programDateTime,
        durationSec: s.durationSec,
      });
      edge = Math.max(edge, s.sequence);
    }
    first = playlist.segments[0]?.sequence ?? first;
    ended = playlist.ended;
    if (next < 0 && edge >= 0) next = Math.max(first, edge - LIVE_SYNC_SEGMENTS + 1);
    wake?.();
    return edge > before;
  };

  const playlists = (async () => {
    while (!ended && wallClock() < options.until) {
      const started = performance.now();
      const grew = await loadPlaylist();
      // hls.js: a target duration after a playlist that changed, half of it after one that did not.
      await sleep((grew ? 1000 : 500) - (performance.now() - started));
    }
    wake?.();
  })();

  const segments = (async () => {
    const inits = new Set<string>();
    while (wallClock() < options.until) {
      if (next < 0 || next > edge) {
        if (ended) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, Math.max(0, options.until - wallClock()));
        });
        continue;
      }
      if (next < first) {
        // Fell out of the window: hls.js seeks back to the live sync point.
        counters.skipped += first - next;
        next = first;
      }
      const segment = known.get(next);
      if (!segment) {
        next++;
        continue;
      }
      if (!inits.has(segment.map)) {
        inits.add(segment.map);
        if (!(await get(segment.map, 'init'))) return;
      }
      const fetched = await get(segment.url, 'segment');
      if (!fetched) return;
      counters.segmentFetchMs.push(fetched.ms);
      lags.push(wallClock() - (segment.pdt + segment.durationSec * 1000));
      known.delete(next);
      next++;
    }
  })();
  await Promise.all([playlists, segments]);
  if (lags.length === 0) counters.stalledPlayers++;
}

// Booting a worker (tsx compiles this module) takes seconds on a busy machine: say when booted,
// start on `go`, so every worker plays the same stretch of the stream.
const { until } = await new Promise<{ until: number }>((resolve) => {
  parentPort?.once('message', resolve);
  parentPort?.postMessage({ kind: 'booted' });
});
const options = { ...(workerData as PlayersOptions), until };
const startedAt = wallClock();
await Promise.all(
  Array.from({ length: options.players }, async (_, n) => {
    await sleep((options.rampMs * n) / Math.max(1, options.players));
    await player(n, options);
  }),
);
const perPlayerMedianLag = counters.lagMs.filter((l) => l.length > 0).map((l) => percentile(l, 50));
parentPort?.postMessage({
  kind: 'done',
  players: options.players,
  startedAt,
  endedAt: wallClock(),
  requests: counters.requests,
  bytes: counters.bytes,
  errors: counters.errors,
  errorSamples: counters.errorSamples,
  segmentFetchMs: counters.segmentFetchMs,
  playlistFetchMs: spread(counters.playlistFetchMs),
  lagMs: counters.lagMs.flat(),
  perPlayerMedianLagMs: perPlayerMedianLag,
  skippedSegments: counters.skipped,
  stalledPlayers: counters.stalledPlayers,
});
