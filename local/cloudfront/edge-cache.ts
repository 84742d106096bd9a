import {
  LIVE_PLAYLIST_MAX_AGE_SECONDS,
  LIVE_SEGMENT_MAX_AGE_SECONDS,
} from '../../functions/core/live-delivery.ts';

/** One answer as an edge keeps it: status, the origin's headers, the whole body. */
export interface CachedAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

interface Entry extends CachedAnswer {
  storedAt: number;
  expiresAt: number;
}

/** How long an edge remembers that an object is missing (the distribution's 404 error caching). */
const ERROR_CACHING_MS = 1000;
/** Enough for a few streams' live edges; the oldest entries go first past it. */
const MAX_BYTES = 256 * 1024 * 1024;

/**
 * CloudFront's edge in front of the live ladder, as the `live/*` behaviours cache it: a playlist
 * for 1 s, a segment or init segment for long (they never change), a 404 for 1 s; and concurrent
 * misses for one object collapsed into one origin request, as CloudFront does. So the bucket sees
 * a stream's few requests a second whatever its audience (docs/live.md, "CloudFront"), and the
 * local stack can carry the audience the bench sends it.
 */
export function edgeCache(now: () => number = Date.now) {
  const entries = new Map<string, Entry>();
  const pending = new Map<string, Promise<Entry>>();
  let bytes = 0;

  const ttlMs = (key: string, status: number) => {
    if (status === 404) return ERROR_CACHING_MS;
    if (status !== 200) return 0;
    return 1000 * (key.endsWith('.m3u8') ? LIVE_PLAYLIST_MAX_AGE_SECONDS : LIVE_SEGMENT_MAX_AGE_SECONDS);
  };

  const store = (key: string, entry: Entry) => {
    if (entry.expiresAt <= entry.storedAt) return;
    const old = entries.get(key);
    if (old) bytes -= old.body.length;
    entries.delete(key);
    entries.set(key, entry);
    bytes += entry.body.length;
    for (const [oldest, evicted] of entries) {
      if (bytes <= MAX_BYTES) break;
      entries.delete(oldest);
      bytes -= evicted.body.length;
    }
  };

  return {
    /** The answer for `key` and whether the edge had it (`X-Cache`), asking the origin on a miss. */
    async get(
      key: string,
      fromOrigin: () => Promise<CachedAnswer>,
    ): Promise<{ answer: CachedAnswer; hit: boolean; ageSeconds: number }> {
      const cached = entries.get(key);
      if (cached && cached.expiresAt > now()) {
        return { answer: cached, hit: true, ageSeconds: Math.floor((now() - cached.storedAt) / 1000) };
      }
      let fetching = pending.get(key);
      if (!fetching) {
        fetching = fromOrigin().then((answer) => {
          const storedAt = now();
          const entry = { ...answer, storedAt, expiresAt: storedAt + ttlMs(key, answer.status) };
          store(key, entry);
          return entry;
        });
        pending.set(key, fetching);
        fetching.then(
          () => pending.delete(key),
          () => pending.delete(key),
        );
      }
      return { answer: await fetching, hit: false, ageSeconds: 0 };
    },
  };
}
