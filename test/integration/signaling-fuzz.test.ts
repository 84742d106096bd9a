import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignalingClient } from '../support/signaling-client.ts';
import { harness } from './harness.ts';
import { broadcaster, liveStream, settle, viewer } from './signaling-scene.ts';

let h: Awaited<ReturnType<typeof harness>>;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

/** mulberry32: a seeded generator, so a failure replays exactly. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DOCUMENTED = new Set([
  'INVALID_FRAME',
  'FRAME_TOO_LARGE',
  'SDP_TOO_LARGE',
  'UNKNOWN_ACTION',
  'WRONG_ROLE',
  'WRONG_PEER',
  'WRONG_STREAM',
  'VIEWER_NOT_FOUND',
  'BROADCASTER_NOT_CONNECTED',
  'OWNER_REQUIRED',
  'KEY_REVOKED',
  'NOT_BROADCASTER',
  'NOT_JOINED',
  'SESSION_CLOSED',
  'STREAM_NOT_LIVE',
  'STREAM_ENDED',
  'PEER_GONE',
  'RATE_LIMITED',
]);
// stream:end and stream:leave are valid with `{}` and would end the experiment; covered elsewhere.
const ACTIONS = [
  'stream:offer',
  'stream:offer:viewer',
  'stream:ice-candidate',
  'stream:join',
  'stream:answer',
  'join-livestream',
  'constructor',
  '__proto__',
  '',
  'STREAM:OFFER',
];

interface Scene {
  streamId: string;
  tag: string;
  b: SignalingClient;
  viewers: Array<{ viewerId: string; client: SignalingClient }>;
}

describe('signaling under 1,000 random and malformed frames', () => {
  it('never crashes, answers each bad frame precisely, never delivers across the rules, keeps state consistent', async () => {
    const scenes: Scene[] = [];
    for (let s = 0; s < 5; s++) {
      const live = await liveStream(h, `fuzz-owner-${s}`);
      const b = await broadcaster(live.url, live.ticket);
      const viewers = [
        await viewer(h, live.streamId, `fuzz-${s}-a`),
        await viewer(h, live.streamId, `fuzz-${s}-b`),
      ];
      scenes.push({ streamId: live.streamId, tag: `tag${s}tag`, b, viewers });
    }
    await settle();
    const allViewerIds = scenes.flatMap((s) => s.viewers.map((v) => v.viewerId));
    const rnd = random(20261124);
    const pick = <T>(items: readonly T[]) => items[Math.floor(rnd() * items.length)] as T;
    const junk = () =>
      pick<unknown>([null, 0, -1, 1e308, 'x', '', [], {}, true, 'a'.repeat(2000), { $ne: 1 }]);

    /** A frame from `scene`: broken JSON, a wrong shape, or a real action with mutated data. */
    function frame(scene: Scene): string {
      const roll = rnd();
      if (roll < 0.15)
        return pick([
          '{',
          '"',
          '[]',
          'null',
          '{"action":',
          '\u0000',
          '{}',
          '{"action":1}',
          'x'.repeat(rnd() * 100),
        ]);
      if (roll < 0.3)
        return JSON.stringify({
          action: pick(ACTIONS),
          data: junk(),
          ref: `r${rnd()}`,
          [pick(['x', 'data', 'ref'])]: junk(),
        });
      const data: Record<string, unknown> = {};
      if (rnd() < 0.7)
        data.viewerId = rnd() < 0.5 ? pick(allViewerIds) : pick([crypto.randomUUID(), 'not-a-uuid', junk()]);
      if (rnd() < 0.6)
        data.candidate =
          rnd() < 0.7 ? { candidate: `candidate:${scene.tag}`, sdpMid: '0', sdpMLineIndex: 0 } : junk();
      if (rnd() < 0.4) data.offer = rnd() < 0.7 ? { type: 'offer', sdp: `v=0 ${scene.tag}` } : junk();
      if (rnd() < 0.4) data.answer = rnd() < 0.7 ? { type: 'answer', sdp: `v=0 ${scene.tag}` } : junk();
      if (rnd() < 0.2) data.streamId = pick([scene.streamId, crypto.randomUUID(), junk()]);
      if (rnd() < 0.1) data.sdp = 'z'.repeat(20_000);
      const action = pick(ACTIONS);
      return JSON.stringify({ action, data, ref: `r${Math.floor(rnd() * 1e9)}` });
    }

    const senders = scenes.flatMap((s) => [
      { scene: s, client: s.b },
      ...s.viewers.map((v) => ({ scene: s, client: v.client })),
    ]);
    const sentBy = new Map<SignalingClient, number>();
    for (let i = 0; i < 1000; i++) {
      const { scene, client } = pick(senders);
      client.sendRaw(frame(scene));
      sentBy.set(client, (sentBy.get(client) ?? 0) + 1);
      if (i % 50 === 49) await settle(30);
    }
    await settle(1000);

    let errors = 0;
    let validated = 0;
    for (const scene of scenes) {
      for (const client of [scene.b, ...scene.viewers.map((v) => v.client)]) {
        for (const f of client.frames) {
          if (f.event === 'stream:error') {
            errors++;
            expect(DOCUMENTED).toContain(f.data.code);
            if (f.data.code === 'INVALID_FRAME' && String(f.data.message).startsWith('data.')) validated++;
            continue;
          }
          // Anything else is a relay: it must carry this stream's tag, never another stream's.
          const text = JSON.stringify(f.data);
          for (const other of scenes) if (other !== scene) expect(text).not.toContain(other.tag);
          if (f.event === 'stream:answer:received' || f.event === 'stream:ice-candidate:received') {
            if (client === scene.b) expect(scene.viewers.map((v) => v.viewerId)).toContain(f.data.viewerId);
          }
        }
      }
    }
    expect(errors).toBeGreaterThan(600);
    expect(validated).toBeGreaterThan(50);

    // Still serving, and every live stream's count equals its open sessions.
    const rows = await h.snapshot();
    for (const scene of scenes) {
      const stream = rows.Livestreams?.find(
        (r) => (r as { streamId: string }).streamId === scene.streamId,
      ) as {
        status: string;
        viewerCount: number;
      };
      const open = rows.LivestreamViewers?.filter(
        (r) =>
          (r as { streamId: string }).streamId === scene.streamId &&
          (r as { leftAt?: number }).leftAt === undefined,
      );
      expect(stream.status).toBe('live');
      expect(stream.viewerCount).toBe(open?.length);
      expect(stream.viewerCount).toBe(2);
    }
    const probe = scenes[0] as Scene;
    const target = probe.viewers[0]?.client as SignalingClient;
    probe.b.send('stream:offer:viewer', {
      viewerId: probe.viewers[0]?.viewerId,
      offer: { type: 'offer', sdp: 'v=0 probe' },
    });
    const probed = (f: { event: string; data: { offer?: { sdp?: string } } }) =>
      f.data.offer?.sdp === 'v=0 probe';
    await target.waitFor(probed, 'the probe offer', 5000, false);
    await Promise.all(senders.map(({ client }) => client.close()));
  });
});
