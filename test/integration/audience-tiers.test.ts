import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness } from './harness.ts';
import { broadcaster, liveStream } from './signaling-scene.ts';

/**
 * Audiences past the broadcaster's uplink (docs/live.md): joins never refused for capacity, the
 * peer seats set by the broadcaster's report, the HLS tier counted by presence windows. An 8 s
 * window keeps the test short; the counting is the same at the default 30 s.
 */
const WINDOW_MS = 8000;
const LADDER_KBPS = 4400;
/** Leaves (uplink - ladder) * 0.8 / 2500 = 3 peer seats. */
const UPLINK_KBPS = LADDER_KBPS + Math.ceil((3 * 2500) / 0.8);

let h: Awaited<ReturnType<typeof harness>>;
const saved = process.env.PRESENCE_WINDOW_SECONDS;

beforeAll(async () => {
  process.env.PRESENCE_WINDOW_SECONDS = String(WINDOW_MS / 1000);
  h = await harness();
});
afterAll(async () => {
  await h?.close();
  if (saved === undefined) delete process.env.PRESENCE_WINDOW_SECONDS;
  else process.env.PRESENCE_WINDOW_SECONDS = saved;
});

const windowNow = () => Math.floor(Date.now() / WINDOW_MS);

/** Waits until just after the next presence window begins. */
async function nextWindow(): Promise<void> {
  const wait = WINDOW_MS - (Date.now() % WINDOW_MS) + 50;
  await new Promise((resolve) => setTimeout(resolve, wait));
}

/**
 * Runs `burst` at the start of a window, again in a later one if it spilled into the next (a busy
 * machine): what it counts must land in one window. Bounded: three tries.
 */
async function inOneWindow(burst: () => Promise<void>): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    await nextWindow();
    const started = windowNow();
    await burst();
    if (windowNow() === started) return;
  }
  throw new Error(`a burst never fitted in one ${WINDOW_MS} ms window`);
}

