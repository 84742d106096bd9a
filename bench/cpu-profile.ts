import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import { mainThreadCpuMs } from './meter.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** Packages the Lambda bundles carry: their frames are handler work. */
const HANDLER_PACKAGES =
  /\/node_modules\/(@aws-sdk|@smithy|@aws-crypto|@aws|@middy|zod|jose|fast-xml-parser|strnum|tslib|bowser|uuid)\//;

interface ProfileNode {
  id: number;
  callFrame: { url: string; functionName: string };
  children?: number[];
}

/** What one profiled phase cost the main thread, and the handlers' share of it. */
export interface CpuShare {
  /** Main-thread CPU time over the phase (Linux /proc; 10 ms resolution). */
  mainThreadCpuMs: number;
  /** Of the busy samples, the fraction with a handler frame (functions/ or a bundled package) on the stack. */
  handlerShare: number;
  /**
   * mainThreadCpuMs x handlerShare: the handlers' CPU time. Garbage collection and native time with
   * no JavaScript on the stack are shared out in the same proportion.
   */
  handlerCpuMs: number;
  /** Busy samples taken (the estimate's sample size). */
  samples: number;
  /** Share of busy samples by whose code was running (the innermost frame that has a file). */
  byOwner: Record<string, number>;
}

/**
 * Samples the main thread with V8's CPU profiler while `work` runs. A sample is handler work when
 * any frame on its stack is handler code: the repository's `functions/`, or a package the Lambda
 * bundles carry (the SDK, Middy, zod, jose). Work the stand-ins do for a handler (dynalite, the
 * emulator answering @connections) runs in their own callbacks and is not counted; the native part
 * of parsing the handler's HTTP responses is not either (only Node internals on its stack).
 * Samples measure wall time, so the share is applied to the thread's real CPU time.
 */
export async function profileCpu<T>(
  work: () => Promise<T>,
  intervalMicros = 250,
): Promise<{ result: T; cpu: CpuShare }> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: intervalMicros });
    await session.post('Profiler.start');
    const cpuBefore = mainThreadCpuMs();
    const result = await work();
    const cpuMs = mainThreadCpuMs() - cpuBefore;
    const { profile } = await session.post('Profiler.stop');
    const { handler, busy, samples, owners } = attribute(profile as Parameters<typeof attribute>[0]);
    const handlerShare = busy > 0 ? handler / busy : 0;
    return {
      result,
      cpu: {
        mainThreadCpuMs: cpuMs,
        handlerShare: Number(handlerShare.toFixed(3)),
        handlerCpuMs: Number((cpuMs * handlerShare).toFixed(1)),
        samples,
        byOwner: Object.fromEntries(
          Object.entries(owners)
            .sort(([, a], [, b]) => b - a)
            .map(([owner, weight]) => [owner, Number((weight / Math.max(1, busy)).toFixed(3))]),
        ),
      },
    };
  } finally {
    session.disconnect();
  }
}

function attribute(profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }) {
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const isHandlerFrame = (url: string) =>
    url.startsWith(`file://${ROOT}functions/`) ||
    url.startsWith(`${ROOT}functions/`) ||
    HANDLER_PACKAGES.test(url);
  const handlerMemo = new Map<number, boolean>();
  const underHandler = (id: number): boolean => {
    const known = handlerMemo.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id);
    const up = parent.get(id);
    const value =
      node !== undefined && (isHandlerFrame(node.callFrame.url) || (up !== undefined && underHandler(up)));
    handlerMemo.set(id, value);
    return value;
  };
  const ownerMemo = new Map<number, string>();
  const ownerOf = (id: number): string => {
    const known = ownerMemo.get(id);
    if (known !== undefined) return known;
    const url = byId.get(id)?.callFrame.url ?? '';
    const up = parent.get(id);
    const value =
      url && !url.startsWith('node:') ? owner(url) : up !== undefined ? ownerOf(up) : 'node internals';
    ownerMemo.set(id, value);
    return value;
  };
  const owners: Record<string, number> = {};
  const IDLE = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);
  let handler = 0;
  let busy = 0;
  let samples = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const weight = profile.timeDeltas[i + 1] ?? 0;
    if (!node || IDLE.has(node.callFrame.functionName)) return;
    samples++;
    busy += weight;
    if (underHandler(id)) handler += weight;
    const o = ownerOf(id);
    owners[o] = (owners[o] ?? 0) + weight;
  });
  return { handler, busy, samples, owners };
}

/** Whose code a file is: the handlers', a stand-in's, the bench's clients'. */
function owner(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  if (path.startsWith(`${ROOT}functions/`)) return 'handlers (functions/)';
  if (HANDLER_PACKAGES.test(path)) return 'handlers (SDK, Middy, zod, jose)';
  if (path.startsWith(`${ROOT}local/`)) return 'local stack (emulator, stand-ins)';
  if (
    /\/node_modules\/(dynalite|level|memdown|abstract-leveldown|encoding-down|deferred-leveldown|subleveldown|lazy|big\.js)/.test(
      path,
    )
  )
    return 'dynalite';
  if (/\/node_modules\/ws\//.test(path)) return 'ws (clients and emulator)';
  if (path.startsWith(`${ROOT}bench/`) || path.startsWith(`${ROOT}test/`)) return 'bench clients';
  if (/\/node_modules\/(undici|autocannon)/.test(path)) return 'HTTP clients';
  return 'other';
}
