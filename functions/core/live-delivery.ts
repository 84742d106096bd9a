import { LIVE_PREFIX } from './live-layout.ts';

/**
 * How the live ladder (docs/live.md) is served: what CloudFront (lib/constructs/live-cdn.ts) and the
 * local CDN stand-in both send. Plain values, no aws-cdk-lib, so local/ can import them.
 *
 *   live/{streamId}/...   written by the broadcaster's browser (presigned POST), bucket key = URL path
 */
export { LIVE_PREFIX };

/** CloudFront path patterns; the playlists' must come first (CloudFront takes the first match). */
export const LIVE_PATHS = { playlists: `${LIVE_PREFIX}*.m3u8`, segments: `${LIVE_PREFIX}*` } as const;

/** A playlist is rewritten every segment (1 s): below that a viewer would only fall behind. */
export const LIVE_PLAYLIST_MAX_AGE_SECONDS = 1;
/** A segment or init segment never changes once written (a new run takes new names): a year. */
export const LIVE_SEGMENT_MAX_AGE_SECONDS = 31_536_000;

/**
 * The `Cache-Control` a browser gets, replacing whatever the object carries. Playlists: refetched
 * after a second, like the edge's copy. Segments: `immutable`, so a reload or a seek back in the
 * replay never revalidates one.
 */
export const LIVE_CACHE_CONTROL = {
  playlist: `max-age=${LIVE_PLAYLIST_MAX_AGE_SECONDS}`,
  segment: `max-age=${LIVE_SEGMENT_MAX_AGE_SECONDS}, immutable`,
} as const;

/**
 * CORS for players on any origin (the web app, embeds, the bench). Their requests are simple GETs
 * (no preflight). `Age` is what hls.js reads to time its live playlist reloads against the edge's
 * copy; `Date` lets a player or the bench compare the edge's clock with `#EXT-X-PROGRAM-DATE-TIME`.
 */
export const LIVE_CORS = {
  allowOrigin: '*',
  allowMethods: ['GET', 'HEAD'],
  exposeHeaders: ['Age', 'Date'],
} as const;

/**
 * What a broadcaster uploads is served as it was stored, Content-Type included, and the credential
 * cannot limit the type to the two the ladder uses (a POST policy has no "one of"). So every
 * response under `live/` forbids sniffing and sandboxes itself: an HTML or SVG page uploaded there
 * by a hostile broadcaster renders with no script, no subresource and an opaque origin, never as
 * a page of the CDN's domain. Players are untouched: these headers bind documents, not fetches.
 */
export const LIVE_SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; sandbox",
} as const;

/** The `Cache-Control` for a key (or URL path) under `live/`: playlists by their extension. */
export const liveCacheControl = (path: string): string =>
  path.endsWith('.m3u8') ? LIVE_CACHE_CONTROL.playlist : LIVE_CACHE_CONTROL.segment;
