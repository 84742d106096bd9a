/**
 * Worker thread: one autocannon run (bench/rest.ts), its result posted back. With `tokens`, each
 * request carries the next one as its bearer token, so every request is a different user.
 */
import { parentPort, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  method: 'GET' | 'POST';
  connections: number;
  /** Seconds, unless `tokens` is given: then one request per token. */
  duration?: number;
  body?: string;
  tokens?: string[];
}

const options = workerData as LoadOptions;
const tokens = options.tokens;
let next = 0;
// In a worker thread autocannon answers raw histograms (as its own workers do): aggregate them.
const raw = await autocannon({
  url: options.url,
  method: options.method,
  connections: options.connections,
  ...(tokens ? { amount: tokens.length } : { duration: options.duration ?? 10 }),
  headers: { 'content-type': 'application/json' },
  body: options.body,
  timeout: 30,
  requests: [
    {
      setupRequest: (request) =>
        tokens
          ? {
              ...request,
              headers: { ...request.headers, authorization: `Bearer ${tokens[next++ % tokens.length]}` },
            }
          : request,
    },
  ],
});
// aggregateResult is public (autocannon's README) but missing from @types/autocannon.
const { aggregateResult } = autocannon as unknown as {
  aggregateResult(results: unknown[], options: object): autocannon.Result;
};
const result = aggregateResult([raw], { url: options.url, connections: options.connections });
parentPort?.postMessage({
  requests: result.requests.total,
  seconds: result.duration,
  requestsPerSecond: Number((result.requests.total / result.duration).toFixed(1)),
  latencyMs: {
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
  },
  errors: result.errors,
  timeouts: result.timeouts,
  non2xx: result.non2xx,
  statusCodes: Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [
      code,
      (stats as { count?: number }).count ?? 0,
    ]),
  ),
});
