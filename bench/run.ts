/**
 * `npm run bench [-- --quick]`: performance figures from the local stack, started in-process.
 * Prints a table per scenario and writes `bench/results/<scenario>.json`. Figures are measured,
 * never asserted: tests assert counts, this file reports times. `--quick` runs every scenario
 * small, so CI proves they work without caring about the numbers.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startLocalStack } from '../local/stack.ts';
import { coldStartScenario } from './cold-start.ts';
import { restScenario } from './rest.ts';
import { signalingScenario } from './signaling.ts';

const quick = process.argv.includes('--quick');
const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
};

async function report(scenario: string, parameters: Record<string, unknown>, figures: unknown) {
  console.log(`\n${scenario} ${JSON.stringify(parameters)}`);
  console.table(figures);
  const body = {
    scenario,
    quick,
    date: new Date().toISOString(),
    node: process.version,
    machine,
    parameters,
    figures,
  };
  await writeFile(`${resultsDir}${scenario}.json`, `${JSON.stringify(body, null, 2)}\n`);
}

await mkdir(resultsDir, { recursive: true });
const stack = await startLocalStack({ port: 0, quiet: true });
try {
  const rest = { requests: quick ? 20 : 500, concurrency: quick ? 4 : 25 };
  await report('rest', rest, await restScenario(stack, rest));
  const signaling = { viewers: quick ? 5 : 50, candidates: quick ? 2 : 10 };
  await report('signaling', signaling, await signalingScenario(stack, signaling));
  // Node here is the machine's (the Lambda runtime is 22): compare bundles with each other, not with AWS.
  const coldStart = { runs: quick ? 2 : 10, node: process.version };
  await report('cold-start', coldStart, await coldStartScenario(coldStart));
  console.log(`\nwrote ${resultsDir}{rest,signaling,cold-start}.json`);
} finally {
  await stack.close();
}
