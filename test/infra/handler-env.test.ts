import { execFile } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type EnvName, handlers } from '../../functions/manifest.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

/** A plausible value for each variable (numbers inside the ranges the handlers enforce). */
const SAMPLE: Partial<Record<EnvName, string>> = {
  AUTH_JWKS_URL: 'https://issuer.example.com/.well-known/jwks.json',
  SIGNALING_URL: 'wss://ws.example.com/ws',
  WS_CALLBACK_URL: 'https://ws.example.com/ws',
  DEFAULT_MAX_VIEWERS: '50',
  TURN_SERVER: '',
  TURN_USERNAME: '',
  TURN_PASSWORD: '',
  TURN_SECRET: '',
  TURN_TTL_SECONDS: '3600',
  CONNECTION_TTL_SECONDS: '7500',
  SIGNALING_TICKET_TTL_SECONDS: '60',
  BROADCASTER_GRACE_SECONDS: '60',
  CHAT_RATE_LIMIT: '5',
  CHAT_RETENTION_DAYS: '30',
};

/**
 * Locally every handler sees every variable, so a handler reading one its manifest entry does
 * not list would pass every other test and fail its cold start on AWS. Here each handler module
 * is imported in a fresh process with exactly its manifest environment.
 */
describe('each handler starts with exactly the environment its manifest entry lists', () => {
  it.each(Object.entries(handlers))('%s', async (_name, def) => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1' };
    for (const name of def.env as readonly EnvName[])
      env[name] = SAMPLE[name] ?? `sample-${name.toLowerCase()}`;
    // The stand-in for Secrets Manager, which this machine cannot reach: the local path of the same loader.
    if ('SIGNALING_SECRET_ARN' in env) env.SIGNALING_SECRET = 's'.repeat(43);
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
