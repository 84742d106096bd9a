import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignalingClient } from '../support/signaling-client.ts';
import { harness } from './harness.ts';
import { broadcaster, liveStream, viewer } from './signaling-scene.ts';

const GRACE_SECONDS = 5;
let h: Awaited<ReturnType<typeof harness>>;
beforeAll(async () => {
  // Handlers read it at cold start, so before the stack (one per test file) starts them.
  process.env.BROADCASTER_GRACE_SECONDS = String(GRACE_SECONDS);
  h = await harness();
});
afterAll(async () => {
  await h.close();
  delete process.env.BROADCASTER_GRACE_SECONDS;
});

const view = async (streamId: string) => (await h.call('GET', `/api/livestream/${streamId}`)).body;

describe('a broadcaster that drops without stream:end', () => {
  it('tells the viewers, then ends the stream when the grace period passes', async () => {
    const live = await liveStream(h, 'dropper');
    const b = await broadcaster(live.url, live.ticket);
    const v = await viewer(h, live.streamId, 'abandoned');
    await b.close();

    expect((await v.client.next('stream:broadcaster:left')).data).toEqual({ graceSeconds: GRACE_SECONDS });
    expect(await view(live.streamId)).toMatchObject({ status: 'live' });
    const ended = await v.client.next('stream:ended', (GRACE_SECONDS + 5) * 1000);
    expect(ended.data).toEqual({ streamId: live.streamId, reason: 'broadcaster_disconnected' });
    expect(await view(live.streamId)).toMatchObject({
      status: 'ended',
      endReason: 'broadcaster_disconnected',
    });
    await v.client.closed;
  });

  it('keeps the stream live when the broadcaster resumes with a fresh ticket, and re-announces the waiting viewers', async () => {
    const live = await liveStream(h, 'resumer');
    const first = await broadcaster(live.url, live.ticket);
    const v = await viewer(h, live.streamId, 'patient');
    await first.next('stream:viewer:joined');
    await first.close();
    await v.client.next('stream:broadcaster:left');

    const fresh = await h.call('POST', `/api/livestream/${live.streamId}/ticket`, {
      token: live.ownerToken,
      body: {},
    });
    expect(fresh.status).toBe(200);
    const again = await SignalingClient.connect(fresh.body.signaling.url, fresh.body.signaling.ticket);
    again.send('stream:offer', {});
    await again.next('stream:offer:ack');
    expect((await again.next('stream:viewer:joined')).data).toEqual({ viewerId: v.viewerId });

    // Past the first drop's grace period, its check finds the broadcaster back and changes nothing.
    await new Promise((resolve) => setTimeout(resolve, (GRACE_SECONDS + 2) * 1000));
    expect(await view(live.streamId)).toMatchObject({ status: 'live', viewerCount: 1 });
    expect(v.client.frames.some((f) => f.event === 'stream:ended')).toBe(false);
    await Promise.all([again.close(), v.client.close()]);
  });

  it('gives a viewer a fresh ticket for its own open session only', async () => {
    const live = await liveStream(h, 'ticketer');
    const v = await viewer(h, live.streamId, 'rejoiner');
    const mine = await h.call('POST', `/api/livestream/${live.streamId}/ticket`, {
      token: v.token,
      body: { viewerId: v.viewerId },
    });
    expect(mine.status).toBe(200);
    const reconnected = await SignalingClient.connect(mine.body.signaling.url, mine.body.signaling.ticket);
    await reconnected.close();
    const stranger = await h.token('stranger');
    const theirs = await h.call('POST', `/api/livestream/${live.streamId}/ticket`, {
      token: stranger,
      body: { viewerId: v.viewerId },
    });
    expect(theirs).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    await v.client.close();
    const after = await h.call('POST', `/api/livestream/${live.streamId}/ticket`, {
      token: v.token,
      body: { viewerId: v.viewerId },
    });
    expect(after).toMatchObject({ status: 409, body: { error: { code: 'SESSION_CLOSED' } } });
  });
});
