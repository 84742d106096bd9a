import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broadcaster } from './broadcaster.ts';
import { type E2eSession, e2eSession } from './session.ts';
import type { Viewer } from './viewer.ts';

/** Frames each viewer must decode; at 20 fps this is half a second of video. */
const FRAMES = 10;
const FRAMES_TIMEOUT_MS = 15_000;

let s: E2eSession;
beforeAll(async () => {
  s = await e2eSession();
});
afterAll(() => s?.close());

// One broadcast, followed step by step: each `it` continues the session the previous one left.
describe('a broadcast over real WebRTC, signaled through the local stack', () => {
  let streamId: string;
  let broadcaster: Broadcaster;
  let v1: Viewer;
  let v2: Viewer;
  let v3: Viewer;

  it('lets viewers join before the broadcaster is there, and announces them once it registers', async () => {
    const live = await s.liveStream('alice');
    streamId = live.streamId;
    expect(live.signaling).toEqual({ url: expect.stringMatching(/^wss?:\/\//), ticket: expect.any(String) });

    v1 = await s.connectViewer(await s.join(streamId, 'bob'));
    v2 = await s.connectViewer(await s.join(streamId, 'carol'));
    expect(await v1.join()).toEqual({ streamId, viewerId: v1.viewerId, broadcasterConnected: false });
    expect(await v2.join()).toEqual({ streamId, viewerId: v2.viewerId, broadcasterConnected: false });

    broadcaster = await s.connectBroadcaster(live.signaling);
    expect(await broadcaster.register()).toEqual({ streamId });
    await broadcaster.signaling.waitFor('stream:viewer:joined', (d) => d.viewerId === v1.viewerId);
    await broadcaster.signaling.waitFor('stream:viewer:joined', (d) => d.viewerId === v2.viewerId);

    const announced = broadcaster.signaling.received.filter((f) =>
      ['stream:offer:ack', 'stream:viewer:joined'].includes(f.event),
    );
    expect(announced.map((f) => f.event)).toEqual([
      'stream:offer:ack',
      'stream:viewer:joined',
      'stream:viewer:joined',
    ]);
  });

  it('announces a viewer who joins while the broadcast is on', async () => {
    v3 = await s.connectViewer(await s.join(streamId, 'dave'));

    expect(await v3.join()).toEqual({ streamId, viewerId: v3.viewerId, broadcasterConnected: true });
    await broadcaster.signaling.waitFor('stream:viewer:joined', (d) => d.viewerId === v3.viewerId);
  });

  it('delivers decoded video to every viewer over its own peer connection', async () => {
    await Promise.all([v1, v2, v3].map((v) => v.waitForFrames(FRAMES, FRAMES_TIMEOUT_MS)));

    for (const v of [v1, v2, v3]) expect(v.frames).toBeGreaterThanOrEqual(FRAMES);
    expect([...broadcaster.peers.keys()].sort()).toEqual([v1.viewerId, v2.viewerId, v3.viewerId].sort());
    expect(broadcaster.offered).toHaveLength(3);
  });

  it('tells the broadcaster when a viewer leaves, and counts the viewer out', async () => {
    v2.leave();

    await broadcaster.signaling.waitFor('stream:viewer:left', (d) => d.viewerId === v2.viewerId);
    expect(broadcaster.peers.has(v2.viewerId)).toBe(false);
    expect((await s.call('GET', `/api/livestream/${streamId}`)).body).toMatchObject({ viewerCount: 2 });
  });

  it('ends the stream for every remaining viewer when the broadcaster sends stream:end', async () => {
    broadcaster.end();

    for (const v of [v1, v3]) {
      expect(await v.signaling.waitFor('stream:ended')).toEqual({ streamId, reason: 'ended' });
      await v.signaling.waitForClose();
    }
    const view = await s.call('GET', `/api/livestream/${streamId}`);
    expect(view.body).toMatchObject({ status: 'ended', endedAt: expect.any(String) });
  });

  it('went through without a stream:error, an undocumented frame or a peer failure', () => {
    expect(s.problems()).toEqual([]);
  });
});
