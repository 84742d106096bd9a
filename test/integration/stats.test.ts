import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness } from './harness.ts';

let h: Awaited<ReturnType<typeof harness>>;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h?.close());

describe('GET /api/livestream/{id}/stats', () => {
  it("sums the stream's viewing sessions for its owner", async () => {
    const stream = await h.newStream('alice', { start: true });
    const stats = `/api/livestream/${stream.streamId}/stats`;
    const bob = await h.token('bob');
    const carol = await h.token('carol');
    const join = async (token: string) =>
      (await h.call('POST', `/api/livestream/${stream.streamId}/join`, { token, body: {} })).body
        .viewerId as string;
    const bobFirst = await join(bob);
    await join(carol);
    await h.call('POST', `/api/livestream/${stream.streamId}/leave`, {
      token: bob,
      body: { viewerId: bobFirst },
    });
    await join(bob); // bob comes back: a second view, still one unique viewer

    const live = await h.call('GET', stats, { token: stream.ownerToken });
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({
      streamId: stream.streamId,
      status: 'live',
      currentViewers: 2,
      peakViewers: 2,
      totalViews: 3,
      uniqueViewers: 2,
    });
    expect(live.body.watchTime.totalSeconds).toBeGreaterThanOrEqual(0);
    expect(live.body.concurrency.length).toBeGreaterThanOrEqual(1);
    expect(Math.max(...live.body.concurrency.map((p: { viewers: number }) => p.viewers))).toBe(2);

    await h.call('POST', `/api/livestream/${stream.streamId}/end`, { token: stream.ownerToken, body: {} });
    const ended = await h.call('GET', stats, { token: stream.ownerToken });
    expect(ended.body).toMatchObject({ status: 'ended', currentViewers: 0, peakViewers: 2, totalViews: 3 });
    expect(ended.body.endedAt).not.toBeNull();
  });

  it('is for the owner or an admin only, and empty before the start', async () => {
    const stream = await h.newStream('alice');
    const stats = `/api/livestream/${stream.streamId}/stats`;
    const forbidden = await h.call('GET', stats, { token: await h.token('bob') });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe('FORBIDDEN');
    const admin = await h.call('GET', stats, { token: await h.token('root', ['admin']) });
    expect(admin.status).toBe(200);
    expect(admin.body).toMatchObject({ status: 'created', totalViews: 0, uniqueViewers: 0, concurrency: [] });
    expect((await h.call('GET', stats)).status).toBe(401);
    expect(
      (await h.call('GET', '/api/livestream/not.a.stream/stats', { token: stream.ownerToken })).status,
    ).toBe(400);
  });
});
