/**
 * The SDK's viewer tiers in Node against the local stack (docs/sdk.md, "Tiers"): presence beats on
 * the server's schedule, an HLS placement (chat-only socket, no `stream:join`), and a seat whose
 * broadcaster never offers falling back to HLS, both ways the fallback can go. Node has no
 * `<video>`: the HLS player itself runs in test/browser/live-tiers.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiError,
  LivestreamApi,
  type LivestreamError,
  type Schedule,
  SignalingSocket,
  Viewer,
  type ViewerTier,
} from '../../web/sdk/index.ts';
import { BEAT_RETRY_MS, PresenceBeats } from '../../web/sdk/presence.ts';
import { NodeWebSocket, recordingWebSocket, type SdkSession, sdkSession, until } from './support.ts';

/** The ladder the broadcaster reports, and the uplink that leaves exactly `seats` peer seats. */
const LADDER_KBPS = 1000;
const uplinkFor = (seats: number) => LADDER_KBPS + Math.ceil((seats * 2500) / 0.8);
/** The default presence window is 30 s: a next beat lands in the next window, 3 s to 57 s away. */
const WINDOW_MS = 30_000;

let s: SdkSession;
beforeAll(async () => {
  s = await sdkSession();
});
afterAll(() => s?.close());

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/**
 * A live stream whose broadcaster registered and reported a live ladder leaving `seats` seats, and
 * never offers to anyone (a peer that cannot work, as far as its viewers can tell).
 */
async function silentLadder(owner: string, seats: number) {
  const { streamId, api } = await s.liveStream(owner);
  const { signaling } = await api.start(streamId);
  const broadcaster = new SignalingSocket({ ticket: async () => signaling, WebSocket: NodeWebSocket });
  cleanups.push(() => broadcaster.close());
  await broadcaster.connect();
  await broadcaster.request('stream:offer', {});
  const ack = await broadcaster.request('stream:uplink', {
    ladderKbps: LADDER_KBPS,
    uplinkKbps: uplinkFor(seats),
  });
  expect(ack.peerSeats).toBe(seats);
  return { streamId, api };
}

/** A Viewer in Node, its tiers, errors and endings recorded, left after the test. */
function nodeViewer(api: LivestreamApi, streamId: string, options: { offerTimeoutMs?: number } = {}) {
  const wire = recordingWebSocket();
  const viewer = new Viewer({ api, streamId, WebSocket: wire.WebSocket, reconnect: false, ...options });
  const tiers: ViewerTier[] = [];
  const errors: LivestreamError[] = [];
  const ended: unknown[] = [];
  viewer.on('tier', (tier) => tiers.push(tier));
  viewer.on('error', (error) => errors.push(error));
  viewer.on('ended', (data) => ended.push(data));
  cleanups.push(() => viewer.leave().catch(() => {}));
  return { viewer, wire, tiers, errors, ended };
}

/** How many `POST /leave` calls the SDK has made so far. */
const leaves = () => s.calls.filter((call) => call.endsWith('/leave')).length;

const tiersOf = async (api: LivestreamApi, streamId: string) => (await api.getStream(streamId)).tiers;

/** A timer the test runs by hand: every delay asked for, and the next callback to run. */
function manualSchedule(): { schedule: Schedule; delays: number[]; run(): void } {
  const delays: number[] = [];
  let next: (() => void) | undefined;
  return {
    delays,
    schedule: (fn, delayMs) => {
      delays.push(delayMs);
      next = fn;
      return () => {
        if (next === fn) next = undefined;
      };
    },
    run() {
      const fn = next;
      next = undefined;
      fn?.();
    },
  };
}

