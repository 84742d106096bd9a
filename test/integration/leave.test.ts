import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness } from './harness.ts';
import { broadcaster, liveStream, settle, viewer } from './signaling-scene.ts';

let h: Awaited<ReturnType<typeof harness>>;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

const view = async (streamId: string) => (await h.call('GET', `/api/livestream/${streamId}`)).body;
const leave = (streamId: string, token: string, body?: unknown) =>
  h.call('POST', `/api/livestream/${streamId}/leave`, { token, ...(body !== undefined && { body }) });

describe("POST /leave with no body (the spec's request)", () => {
  it('answers 404 for a stream that does not exist, storing nothing', async () => {
    const before = await h.snapshot();
    const token = await h.token('lost');
    const missing = await leave('7d3c4a8e-1111-4222-8333-944455556666', token);
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'STREAM_NOT_FOUND' } } });
    expect(await h.snapshot()).toEqual(before);
  });

  it("closes every open session of the caller on the stream, and only the caller's", async () => {
    const live = await liveStream(h, 'spec-leave-host');
    const b = await broadcaster(live.url, live.ticket);
    const tab1 = await viewer(h, live.streamId, 'two-tabs');
    const tab2 = await viewer(h, live.streamId, 'two-tabs');
    const other = await viewer(h, live.streamId, 'someone-else');
    expect(await view(live.streamId)).toMatchObject({ viewerCount: 3 });

    const left = await h.call('POST', `/api/livestream/${live.streamId}/leave`, { token: tab1.token });
    expect(left).toMatchObject({ status: 200, body: { success: true } });
    expect(await view(live.streamId)).toMatchObject({ viewerCount: 1 });
    const told = [await b.next('stream:viewer:left'), await b.next('stream:viewer:left')];
    expect(told.map((f) => f.data.viewerId).sort()).toEqual([tab1.viewerId, tab2.viewerId].sort());

    // Idempotent: again, and with nothing open, still success and nothing changes.
    expect(await leave(live.streamId, tab1.token)).toMatchObject({ status: 200, body: { success: true } });
    await settle();
    expect(b.frames.filter((f) => f.event === 'stream:viewer:left')).toHaveLength(2);
    expect(await view(live.streamId)).toMatchObject({ viewerCount: 1 });

    // The other user's session is untouched; their own leave (an empty JSON body too) closes it.
    expect(await leave(live.streamId, other.token, {})).toMatchObject({ status: 200 });
    expect(await view(live.streamId)).toMatchObject({ viewerCount: 0, totalViews: 3 });
    await Promise.all([b.close(), tab1.client.close(), tab2.client.close(), other.client.close()]);
  });
});
