import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import type { EmulatorLogger } from '../constants.ts';
import { loggedListener, splitUrl } from '../shared/http-io.ts';

export interface WebAppOptions {
  /** The Vite build (`dist/web`): `index.html` and hashed `assets/`. */
  readonly dir: string;
  /**
   * Where the app's API, signaling, S3 and media URLs point (the stack's URL and WebSocket URL;
   * only their origins count): allowed by the page's Content-Security-Policy besides its own
   * origin, so the app also works opened as `localhost` while the handlers hand out `127.0.0.1` URLs.
   */
  readonly origins: readonly string[];
  readonly logger: EmulatorLogger;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/** Top-level files Vite copies from `public/`; nothing under `/api`, `/ws`, `/s3`, `/media`... looks like one. */
const TOP_LEVEL_FILE = /^\/[A-Za-z0-9_-][A-Za-z0-9_.-]*\.(?:html|svg|ico|png|txt|webmanifest)$/;

/**
 * The demo web app (web/app) at `/`: the page, its hashed `/assets/*` (cached for good) and the
 * files of `public/`. The app routes with the URL's hash, so no other path is the app's: the
 * API's 404s stay the API's. The page's CSP allows no inline script and no other origin than
 * the stack's, so a chat message that slipped into the DOM as HTML still could not run.
 */
export function createWebApp(options: WebAppOptions) {
  const { logger } = options;
  const root = normalize(options.dir);
  const origins = options.origins.map((url) => new URL(url).origin);
  const http = origins.filter((origin) => origin.startsWith('http')).join(' ');
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' data: blob: ${http}`,
    `media-src 'self' blob: mediastream: ${http}`,
    `connect-src 'self' ${origins.join(' ')}`,
    // hls.js transmuxes in a worker it starts from a blob: URL.
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Method Not Allowed\n');
      return;
    }
    const [path] = splitUrl(req.url ?? '/');
    const page = path === '/' || path === '/index.html';
    const file = page ? join(root, 'index.html') : resolveInside(root, path);
    const info = file ? await stat(file).catch(() => undefined) : undefined;
    if (!file || !info?.isFile()) {
      if (page) return notBuilt(res);
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache' });
      res.end('Not Found\n');
      return;
    }
    const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
    const headers: Record<string, string> = {
      'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      // Assets carry a content hash in their name; everything else is checked on every load.
      'Cache-Control': path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      ETag: etag,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    };
    if (page) {
      headers['Content-Security-Policy'] = csp;
      headers['Permissions-Policy'] = 'camera=(self), microphone=(self)';
    }
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    // Whole files (a few hundred kB at most, read once per page load): nothing to stream.
    const body = method === 'HEAD' ? undefined : await readFile(file);
    res.writeHead(200, { ...headers, 'Content-Length': String(body?.length ?? info.size) });
    res.end(body);
  }

  return {
    /** Whether a request target is the app's: `/`, `/index.html`, `/assets/...`, a top-level file. */
    owns: (url: string) => {
      const [path] = splitUrl(url);
      return path === '/' || path.startsWith('/assets/') || TOP_LEVEL_FILE.test(path);
    },
    listener: loggedListener(serve, {
      name: 'Web',
      failureName: 'Web app',
      logger,
      failure: (res) => {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('Internal Server Error\n');
      },
    }),
  };
}

/** The file a URL path names inside `root`, or undefined when it would leave it (however encoded). */
function resolveInside(root: string, path: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.split('/').some((s) => s === '..' || s.startsWith('.')))
    return undefined;
  const file = normalize(join(root, decoded));
  return file.startsWith(root.endsWith(sep) ? root : root + sep) ? file : undefined;
}

function notBuilt(res: ServerResponse): void {
  res.writeHead(503, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(
    '<!doctype html><meta charset="utf-8"><title>DreamX Livestream</title>' +
      '<p>The web app is not built. <code>npm start</code> builds it; or run <code>npm run build:web</code> ' +
      'and reload. The API is up at <code>/api/livestream/...</code>.</p>\n',
  );
}
