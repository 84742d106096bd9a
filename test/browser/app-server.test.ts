/**
 * The local stack serving the web app's build at `/` (no browser needed): the page with its
 * CSP, hashed assets cached for good, nothing outside the build, and every other path still
 * answered by what owned it before (REST, the dev routes, the CDN).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';

let stack: LocalStack;
let dir: string;
const ICON = '<svg xmlns="http://www.w3.org/2000/svg"/>';
const INDEX =
  '<!doctype html><title>app</title><script type="module" src="/assets/index-abc123.js"></script>';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dreamx-web-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(join(dir, 'index.html'), INDEX);
  await writeFile(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  await writeFile(join(dir, 'favicon.svg'), ICON);
  await writeFile(join(dir, '.secret'), 'no');
  stack = await startLocalStack({ port: 0, quiet: true, webAppDir: dir });
});
afterAll(async () => {
  await stack?.close();
  await rm(dir, { recursive: true, force: true });
});

const get = (path: string, init?: RequestInit) => fetch(`${stack.url}${path}`, init);

describe('the web app at /', () => {
  it('serves the page, checked on every load, with a CSP that allows no inline script', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ${stack.url} ${stack.url.replace('http', 'ws')}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(await res.text()).toBe(INDEX);
    expect((await get('/index.html')).status).toBe(200);
    // The app routes in the hash: a query string does not change what is served.
    expect(await (await get('/?utm=x')).text()).toBe(INDEX);
  });

  it('answers 304 to a revalidation with the same ETag', async () => {
    const etag = (await get('/')).headers.get('etag') ?? '';
    expect(etag).toMatch(/^W\/"/);
    expect((await get('/', { headers: { 'If-None-Match': etag } })).status).toBe(304);
  });

  it('caches hashed assets for good and serves top-level public files', async () => {
    const asset = await get('/assets/index-abc123.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const icon = await get('/favicon.svg');
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/svg+xml');
    expect((await get('/favicon.svg', { method: 'HEAD' })).headers.get('content-length')).toBe(
      String(ICON.length),
    );
  });

  it('serves nothing outside the build or hidden in it', async () => {
    for (const path of [
      '/assets/missing.js',
      '/assets/..%2f..%2fpackage.json',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/assets/.secret',
      '/assets/%00.js',
    ]) {
      expect((await get(path)).status, path).toBe(404);
    }
  });

  it('refuses other methods than GET and HEAD', async () => {
    const res = await get('/', { method: 'POST', body: '{}' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });

  it('leaves every other path to what owned it: REST, dev routes, the CDN', async () => {
    const active = await get('/api/livestream/active');
    expect(active.status).toBe(200);
    expect(await active.json()).toEqual({ streams: [], nextCursor: null });
    expect((await get('/.well-known/jwks.json')).status).toBe(200);
    const token = await get('/api/dev/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ userId: 'alice' }),
    });
    expect(token.status).toBe(201);
    const unknown = await get('/watch/abc');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND' } });
    const media = await get('/media/nope/index.m3u8');
    expect(media.status).toBe(404);
    expect(media.headers.get('x-cache')).toBe('Miss from cloudfront');
  });
});

describe('before the app is built', () => {
  it('says how to build it instead of a blank page', async () => {
    await rm(join(dir, 'index.html'));
    const res = await get('/');
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build:web');
    await writeFile(join(dir, 'index.html'), INDEX);
  });
});
