import type { LocalStack } from '../local/stack.ts';
import { percentile, ratio } from './stats.ts';

export interface RestRow {
  route: string;
  requests: number;
  errors: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** DynamoDB operations dynalite received, per request. */
  dynamoOpsPerRequest: number;
}

/** Runs `count` requests `concurrency` at a time; latency per request and DynamoDB ops per request. */
async function measure(
  stack: LocalStack,
  route: string,
  count: number,
  concurrency: number,
  request: (i: number) => Promise<Response>,
): Promise<RestRow> {
  const times: number[] = [];
  let errors = 0;
  let next = 0;
  stack.dynamo.calls.reset();
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
  return {
    route,
    requests: count,
    errors,
    p50Ms: percentile(times, 50),
    p95Ms: percentile(times, 95),
    p99Ms: percentile(times, 99),
    dynamoOpsPerRequest: ratio(stack.dynamo.calls.count(), count),
  };
}

/** The stream lifecycle routes under concurrent clients. */
export async function restScenario(stack: LocalStack, options: { requests: number; concurrency: number }) {
  const { requests: n, concurrency } = options;
  const api = (path: string, init: RequestInit = {}) => fetch(`${stack.url}/api/livestream${path}`, init);
  const tokens = await Promise.all(
    Array.from({ length: n }, (_, i) => stack.issuer.mint({ userId: `bench${i}` })),
  );
  const auth = (i: number, body?: unknown): RequestInit => ({
    method: 'POST',
    headers: { Authorization: `Bearer ${tokens[i]}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

  const streamIds: string[] = [];
  const viewerIds: string[] = [];
  const rows = [
    await measure(stack, 'POST /create', n, concurrency, async (i) => {
      const res = await api('/create', auth(i, { title: `bench ${i}`, description: '', maxViewers: n }));
      streamIds[i] = (await res.clone().json()).streamId;
      return res;
    }),
    await measure(stack, 'POST /:id/start', n, concurrency, (i) => api(`/${streamIds[i]}/start`, auth(i))),
    await measure(stack, 'GET /active?limit=50', n, concurrency, () => api('/active?limit=50')),
    await measure(stack, 'GET /:id', n, concurrency, (i) => api(`/${streamIds[i]}`)),
    // Every viewer joins the same stream: the hot-item case for the counters.
    await measure(stack, 'POST /:id/join (one stream)', n, concurrency, async (i) => {
      const res = await api(`/${streamIds[0]}/join`, auth(i));
      viewerIds[i] = (await res.clone().json()).viewerId;
      return res;
    }),
    await measure(stack, 'POST /:id/leave', n, concurrency, (i) =>
      api(`/${streamIds[0]}/leave`, auth(i, { viewerId: viewerIds[i] })),
    ),
    await measure(stack, 'POST /:id/end', n, concurrency, (i) => api(`/${streamIds[i]}/end`, auth(i, {}))),
  ];
  return rows;
}
