/**
 * `npm run bench [-- --quick]`: performance figures from the local stack, started in-process.
 * Prints a table and writes `bench/results/<scenario>.json`. Figures are measured, never
 * asserted: tests assert counts, this file reports times.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startLocalStack } from '../local/stack.ts';
import { restScenario } from './rest.ts';

const quick = process.argv.includes('--quick');
const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));

const stack = await startLocalStack({ port: 0, quiet: true });
try {
  const rows = await restScenario(stack, { requests: quick ? 20 : 500, concurrency: quick ? 4 : 25 });
  console.table(rows);
  await mkdir(resultsDir, { recursive: true });
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
  };
  const report = {
    scenario: 'rest',
    quick,
    date: new Date().toISOString(),
    node: process.version,
    machine,
    rows,
  };
  await writeFile(`${resultsDir}rest.json`, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${resultsDir}rest.json`);
} finally {
  await stack.close();
}
