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
import { Agent, get as httpGet } from 'node:http';
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
 * hls.js's default load policies (its src/config.ts): the time allowed to the first byte and to the
 * whole load, and the retries of a load that timed out or failed (non-2xx, network), the error
 * retries `retryDelayMs` apart, doubling up to `maxRetryDelayMs`. Every failed attempt is an error;
 * a load that fails its last retry is fatal: a player without its master stops, a segment is
 * skipped, a playlist is loaded again at the next reload.
 */
const POLICY = {
  master: { firstByteMs: Number.POSITIVE_INFINITY, loadMs: 20_000, timeoutRetries: 2, errorRetries: 1 },
  playlist: { firstByteMs: 10_000, loadMs: 20_000, timeoutRetries: 2, errorRetries: 2 },
  init: { firstByteMs: 10_000, loadMs: 120_000, timeoutRetries: 4, errorRetries: 6 },
  segment: { firstByteMs: 10_000, loadMs: 120_000, timeoutRetries: 4, errorRetries: 6 },
} as const;
const RETRY_DELAY_MS = 1000;
const MAX_RETRY_DELAY_MS = 8000;

const wallClock = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

interface Counters {
  requests: { master: number; playlist: number; init: number; segment: number };
  bytes: number;
  errors: number;
  /** Loads that failed every retry. */
  fatal: { master: number; playlist: number; init: number; segment: number };
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
  fatal: { master: 0, playlist: 0, init: 0, segment: 0 },
  errorSamples: [],
  segmentFetchMs: [],
  playlistFetchMs: [],
  lagMs: [],
  skipped: 0,
  stalledPlayers: 0,
};

class Timeout extends Error {}

/**
 * One attempt: a GET read to its end, or the error (counted). Each player has its own keep-alive
 * agent of two connections (one reloading playlists, one fetching segments), as a browser holds a
 * couple of connections to a CDN host: the stack sees a player's connections, not one per request.
 */
async function attempt(
  url: string,
  kind: keyof Counters['requests'],
  agent: Agent,
): Promise<{ body: Uint8Array; ms: number } | Error> {
  const policy = POLICY[kind];
  counters.requests[kind]++;
  const started = performance.now();
  try {
    const body = await new Promise<Uint8Array>((resolve, reject) => {
      const req = httpGet(url, { agent }, (res) => {
        clearTimeout(firstByte);
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const whole = Buffer.concat(chunks);
          counters.bytes += whole.byteLength;
          if ((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300) resolve(whole);
          else reject(new Error(`${res.statusCode} ${url}`));
        });
      });
      const fail = (error: Error) => {
        req.destroy(error);
        reject(error);
      };
      const firstByte = Number.isFinite(policy.firstByteMs)
        ? setTimeout(() => fail(new Timeout('no first byte in time')), policy.firstByteMs)
        : undefined;
      const loading = setTimeout(() => fail(new Timeout('not loaded in time')), policy.loadMs);
      req.on('error', reject);
      req.on('close', () => {
        clearTimeout(firstByte);
        clearTimeout(loading);
      });
    });
    return { body, ms: performance.now() - started };
  } catch (error) {
    counters.errors++;
    if (counters.errorSamples.length < 10) counters.errorSamples.push(`${kind}: ${String(error)}`);
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** A load with hls.js's retries; undefined when it failed the last one (counted as fatal). */
async function get(
  url: string,
  kind: keyof Counters['requests'],
  agent: Agent,
): Promise<{ body: Uint8Array; ms: number } | undefined> {
  const policy = POLICY[kind];
  let timeouts = 0;
  let failures = 0;
  for (;;) {
    const result = await attempt(url, kind, agent);
    if (!(result instanceof Error)) return result;
    if (result instanceof Timeout ? timeouts++ >= policy.timeoutRetries : failures++ >= policy.errorRetries) {
      counters.fatal[kind]++;
      return undefined;
    }
    if (!(result instanceof Timeout)) {
      await sleep(Math.min(MAX_RETRY_DELAY_MS, RETRY_DELAY_MS * 2 ** (failures - 1)));
    }
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
  const agent = new Agent({ keepAlive: true, maxSockets: 2 });
  try {
    await play(options, n, lags, agent);
  } finally {
    agent.destroy();
  }
  if (lags.length === 0) counters.stalledPlayers++;
}

async function play(options: PlayersOptions & { until: number }, n: number, lags: number[], agent: Agent) {
  const master = await get(options.masterUrl, 'master', agent);
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
    const loaded = await get(mediaUrl, 'playlist', agent);
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
        if (!(await get(segment.map, 'init', agent))) {
          // No init segment: this segment cannot play; the next one tries again.
          counters.skipped++;
          next++;
          continue;
        }
        inits.add(segment.map);
      }
      const fetched = await get(segment.url, 'segment', agent);
      if (!fetched) {
        counters.skipped++;
        known.delete(next);
        next++;
        continue;
      }
      counters.segmentFetchMs.push(fetched.ms);
      lags.push(wallClock() - (segment.pdt + segment.durationSec * 1000));
      known.delete(next);
      next++;
    }
  })();
  await Promise.all([playlists, segments]);
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
  fatal: counters.fatal,
  errorSamples: counters.errorSamples,
  segmentFetchMs: counters.segmentFetchMs,
  playlistFetchMs: spread(counters.playlistFetchMs),
  lagMs: counters.lagMs.flat(),
  perPlayerMedianLagMs: perPlayerMedianLag,
  skippedSegments: counters.skipped,
  stalledPlayers: counters.stalledPlayers,
});