describe('presence beats', () => {
  it('beats when /join says, then when each answer says, and stops when the session is closed', async () => {
    const { streamId } = await silentLadder('alice', 0);
    const bob = s.api('bob');
    const joined = await bob.join(streamId);
    expect(joined.mode).toBe('hls');
    expect(joined.presence?.nextBeatInMs).toBeGreaterThan(0);

    const timer = manualSchedule();
    const stopped: LivestreamError[] = [];
    const beats = new PresenceBeats(bob, streamId, joined.viewerId, (e) => stopped.push(e), timer.schedule);
    beats.start(joined.presence?.nextBeatInMs ?? 0);
    expect(timer.delays).toEqual([joined.presence?.nextBeatInMs]);

    const before = s.calls.length;
    timer.run();
    await until(() => timer.delays.length === 2, 'the second beat scheduled');
    expect(s.calls.slice(before)).toEqual([`POST /api/livestream/${streamId}/presence`]);
    // The server's answer: somewhere in the next window.
    expect(timer.delays[1]).toBeGreaterThan(0.1 * WINDOW_MS - 1000);
    expect(timer.delays[1]).toBeLessThan(2 * WINDOW_MS);

    // Closed elsewhere (another tab's body-less leave): beating again cannot help.
    await bob.leave(streamId, joined.viewerId);
    timer.run();
    await until(() => stopped.length === 1, 'the beats to stop');
    expect(stopped[0]).toMatchObject({ code: 'SESSION_CLOSED', status: 409 });
    expect(timer.delays).toHaveLength(2);
  });

  it('tries a beat that got no answer again soon, and stop() schedules nothing more', async () => {
    // Port 9 (discard) on loopback: nothing listens, the request gets no answer.
    const offline = new LivestreamApi({ baseUrl: 'http://127.0.0.1:9', token: 'x' });
    const timer = manualSchedule();
    const stopped: LivestreamError[] = [];
    const beats = new PresenceBeats(offline, 'stream', 'viewer', (e) => stopped.push(e), timer.schedule);
    beats.start(0);
    timer.run();
    await until(() => timer.delays.length === 2, 'the retry scheduled');
    expect(timer.delays).toEqual([0, BEAT_RETRY_MS]);
    beats.stop();
    timer.run();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(timer.delays).toHaveLength(2);
    expect(stopped).toEqual([]);
  });
});

describe('a Viewer placed past the seats', () => {
  it('takes the HLS tier: no stream:join, a chat-only socket that chats, the end over signaling in Node', async () => {
    const { streamId, api: alice } = await silentLadder('alice', 0);
    const { viewer, wire, tiers, ended } = nodeViewer(s.api('bob'), streamId);
    await viewer.join();
    expect(viewer.tier).toBe('hls');
    expect(tiers).toEqual(['hls']);
    expect(viewer.latencySeconds()).toBeUndefined(); // nothing plays without a <video>
    expect(wire.sent.map((f) => f.action)).not.toContain('stream:join');

    await until(() => wire.received.some((f) => f.event === 'chat:joined'), 'the chat room');
    expect((await viewer.chat.send('hello from the HLS tier')).message).toBe('hello from the HLS tier');

    await alice.end(streamId);
    await until(() => ended.length === 1, 'the end');
    // No player here: the socket's word is the end (a browser plays on to #EXT-X-ENDLIST).
    expect(ended).toEqual([{ reason: 'ended', via: 'signaling' }]);
  });
});

describe('a seat whose broadcaster never offers', () => {
  it('with seats to spare: keeps its seat (counted there), gives the extra one back, plays HLS', async () => {
    const { streamId, api: alice } = await silentLadder('alice', 2);
    const { viewer, tiers, errors } = nodeViewer(s.api('bob'), streamId, { offerTimeoutMs: 300 });
    const left = leaves();
    await viewer.join();
    const seat = viewer.viewerId;
    expect(tiers).toEqual(['webrtc']);

    await until(() => viewer.tier === 'hls', 'the fallback');
    expect(tiers).toEqual(['webrtc', 'hls']);
    expect(viewer.viewerId).toBe(seat);
    await until(() => leaves() === left + 1, 'the extra seat given back');
    await expect.poll(() => tiersOf(alice, streamId)).toEqual({ webrtc: 1, hls: 0 });
    expect(errors).toEqual([]);

    await viewer.leave();
    expect(await tiersOf(alice, streamId)).toEqual({ webrtc: 0, hls: 0 });
  });

  it('past the seats: moves to the HLS tier (a new session that beats) and frees the seat', async () => {
    const { streamId, api: alice } = await silentLadder('alice', 1);
    const bob = s.api('bob');
    const { viewer, tiers, errors } = nodeViewer(bob, streamId, { offerTimeoutMs: 300 });
    const left = leaves();
    await viewer.join();
    const seat = viewer.viewerId ?? '';
    expect(await tiersOf(alice, streamId)).toMatchObject({ webrtc: 1 });

    await until(() => viewer.viewerId !== seat, 'the move to the HLS tier');
    expect(tiers).toEqual(['webrtc', 'hls']);
    await until(() => leaves() === left + 1, 'the seat given back');
    await expect.poll(() => tiersOf(alice, streamId)).toMatchObject({ webrtc: 0 });
    // The new session is an HLS one: it beats (a seat's would be refused with NOT_HLS).
    expect((await bob.presence(streamId, viewer.viewerId ?? '')).nextBeatInMs).toBeGreaterThan(0);
    const refused = await bob.presence(streamId, seat).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(errors).toEqual([]);
  });
});
