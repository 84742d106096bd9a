import type { LocalStack } from '../local/stack.ts';
import { post as postAs } from './api.ts';
import type { LoadOptions } from './load-worker.ts';
import { byLabel, type Meter, per, total, type Usage } from './meter.ts';
import { percentile, round } from './stats.ts';
import { resultOf, startWorker } from './worker.ts';

interface LoadResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
}

export interface RestOptions {
  /** autocannon's concurrent connections. */
  connections: number;
  /** How long GET /active runs. */
  activeSeconds: number;
  /** POST /join requests, each a different user. */
  joins: number;
  /** Requests per route in the lifecycle table, and how many at a time. */
  routeRequests: number;
  routeConcurrency: number;
}

/**
 * Per handler invocation: autocannon counts the responses within its window, while the requests
 * still in flight when it stops are answered (and counted by the meter) after it.
 */
function perInvocation(usage: Record<string, Usage>) {
  const u = total(usage);
  return per(u, u.invocations);
}

/** autocannon in a worker thread, so the load is not paced by the thread that runs the stack. */
async function cannon(options: LoadOptions): Promise<LoadResult> {
  return resultOf<LoadResult>(startWorker(new URL('./load-worker.ts', import.meta.url), options));
}

/** Runs `count` requests `concurrency` at a time: latency of each, and what the handlers did. */
async function measure(
  meter: Meter,
  route: string,
  count: number,
  concurrency: number,
  request: (i: number) => Promise<Response>,
) {
  const times: number[] = [];
  let errors = 0;
  let next = 0;
  await meter.settle();
  meter.take();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const start = performance.now();
        const res = await request(i);
        await res.arrayBuffer();
        times.push(performance.now() - start);
        if (!res.ok) errors++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await meter.settle();
  const usage = meter.take();
  const dynamo = per(total(usage), count);
  return {
    row: {
      route,
      load: `${concurrency} at a time`,
      requests: count,
      errors,
      requestsPerSecond: round(count / seconds, 1),
      p50Ms: percentile(times, 50),
      p99Ms: percentile(times, 99),
      dynamoOpsPerRequest: dynamo.ops,
      readsPerRequest: dynamo.reads,
      writesPerRequest: dynamo.writes,
    },
    dynamo,
    byHandler: byLabel(usage, count),
  };
}

/**
 * Scenario 4: `GET /active` and `POST /join` under `connections` concurrent clients (autocannon,
 * from a worker thread), then every stream lifecycle route at a smaller concurrency with the
 * DynamoDB operations and request units each request costs.
 */
export async function restScenario(stack: LocalStack, meter: Meter, options: RestOptions) {
  const api = (path: string, init: RequestInit = {}) => fetch(`${stack.url}/api/livestream${path}`, init);
  const post = (path: string, token: string, body: unknown = {}) => postAs(stack, path, token, body);

  // A full first page for GET /active: 50 live streams of 50 owners.
  const owners = await Promise.all(
    Array.from({ length: 50 }, (_, i) => stack.issuer.mint({ userId: `bench-owner-${i}` })),
  );
  for (const owner of owners) {
    const { streamId } = await post('/create', owner, { title: 'bench listing', maxViewers: 10 });
    await post(`/${streamId}/start`, owner);
  }
  await meter.settle();
  meter.take();
  const active = await cannon({
    url: `${stack.url}/api/livestream/active?limit=50`,
    method: 'GET',
    connections: options.connections,
    duration: options.activeSeconds,
  });
  await meter.settle();
  const activeUsage = meter.take();

  // POST /join: one stream with room for everyone; every request a different viewer (each writes a session).
  const host = await stack.issuer.mint({ userId: 'bench-join-host' });
  const { streamId: joinStreamId } = await post('/create', host, {
    title: 'bench joins',
    maxViewers: 10_000,
  });
  await post(`/${joinStreamId}/start`, host);
  const tokens = await Promise.all(
    Array.from({ length: options.joins }, (_, i) => stack.issuer.mint({ userId: `bench-joiner-${i}` })),
  );
  await meter.settle();
  meter.take();
  const joins = await cannon({
    url: `${stack.url}/api/livestream/${joinStreamId}/join`,
    method: 'POST',
    connections: options.connections,
    body: '{}',
    tokens,
  });
  await meter.settle();
  const joinUsage = meter.take();

  const throughput = [
    { route: 'GET /active?limit=50', result: active, dynamo: perInvocation(activeUsage) },
    {
      route: 'POST /:id/join (one stream, a new viewer each)',
      result: joins,
      dynamo: perInvocation(joinUsage),
    },
  ];

  // The lifecycle, route by route.
  const n = options.routeRequests;
  const c = options.routeConcurrency;
  const users = await Promise.all(
    Array.from({ length: n }, (_, i) => stack.issuer.mint({ userId: `bench-user-${i}` })),
  );
  const auth = (i: number, body: unknown = {}): RequestInit => ({
    method: 'POST',
    headers: { Authorization: `Bearer ${users[i]}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const streamIds: string[] = [];
  const viewerIds: string[] = [];
  const routes = [
    await measure(meter, 'POST /create', n, c, async (i) => {
      const res = await api('/create', auth(i, { title: `bench ${i}`, description: '', maxViewers: n }));
      streamIds[i] = (await res.clone().json()).streamId;
      return res;
    }),
    await measure(meter, 'POST /:id/start', n, c, (i) => api(`/${streamIds[i]}/start`, auth(i))),
    await measure(meter, 'GET /active?limit=50', n, c, () => api('/active?limit=50')),
    await measure(meter, 'GET /:id', n, c, (i) => api(`/${streamIds[i]}`)),
    // Every viewer joins the same stream: the hot-item case for the counters.
    await measure(meter, 'POST /:id/join (one stream)', n, c, async (i) => {
      const res = await api(`/${streamIds[0]}/join`, auth(i));
      viewerIds[i] = (await res.clone().json()).viewerId;
      return res;
    }),
    await measure(meter, 'POST /:id/ticket (viewer reconnect)', n, c, (i) =>
      api(`/${streamIds[0]}/ticket`, auth(i, { viewerId: viewerIds[i] })),
    ),
    await measure(meter, 'POST /:id/leave', n, c, (i) =>
      api(`/${streamIds[0]}/leave`, auth(i, { viewerId: viewerIds[i] })),
    ),
    await measure(meter, 'POST /:id/end', n, c, (i) => api(`/${streamIds[i]}/end`, auth(i, {}))),
  ];

  const table = [
    ...throughput.map(({ route, result, dynamo }) => ({
      route,
      load: `autocannon, ${options.connections} connections`,
      requests: result.requests,
      errors: result.errors + result.non2xx,
      requestsPerSecond: result.requestsPerSecond,
      p50Ms: result.latencyMs.p50,
      p99Ms: result.latencyMs.p99,
      dynamoOpsPerRequest: dynamo.ops,
      readsPerRequest: dynamo.reads,
      writesPerRequest: dynamo.writes,
    })),
    ...routes.map((r) => r.row),
  ];
  return {
    table,
    figures: {
      throughput: Object.fromEntries(
        throughput.map((t) => [t.route, { ...t.result, dynamoPerRequest: t.dynamo }]),
      ),
      routes: Object.fromEntries(
        routes.map((r) => [r.row.route, { ...r.row, dynamoPerRequest: r.dynamo, byHandler: r.byHandler }]),
      ),
    },
  };
}
