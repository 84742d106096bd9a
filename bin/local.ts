/**
 * `npm start`: the whole backend on this machine, same handlers as on AWS, embedded stand-ins.
 * PORT (default 3000) and DATA_DIR (default `.data/` in the repository) configure it.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { banner } from '../local/dev/walkthrough.ts';
import { type LocalStack, startLocalStack } from '../local/stack.ts';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const port = Number(process.env.PORT || 3000);
const dataDir = resolve(repoRoot, process.env.DATA_DIR || '.data');

if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`PORT must be a port number, got "${process.env.PORT}"`);
  process.exit(1);
}

let stack: LocalStack;
try {
  stack = await startLocalStack({ port, dataDir });
} catch (err) {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    console.error(
      `Port ${port} is in use (another \`npm start\`?). Stop it, or pick another: PORT=3001 npm start`,
    );
  } else if (code === 'EDATADIRLOCKED') {
    console.error(`${(err as Error).message}. Stop it, or use another: DATA_DIR=.data-2 PORT=3001 npm start`);
  } else {
    console.error('The local stack failed to start:', err);
  }
  process.exit(1);
}

console.log(banner(stack.url, stack.wsUrl, dataDir));

let stopping = false;
const stop = async (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the local stack...`);
  try {
    await stack.close();
    process.exit(0);
  } catch (err) {
    console.error('Shutdown failed:', err);
    process.exit(1);
  }
};
// `once`: a second Ctrl-C while closing falls through to Node's default and exits at once.
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
