/**
 * `npm run bench [-- --quick] [-- --only=signaling,chat]`: performance figures from the local
 * stack, started in this process with the real handlers. Prints a table per scenario and writes
 * `bench/results/<scenario>.json` (machine, versions, parameters, every figure). Figures are
 * measured, never asserted: tests assert behaviour, this reports numbers. `--quick` runs every
 * scenario small, so CI proves they work without caring about the numbers.
 * See docs/PERFORMANCE.md for what each figure means on AWS.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { buildApp, skipBrowser } from '../test/browser/support.ts';
import { chatScenario } from './chat.ts';
import { coldStartScenario } from './cold-start.ts';
import { costScenario } from './cost.ts';
import { firstFrameScenario } from './first-frame.ts';
import { liveScenario } from './live.ts';
import { liveBrowserScenario } from './live-browser.ts';
import { type LiveFigures, liveCostScenario, liveOriginScenario } from './live-cost.ts';
import { installMeter } from './meter.ts';
import { restScenario } from './rest.ts';
import { signalingScenario } from './signaling.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const wanted = (scenario: string) => !only || only.includes(scenario);
const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
const root = new URL('../', import.meta.url);

const version = (pkg: string) =>
  (JSON.parse(readFileSync(new URL(`node_modules/${pkg}/package.json`, root), 'utf8')) as { version: string })
    .version;
const versions = {
  node: process.version,
  npm: /npm\/(\S+)/.exec(process.env.npm_config_user_agent ?? '')?.[1] ?? 'unknown',
  ...Object.fromEntries(
    ['autocannon', 'dynalite', 'ws', 'esbuild', '@aws-sdk/client-dynamodb', '@middy/core', 'tsx'].map((p) => [
      p,
      version(p),
    ]),
  ),
};
const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  platform: `${process.platform} ${process.arch}`,
};

interface Outcome {
  table: Record<string, unknown>[];
  figures: unknown;
}

async function report(scenario: string, parameters: Record<string, unknown>, run: () => Promise<Outcome>) {
  const loadBefore = loadavg().map((l) => Number(l.toFixed(2)));
  const started = performance.now();
  const { table, figures } = await run();
  const seconds = Number(((performance.now() - started) / 1000).toFixed(1));
  console.log(`\n${scenario} ${JSON.stringify(parameters)} (${seconds} s)`);
  console.table(table);
  const body = {
    scenario,
    quick,
    date: new Date().toISOString(),
    seconds,
    machine: {
      ...machine,
      loadAverage1mBefore: loadBefore[0],
      loadAverage1mAfter: Number(loadavg()[0]?.toFixed(2)),
    },
    versions,
    parameters,
    table,
    figures,
  };
  await writeFile(`${resultsDir}${scenario}.json`, `${JSON.stringify(body, null, 2)}\n`);
  return figures;
}

async function previous(scenario: string): Promise<unknown> {
  const body = JSON.parse(await readFile(`${resultsDir}${scenario}.json`, 'utf8')) as { figures: unknown };
  return body.figures;
}

const started = performance.now();
await mkdir(resultsDir, { recursive: true });
// The handlers' info lines (one JSON line per fan-out batch, for instance) would bury the tables;
// warnings and errors still print.
const log = console.log.bind(console);
console.log = (...line: unknown[]) => {
  if (typeof line[0] === 'string' && line[0].startsWith('{"level":"info"')) return;
  log(...line);
};
// Before the stack starts: the meter wraps handlers as they are first imported, and the chat
// handlers read the per-user and per-room post limits at cold start (the flood posts 10 a second
// per sender, 200 in the room).
const meter = installMeter();
process.env.CHAT_RATE_LIMIT = '1000';
process.env.CHAT_ROOM_RATE_LIMIT = '1000';
// The quick live run lasts 5 s: a 2 s presence window lets its viewers beat (the full run keeps 30 s).
if (quick && wanted('live')) process.env.PRESENCE_WINDOW_SECONDS ??= '2';
const { startLocalStack } = await import('../local/stack.ts');
// live-browser needs streams without peer seats, set before the stack starts (PEER_SEATS_* are read
// at cold start); first-frame needs the seats. Both in one run: live-browser gets a process of its
// own, after this one's scenarios, with the same flags.
const liveBrowserElsewhere = wanted('live-browser') && wanted('first-frame') && !skipBrowser;
const liveBrowserHere = wanted('live-browser') && !liveBrowserElsewhere && !skipBrowser;
if (liveBrowserHere) {
  process.env.PEER_SEATS_FALLBACK = '0';
  process.env.PEER_SEATS_MAX = '0';
}
// The browser scenarios drive the web app in Chromium: built once, served by the stack at `/`.
const browserBench = wanted('first-frame') && !skipBrowser;
const app = browserBench || liveBrowserHere ? await buildApp() : undefined;
const stack = await startLocalStack({ port: 0, quiet: true, webAppDir: app?.dir });
const figures: Record<string, unknown> = {};
try {
  if (wanted('rest')) {
    const rest = quick
      ? { connections: 10, activeSeconds: 1, joins: 100, routeRequests: 20, routeConcurrency: 4 }
      : { connections: 50, activeSeconds: 10, joins: 2000, routeRequests: 200, routeConcurrency: 25 };
    figures.rest = await report('rest', rest, () => restScenario(stack, meter, rest));
  }
  if (wanted('signaling')) {
    const signaling = { viewers: quick ? 5 : 50, candidates: quick ? 2 : 10 };
    figures.signaling = await report('signaling', signaling, () =>
      signalingScenario(stack, meter, signaling),
    );
  }
  if (wanted('chat')) {
    const chat = quick
      ? { members: 50, senders: 5, ratePerSecond: 20, floodSeconds: 2 }
      : { members: 1000, senders: 20, ratePerSecond: 200, floodSeconds: 10 };
    figures.chat = await report('chat', chat, () => chatScenario(stack, meter, chat));
  }
  if (browserBench) {
    const firstFrame = { viewers: quick ? 1 : 4 };
    figures['first-frame'] = await report('first-frame', firstFrame, () =>
      firstFrameScenario(stack, firstFrame),
    );
  } else if (wanted('first-frame')) {
    console.log('\nfirst-frame: skipped, no Chromium at /usr/bin/chromium (set CHROMIUM_PATH)');
  }
  if (wanted('live')) {
    const live = quick
      ? { players: 50, seconds: 5, rampSeconds: 1, workers: 1, presenceViewers: 3, rendition: 'top' as const }
      : {
          players: 1000,
          seconds: 60,
          rampSeconds: 10,
          workers: 2,
          presenceViewers: 50,
          rendition: 'top' as const,
        };
    // `--players=N` (and `--rendition=spread`): the same run at another size.
    const players = Number(args.find((a) => a.startsWith('--players='))?.slice('--players='.length));
    if (players > 0) live.players = players;
    if (args.includes('--rendition=spread')) (live as { rendition: string }).rendition = 'spread';
    figures.live = await report('live', live, () => liveScenario(stack, meter, live));
  }
  if (liveBrowserHere) {
    const liveBrowser = { viewers: quick ? 1 : 4, seconds: quick ? 5 : 30, peerSeats: 0 };
    figures['live-browser'] = await report('live-browser', liveBrowser, () =>
      liveBrowserScenario(stack, liveBrowser),
    );
  } else if (wanted('live-browser') && skipBrowser) {
    console.log('\nlive-browser: skipped, no Chromium at /usr/bin/chromium (set CHROMIUM_PATH)');
  }
  if (wanted('cold-start')) {
    // Node here is the machine's (the Lambda runtime is 22): compare bundles with each other, not with AWS.
    const coldStart = { runs: quick ? 2 : 10, node: process.version };
    figures['cold-start'] = await report('cold-start', coldStart, async () => {
      const rows = await coldStartScenario(coldStart);
      return { table: rows, figures: rows };
    });
  }
} finally {
  await stack.close();
  await app?.remove();
}
if (liveBrowserElsewhere) {
  const child = spawnSync(
    process.execPath,
    [
      ...process.execArgv,
      fileURLToPath(import.meta.url),
      '--only=live-browser',
      ...(quick ? ['--quick'] : []),
    ],
    { stdio: 'inherit', env: { ...process.env, PEER_SEATS_FALLBACK: '0', PEER_SEATS_MAX: '0' } },
  );
  if (child.status !== 0) throw new Error(`live-browser exited with ${child.status ?? child.signal}`);
}
if (wanted('cost')) {
  // From this run's counts, or the last ones on disk when a scenario was left out.
  const inputs = {
    signaling: figures.signaling ?? (await previous('signaling')),
    chat: figures.chat ?? (await previous('chat')),
  };
  await report('cost', { region: 'us-east-1', viewerRoom: 1000 }, async () => costScenario(inputs as never));
}
if (wanted('live-origin') || wanted('live-cost')) {
  // The live tier's models, from this run's live figures or the last ones on disk.
  const live = (figures.live ?? (await previous('live'))) as LiveFigures;
  if (wanted('live-origin')) {
    await report('live-origin', { playlistTtlSeconds: 1, shieldRegions: 1 }, async () =>
      liveOriginScenario(live),
    );
  }
  if (wanted('live-cost')) {
    const inputs = {
      signaling: figures.signaling ?? (await previous('signaling')),
      chat: figures.chat ?? (await previous('chat')),
      live,
    };
    await report('live-cost', { region: 'us-east-1' }, async () => liveCostScenario(inputs as never));
  }
}
console.log(`\nwrote ${resultsDir}*.json in ${((performance.now() - started) / 1000).toFixed(0)} s`);
