import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness } from './harness.ts';

let h: Awaited<ReturnType<typeof harness>>;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

const streamView = async (streamId: string) => (await h.call('GET', `/api/livestream/${streamId}`)).body;
const viewerRows = async (streamId: string) =>
  ((await h.snapshot()).LivestreamViewers ?? []).filter(
    (r) => (r as { streamId: string }).streamId === streamId,
  ) as Array<{
    leftAt?: number;
  }>;

describe('viewer counters under concurrency', () => {
  it('keeps viewerCount exact and peakViewers right through 200 concurrent joins, then 200 concurrent leaves', async () => {
    const { streamId } = await h.newStream('host', { start: true, body: { maxViewers: 1000 } });
    const tokens = await Promise.all(Array.from({ length: 200 }, (_, i) => h.token(`viewer${i}`)));

    const joins = await Promise.all(
      tokens.map((token) => h.call('POST', `/api/livestream/${streamId}/join`, { token })),
    );
    expect(joins.every((j) => j.status === 200)).toBe(true);
    expect(new Set(joins.map((j) => j.body.viewerId)).size).toBe(200);
    expect(await streamView(streamId)).toMatchObject({ viewerCount: 200, peakViewers: 200, totalViews: 200 });

    // Every session leaves once, and half of them a second time at the same moment (a retry).
    const leaves = joins.flatMap((j, i) => {
      const leave = () =>
        h.call('POST', `/api/livestream/${streamId}/leave`, {
          token: tokens[i],
          body: { viewerId: j.body.viewerId },
        });
      return i % 2 === 0 ? [leave(), leave()] : [leave()];
    });
    const left = await Promise.all(leaves);
    expect(left.every((l) => l.status === 200)).toBe(true);
    expect(await streamView(streamId)).toMatchObject({ viewerCount: 0, peakViewers: 200, totalViews: 200 });
    const rows = await viewerRows(streamId);
    expect(rows).toHaveLength(200);
    expect(rows.every((r) => typeof r.leftAt === 'number')).toBe(true);
  });

  it('keeps the count exact when joins and leaves interleave', async () => {
    const { streamId } = await h.newStream('mixer', { start: true, body: { maxViewers: 1000 } });
    const first = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const token = await h.token(`early${i}`);
        const res = await h.call('POST', `/api/livestream/${streamId}/join`, { token });
        return { token, viewerId: res.body.viewerId as string };
      }),
    );
    const lateTokens = await Promise.all(Array.from({ length: 100 }, (_, i) => h.token(`late${i}`)));
    const mixed = await Promise.all([
      ...first.map(({ token, viewerId }) =>
        h.call('POST', `/api/livestream/${streamId}/leave`, { token, body: { viewerId } }),
      ),
      ...lateTokens.map((token) => h.call('POST', `/api/livestream/${streamId}/join`, { token })),
    ]);
    expect(mixed.every((r) => r.status === 200)).toBe(true);
    const view = await streamView(streamId);
    expect(view.viewerCount).toBe(100);
    expect(view.totalViews).toBe(200);
    // Between 100 (all leaves first) and 200 (all joins first), and never below the final count.
    expect(view.peakViewers).toBeGreaterThanOrEqual(100);
    expect(view.peakViewers).toBeLessThanOrEqual(200);
    expect((await viewerRows(streamId)).filter((r) => r.leftAt === undefined)).toHaveLength(100);
  });

  it('never admits more than maxViewers under a concurrent burst', async () => {
    const { streamId } = await h.newStream('small', { start: true, body: { maxViewers: 25 } });
    const tokens = await Promise.all(Array.from({ length: 100 }, (_, i) => h.token(`burst${i}`)));
    const joins = await Promise.all(
      tokens.map((token) => h.call('POST', `/api/livestream/${streamId}/join`, { token })),
    );

    const admitted = joins.filter((j) => j.status === 200);
    const refused = joins.filter((j) => j.status !== 200);
    expect(admitted).toHaveLength(25);
    expect(refused).toHaveLength(75);
    expect(refused.every((r) => r.status === 409 && r.body.error.code === 'STREAM_FULL')).toBe(true);
    expect(await streamView(streamId)).toMatchObject({ viewerCount: 25, peakViewers: 25, totalViews: 25 });
    expect(await viewerRows(streamId)).toHaveLength(25);
  });
});
