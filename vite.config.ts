import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Where the local stack is when the app runs on Vite's dev server (`npx vite`): `npm start` in another terminal. */
const stack = process.env.STACK_URL ?? 'http://127.0.0.1:3000';

/**
 * The demo web app (web/app). `npm run build:web` writes it to dist/web, which the local stack
 * serves at `/`. `npx vite` serves it with hot reload, the API proxied to a running `npm start`.
 */
export default defineConfig({
  root: here('web/app'),
  base: '/',
  // Nothing fetched at build time, no telemetry: a fresh clone builds offline.
  logLevel: 'warn',
  build: {
    outDir: here('dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // hls.js alone is ~500 kB minified; the app is a local demo, not a landing page.
    chunkSizeWarningLimit: 1024,
  },
  server: {
    // Signaling, S3 part and media URLs come back absolute (the stack's own), so only REST is proxied.
    proxy: { '/api': stack },
  },
});
