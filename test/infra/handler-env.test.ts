import { execFile } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { handlers } from '../../functions/manifest.ts';
import { manifestEnvironment } from '../support/handler-env.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Locally every handler sees every variable, so a handler reading one its manifest entry does
 * not list would pass every other test and fail its cold start on AWS. Here each handler module
 * is imported in a fresh process with exactly its manifest environment.
 */
describe('each handler starts with exactly the environment its manifest entry lists', () => {
  it.each(Object.entries(handlers))('%s', async (_name, def) => {
    const env = { PATH: process.env.PATH ?? '', ...manifestEnvironment(def) };
    const entry = pathToFileURL(`${root}${def.entry}`).href;
    const script = `await import(${JSON.stringify(entry)}).then((m) => { if (typeof m.handler !== 'function') throw new Error('no handler export'); });`;
    const result = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      env,
      timeout: 60_000,
    }).then(
      () => 'loaded',
      (error: { stderr?: string }) =>
        (error.stderr ?? '').split('\n').find((l) => /^\w*Error: /.test(l)) ?? 'failed',
    );
    expect(result).toBe('loaded');
  });
});
