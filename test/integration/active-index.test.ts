import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_INDEX_SHARDS } from '../../functions/manifest.ts';
import { harness, inBatches } from './harness.ts';

let h: Awaited<ReturnType<typeof harness>>;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

describe('GET /api/livestream/active', () => {
  it('queries the sparse live index, never scans, and returns only the live streams among 1,000 ended ones', async () => {
    // 1,000 streams through the real lifecycle: created, started, ended.
    await inBatches(
      Array.from({ length: 1000 }, (_, i) => async () => {
        const { streamId, ownerToken } = await h.newStream(`ended${i % 50}`, { start: true });
        const res = await h.call('POST', `/api/livestream/${streamId}/end`, { token: ownerToken });
        if (res.status !== 200) throw new Error(`end failed: ${JSON.stringify(res.body)}`);
      }),
      16,
    );
    const live = await Promise.all(
      Array.from({ length: 5 }, (_, i) => h.newStream(`live${i}`, { start: true })),
    );
    const notStarted = await h.newStream('waiting');

    h.stack.dynamo.calls.reset();
    const res = await h.call('GET', '/api/livestream/active?limit=50');

    expect(res.status).toBe(200);
    const ids = res.body.streams.map((s: { streamId: string }) => s.streamId);
    expect(new Set(ids)).toEqual(new Set(live.map((s) => s.streamId)));
    expect(ids).not.toContain(notStarted.streamId);
    expect(res.body.streams.every((s: { status: string }) => s.status === 'live')).toBe(true);
    expect(res.body.nextCursor).toBeNull();

    const calls = h.stack.dynamo.calls;
    expect(calls.count({ operation: 'Scan' })).toBe(0);
    expect(calls.count({ operation: 'Query', table: 'Livestreams', index: 'live' })).toBe(LIVE_INDEX_SHARDS);
    expect(calls.count()).toBe(LIVE_INDEX_SHARDS);
  });
});
