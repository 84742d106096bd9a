import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { LIVE_SECURITY_HEADERS, liveCacheControl } from '../../functions/core/live-delivery.ts';
import { contentTypeOf, type EmulatorLogger } from '../constants.ts';
import { encodeKey } from '../s3/s3-client.ts';
import { s3Error } from '../s3/s3-errors.ts';
import { decodeLoosely, loggedListener, splitUrl, writeResponse } from '../shared/http-io.ts';
import { edgeCache } from './edge-cache.ts';

export interface MediaCdnOptions {
  /** `/media`: what `MEDIA_BASE_URL` ends with. */
  readonly path: string;
  /** s3rver itself (CloudFront reads the bucket with origin access control, unsigned here). */
  readonly backend: string;
  readonly bucket: string;
  /** The default behaviour's origin path: the bucket's `media/`. */
  readonly originPrefix: string;
  /**
   * The `live/*` behaviour's path pattern (`live/`): its origin is the bucket root, so
   * `/media/live/{id}/x` is the bucket's `live/{id}/x`.
   */
  readonly livePrefix: string;
  readonly logger: EmulatorLogger;
}

/** Response headers passed on from the origin, as CloudFront forwards them. */
const PASSED = ['content-type', 'content-length', 'content-range', 'accept-ranges', 'etag', 'last-modified'];

/**
 * The CloudFront distribution in front of the bucket's `media/` prefix, and of its `live/` prefix
 * under `/media/live/` (the live ladder, with its Cache-Control): GET and HEAD only, the
 * query string ignored (the cache policies forward none), `Access-Control-Allow-Origin: *` on
 * every answer (the CORS_ALLOW_ALL_ORIGINS response headers policy), single byte ranges as 206
 * (a suffix range too, which s3rver cannot do), S3's 404 for a missing key. The Content-Type is
 * the one the object was stored with, or one from its extension when it was stored without. Whole
 * GETs of the live ladder go through an edge cache with the live behaviours' TTLs (edge-cache.ts).
 */
export function createMediaCdn(options: MediaCdnOptions) {
  const { logger } = options;
  const edge = edgeCache();

  const origin = (method: string, key: string, range?: string) =>
    new Promise<IncomingMessage>((resolve, reject) => {
      const url = `${options.backend}/${options.bucket}/${encodeKey(key)}`;
      const req = httpRequest(url, { method, headers: range ? { range } : {} }, resolve);
      req.on('error', reject);
      req.end();
    });

  /** The Range to ask the origin for: suffix ranges made absolute, several ranges dropped (S3 serves whole). */
  async function originRange(key: string, range: string | undefined): Promise<string | undefined> {
    if (!range || !/^bytes=/.test(range) || range.includes(',')) return undefined;
    const suffix = /^bytes=-(\d+)$/.exec(range.trim());
    if (!suffix) return range;
    const head = await origin('HEAD', key);
    head.resume();
    const size = Number(head.headers['content-length'] ?? 0);
    return `bytes=${Math.max(0, size - Number(suffix[1]))}-`;
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const cors = { 'Access-Control-Allow-Origin': ['*'] };
    if (method !== 'GET' && method !== 'HEAD') {
      const refusal = s3Error(
        403,
        'MethodNotAllowed',
        'This distribution is not configured to allow the HTTP request method that was used for this request.',
      );
      return writeResponse(res, { ...refusal, headers: { ...refusal.headers, ...cors } });
    }
    const [rawPath] = splitUrl(req.url ?? '/');
    const path = rawPath
      .slice(options.path.length + 1)
      .split('/')
      .map(decodeLoosely)
      .join('/');
    const live = path.startsWith(options.livePrefix);
    const key = live ? path : `${options.originPrefix}${path}`;
    // Only keys under the origin path: no dot segments, however they were encoded.
    if (path.split('/').some((s) => s === '..' || s === '.' || s === '')) {
      const missing = s3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
      return writeResponse(res, { ...missing, headers: { ...missing.headers, ...cors } });
    }
    const range = await originRange(key, header(req, 'range'));
    if (live && method === 'GET' && range === undefined) return serveFromEdge(res, key);
    const upstream = await origin(method, key, range);
    res.statusCode = upstream.statusCode ?? 502;
    for (const name of PASSED) {
      const value = upstream.headers[name];
      if (value !== undefined) res.setHeader(name, value);
    }
    const stored = upstream.headers['content-type'];
    if (
      upstream.statusCode &&
      upstream.statusCode < 300 &&
      (!stored || stored === 'application/octet-stream')
    ) {
      res.setHeader('content-type', contentTypeOf(key));
    }
    const cacheControl = liveCacheControl(key);
    if (live && cacheControl && upstream.statusCode && upstream.statusCode < 300) {
      res.setHeader('Cache-Control', cacheControl);
    }
    if (live) setHeaders(res, LIVE_SECURITY_HEADERS);
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('X-Cache', 'Miss from cloudfront');
    await pipeline(upstream, res);
  }

  /** A whole live object, through the edge cache: what a player's GET of a playlist or segment is. */
  async function serveFromEdge(res: ServerResponse, key: string): Promise<void> {
    const { answer, hit, ageSeconds } = await edge.get(key, async () => {
      const upstream = await origin('GET', key);
      const chunks: Buffer[] = [];
      for await (const chunk of upstream) chunks.push(chunk as Buffer);
      const headers: Record<string, string | string[]> = {};
      for (const name of PASSED) {
        const value = upstream.headers[name];
        if (value !== undefined) headers[name] = value;
      }
      return { status: upstream.statusCode ?? 502, headers, body: Buffer.concat(chunks) };
    });
    res.statusCode = answer.status;
    for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
    const ok = answer.status < 300;
    const stored = answer.headers['content-type'];
    if (ok && (!stored || stored === 'application/octet-stream'))
      res.setHeader('content-type', contentTypeOf(key));
    if (ok) res.setHeader('Cache-Control', liveCacheControl(key));
    setHeaders(res, LIVE_SECURITY_HEADERS);
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Age', String(ageSeconds));
    res.setHeader('X-Cache', hit ? 'Hit from cloudfront' : 'Miss from cloudfront');
    res.end(answer.body);
  }

  return {
    /** Whether a request target is the CDN's (`/media/...`). */
    owns: (url: string) => url.startsWith(`${options.path}/`),
    listener: loggedListener(serve, {
      name: 'CloudFront',
      logger,
      failure: (res) => writeResponse(res, s3Error(502, 'BadGateway', 'The origin could not be reached.')),
    }),
  };
}

function setHeaders(res: ServerResponse, headers: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