describe('two tiers', () => {
  it('answers 300 concurrent joins of a spec-created stream, seats 3 by the uplink, and counts exactly after 100 leave', async () => {
    // The spec's create body: no maxViewers.
    const owner = await h.token('owner-300');
    const created = await h.call('POST', '/api/livestream/create', {
      token: owner,
      body: { title: 'Big audience', description: 'x' },
    });
    expect(created.status).toBe(201);
    expect(created.body.stream.maxViewers).toBeNull();
    const { streamId } = created.body;
    const started = await h.call('POST', `/api/livestream/${streamId}/start`, { token: owner });
    const bc = await broadcaster(started.body.signaling.url, started.body.signaling.ticket);
    const ack = await bc.request('stream:uplink', { ladderKbps: LADDER_KBPS, uplinkKbps: UPLINK_KBPS }, 'u1');
    expect(ack.data).toEqual({ streamId, peerSeats: 3 });

    const users = Array.from({ length: 300 }, (_, i) => `fan-${i}`);
    const tokens = await Promise.all(users.map((user) => h.token(user)));
    const joins = await Promise.all(
      tokens.map((token) => h.call('POST', `/api/livestream/${streamId}/join`, { token })),
    );
    expect(joins.map((j) => j.status)).toEqual(users.map(() => 200));
    for (const joined of joins) {
      expect(joined.body.success).toBe(true);
      expect(Array.isArray(joined.body.iceServers)).toBe(true);
      expect(joined.body.playback.hls).toMatch(new RegExp(`/live/${streamId}/index\\.m3u8$`));
    }
    const peers = joins.filter((j) => j.body.mode === 'webrtc');
    const hls = joins.filter((j) => j.body.mode === 'hls');
    expect(peers).toHaveLength(3);
    expect(hls).toHaveLength(297);
    expect(hls.every((j) => j.body.presence.nextBeatInMs > 0)).toBe(true);

    const beat = (i: number) =>
      h.call('POST', `/api/livestream/${streamId}/presence`, {
        token: tokens[joins.indexOf(hls[i] as (typeof joins)[number])],
        body: { viewerId: hls[i]?.body.viewerId },
      });
    const beatAll = async (count: number) => {
      const beats = await Promise.all(Array.from({ length: count }, (_, i) => beat(i)));
      expect(beats.map((b) => b.status)).toEqual(beats.map(() => 200));
    };
    const stream = async () => (await h.call('GET', `/api/livestream/${streamId}`)).body;

    // Every HLS viewer beats in one window; the next window's first write rolls it up.
    await inOneWindow(() => beatAll(297));
    await nextWindow();
    await beatAll(1);
    let now = await stream();
    expect(now.tiers).toEqual({ webrtc: 3, hls: 297 });
    expect(now.viewerCount).toBe(300);
    expect(now.totalViews).toBe(300);
    expect(now.peakViewers).toBe(300);

    // 100 leave: 2 peers (counted out at once) and 98 HLS viewers (they stop beating).
    const leavers = [...peers.slice(0, 2), ...hls.slice(hls.length - 98)];
    const leaves = await Promise.all(
      leavers.map((j) =>
        h.call('POST', `/api/livestream/${streamId}/leave`, {
          token: tokens[joins.indexOf(j)],
          body: { viewerId: j.body.viewerId },
        }),
      ),
    );
    expect(leaves.map((l) => l.status)).toEqual(leavers.map(() => 200));
    expect((await stream()).tiers.webrtc).toBe(1);

    // A left HLS viewer's beat is refused; the 199 still watching beat on.
    const left = hls[hls.length - 1];
    const late = await h.call('POST', `/api/livestream/${streamId}/presence`, {
      token: tokens[joins.indexOf(left as (typeof joins)[number])],
      body: { viewerId: left?.body.viewerId },
    });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('SESSION_CLOSED');
    await inOneWindow(() => beatAll(199));
    await nextWindow();
    await beatAll(1);
    now = await stream();
    expect(now.tiers).toEqual({ webrtc: 1, hls: 199 });
    expect(now.viewerCount).toBe(200);
    expect(now.totalViews).toBe(300);
    expect(now.peakViewers).toBe(300);

    const stats = await h.call('GET', `/api/livestream/${streamId}/stats`, { token: owner });
    expect(stats.body.uniqueViewers).toBe(300);
    expect(stats.body.tiers).toEqual({ webrtc: { current: 1, views: 3 }, hls: { current: 199, views: 297 } });
    await bc.close();
  }, 120_000);

  it('refuses beats that are not an open HLS session of the caller, each with its code', async () => {
    const { streamId, ownerToken, url, ticket } = await liveStream(h, 'owner-beats');
    const bc = await broadcaster(url, ticket);
    // No uplink measured yet: the fallback seats (2 by default), then HLS.
    const ack = await bc.request('stream:uplink', { ladderKbps: LADDER_KBPS }, 'u1');
    expect(ack.data.peerSeats).toBe(2);
    const join = async (user: string) => {
      const token = await h.token(user);
      return { token, body: (await h.call('POST', `/api/livestream/${streamId}/join`, { token })).body };
    };
    const [a, b, c] = [await join('a'), await join('b'), await join('c')];
    expect([a.body.mode, b.body.mode, c.body.mode]).toEqual(['webrtc', 'webrtc', 'hls']);
    const presence = (token: string, viewerId: unknown) =>
      h.call('POST', `/api/livestream/${streamId}/presence`, { token, body: { viewerId } });
    expect((await presence(c.token, c.body.viewerId)).status).toBe(200);
    const peer = await presence(a.token, a.body.viewerId);
    expect([peer.status, peer.body.error.code]).toEqual([409, 'NOT_HLS']);
    const other = await presence(a.token, c.body.viewerId);
    expect(other.status).toBe(403);
    const unknown = await presence(c.token, '00000000-0000-4000-8000-000000000000');
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'VIEWER_NOT_FOUND']);
    const malformed = await presence(c.token, 42);
    expect(malformed.status).toBe(400);
    // An HLS viewer's ticket chats; it cannot signal.
    const reissued = await h.call('POST', `/api/livestream/${streamId}/ticket`, {
      token: c.token,
      body: { viewerId: c.body.viewerId },
    });
    expect([reissued.status, reissued.body.error.code]).toEqual([409, 'NOT_WEBRTC']);
    // A ladder that failed reports 0: no one more is sent to the HLS tier, the seats remain.
    const failed = await bc.request('stream:uplink', { ladderKbps: 0 }, 'u2');
    expect(failed.data.peerSeats).toBe(2);
    const d = await h.call('POST', `/api/livestream/${streamId}/join`, { token: await h.token('d') });
    expect([d.status, d.body.error.code]).toEqual([409, 'STREAM_FULL']);
    // Once the stream ends its HLS tier counts nobody, whatever was rolled up.
    expect((await h.call('POST', `/api/livestream/${streamId}/end`, { token: ownerToken })).status).toBe(200);
    const ended = await h.call('GET', `/api/livestream/${streamId}`);
    expect(ended.body.tiers).toEqual({ webrtc: 0, hls: 0 });
    await bc.close();
  });

  it('keeps a stream without a live ladder peer-to-peer only, refusing past its seats as before', async () => {
    const { streamId } = await liveStream(h, 'owner-spec', 2);
    const statuses = [];
    for (const user of ['p', 'q', 'r']) {
      const token = await h.token(user);
      const joined = await h.call('POST', `/api/livestream/${streamId}/join`, { token });
      statuses.push([joined.status, joined.body.mode ?? joined.body.error.code]);
    }
    expect(statuses).toEqual([
      [200, 'webrtc'],
      [200, 'webrtc'],
      [409, 'STREAM_FULL'],
    ]);
  });
});
