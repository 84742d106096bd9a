import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { handlers } from '../functions/manifest.ts';
import { BUNDLE } from '../lib/constructs/function.ts';
import { manifestEnvironment } from '../test/support/handler-env.ts';
import { percentile } from './stats.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../', import.meta.url));

/** Milliseconds to import `file` in a fresh Node process (what a cold start pays before the handler runs). */
async function importMs(file: string, env: Record<string, string>): Promise<number> {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(performance.now() - t);`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  return Number(stdout.trim());
}

/**
 * Every function bundled as the CDK stack bundles it (same esbuild settings), then its minified
 * size and the median time to import it in a fresh process with its manifest environment.
 */
export async function coldStartScenario(options: { runs: number }) {
  const dir = await mkdtemp(join(tmpdir(), 'dreamx-bundles-'));
  try {
    const rows = [];
    for (const [name, def] of Object.entries(handlers)) {
      const outfile = join(dir, name, 'index.mjs');
      await build({
        entryPoints: [join(root, def.entry)],
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: BUNDLE.target,
        mainFields: [...BUNDLE.mainFields],
        minify: BUNDLE.minify,
        banner: { js: BUNDLE.banner },
        sourcemap: 'external',
        outfile,
        logLevel: 'error',
      });
      const times = [];
      for (let i = 0; i < options.runs; i++) times.push(await importMs(outfile, manifestEnvironment(def)));
      rows.push({
        handler: name,
        bundleBytes: (await stat(outfile)).size,
        importMsMedian: percentile(times, 50),
        importMsMax: percentile(times, 100),
      });
    }
    return rows;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
