import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, inBatches } from '../integration/harness.ts';
import type { IceServer } from './peers.ts';
import { SpecBroadcaster, SpecViewer } from './spec-peers.ts';
import { type SpecEventData, SpecSocket, specFetch } from './spec-socket.ts';

/*
 * A client written from spec/livestream-services.md and nothing else: the spec's requests and
 * bodies, no extra field, and only the spec's event names, over real WebRTC peers. The two
 * documented differences (docs/migrating.md) are the only ones: a bearer token on REST, and the
 * socket opened on the `signaling` ticket `/start` and `/join` return, speaking {action, data}.
 */

/** The spec's broadcaster, its 50 viewers (the default viewer limit), chat posters among them. */
const VIEWERS = 50;
const BURST_SENDERS = 20;
/** Each sender's share of the burst: the per-user chat limit (5 per 10 s), so none is refused. */
const PER_SENDER = 5;
const FRAMES = 10;

type Fetch = ReturnType<typeof specFetch>;
type ChatMessage = SpecEventData['chat:message'];

interface Watcher {
  userId: string;
  api: Fetch;
  /** The `join` answer: the spec's `{success, iceServers}`, and this service's `viewerId` and `signaling`. */
  joined: {
    success: boolean;
    iceServers: IceServer[];
    viewerId?: string;
    signaling: { url: string; ticket: string };
  };
  socket?: SpecSocket;
  /** Chat messages heard as `chat:message`, by id. */
  chat: Map<string, ChatMessage>;
}

let h: Awaited<ReturnType<typeof harness>>;
let alice: Fetch;
let streamId: string;
let broadcaster: SpecBroadcaster;
let viewer: SpecViewer;
const watchers: Watcher[] = [];
const sockets: SpecSocket[] = [];

beforeAll(async () => {
  // The burst checks delivery of 100 messages in one go; the room's rate limit (10 a second by
  // default, chat-room-rate.test.ts) would refuse most of them. Read at cold start: set first.
  process.env.CHAT_ROOM_RATE_LIMIT = '1000';
  h = await harness();
  alice = specFetch(h.stack.url, await h.token('alice'));
});
afterAll(async () => {
  viewer?.close();
  broadcaster?.close();
  await Promise.allSettled(sockets.map((socket) => socket.close()));
  await h?.close();
  delete process.env.CHAT_ROOM_RATE_LIMIT;
});

const stream = (path = '') => `/api/livestream/${streamId}${path}`;
const connect = async (signaling: { url: string; ticket: string }) => {
  const socket = await SpecSocket.connect(signaling);
  sockets.push(socket);
  return socket;
};
const bob = () => watchers[0] as Watcher;

/** What arrived where nothing listened: explains a wait that never ended. */
function ignoredSummary(list: readonly Watcher[]): string {
  const totals: Record<string, number> = {};
  for (const w of list) {
    for (const [event, n] of Object.entries(w.socket?.ignored() ?? {}))
      totals[event] = (totals[event] ?? 0) + n;
  }
  return `frames in no spec table: ${JSON.stringify(totals)}`;
}

describe('a client written from the spec, unchanged', () => {
  it('create: POST /create {title, description, recordingEnabled} answers {streamId, streamKey}', async () => {
    const response = await alice('/api/livestream/create', {
      method: 'POST',
      body: { title: 'My Stream', description: 'Stream description', recordingEnabled: true },
    });

    expect(response.body).toMatchObject({ streamId: expect.any(String), streamKey: expect.any(String) });
    streamId = response.body.streamId;
  });

  it('start: POST /:id/start answers {success: true}; the broadcaster sends stream:offer and hears stream:offer:ack', async () => {
    const response = await alice(stream('/start'), { method: 'POST' });

    expect(response.body).toMatchObject({ success: true });
    broadcaster = new SpecBroadcaster(await connect(response.body.signaling), streamId);
    await broadcaster.announce();
    await broadcaster.socket.until(
      () => broadcaster.socket.heard('stream:offer:ack').length === 1,
      'stream:offer:ack',
    );
  });

  it('active: GET /active?limit=50&offset=0 lists it under streams, without its key', async () => {
    const response = await alice('/api/livestream/active?limit=50&offset=0');

    expect(response.status).toBe(200);
    const listed = response.body.streams.find((s: { streamId: string }) => s.streamId === streamId);
    expect(listed).toMatchObject({ title: 'My Stream', description: 'Stream description', status: 'live' });
    expect(JSON.stringify(response.body)).not.toContain('sk_');
  });

  it(`join: POST /:id/join answers {success: true, iceServers} to ${VIEWERS} viewers`, async () => {
    for (let i = 0; i < VIEWERS; i++) {
      const userId = i === 0 ? 'bob' : `viewer${String(i).padStart(2, '0')}`;
      const api = specFetch(h.stack.url, await h.token(userId));
      const response = await api(stream('/join'), { method: 'POST' });
      expect({ userId, status: response.status }).toEqual({ userId, status: 200 });
      expect(response.body).toMatchObject({ success: true, iceServers: expect.any(Array) });
      expect(response.body.iceServers).toContainEqual({ urls: 'stun:stun.l.google.com:19302' });
      watchers.push({ userId, api, joined: response.body, chat: new Map() });
    }
    expect((await alice(stream())).body).toMatchObject({ viewerCount: VIEWERS, peakViewers: VIEWERS });
  });

  it('offer, answer and ICE: the viewer decodes the broadcaster video over its own peer connection', async () => {
    const socket = await connect(bob().joined.signaling);
    bob().socket = socket;
    viewer = new SpecViewer(socket, streamId, bob().joined.iceServers);

    viewer.join();
    await socket.until(() => socket.heard('stream:join:ack').length === 1, 'stream:join:ack');
    await broadcaster.socket.until(() => broadcaster.peers.size === 1, 'stream:viewer:joined');
    await viewer.waitForFrames(FRAMES, 20_000);

    expect(viewer.frames).toBeGreaterThanOrEqual(FRAMES);
    expect(viewer.remoteStreams[0]?.getTracks().map((t) => t.kind)).toEqual(['video']);
    expect(broadcaster.socket.heard('stream:answer:received')).toHaveLength(1);
  });

  it('ICE both ways: each side hears the other side candidates as stream:ice-candidate:received', () => {
    expect({ atBroadcaster: broadcaster.candidates > 0, atViewer: viewer.candidates > 0 }).toEqual({
      atBroadcaster: true,
      atViewer: true,
    });
  });

  it('chat: every viewer joins the room; POST {message} is stored, GET lists it, the room hears chat:message', async () => {
    await inBatches(
      watchers.map((w) => async () => {
        w.socket ??= await connect(w.joined.signaling);
        w.socket.on('chat:message', (m) => w.chat.set(m.id, m));
        w.socket.emit('join-livestream', { streamId });
      }),
      10,
    );
    // For the test only: the service's reply says the room holds each socket (the spec has no ack).
    await Promise.all(
      watchers.map((w) => w.socket?.until(() => w.socket?.ignored()['chat:joined'] === 1, 'in the room')),
    );

    const posted = await bob().api(stream('/chat'), {
      method: 'POST',
      body: { message: 'hello from the spec' },
    });
    expect(posted.body).toMatchObject({
      id: expect.any(String),
      userId: 'bob',
      message: 'hello from the spec',
    });
    const history = await bob().api(stream('/chat'));
    expect(history.body.messages).toContainEqual(posted.body);
    await Promise.all(
      watchers.map((w) =>
        w.socket?.until(() => w.chat.has(posted.body.id), `${w.userId} hears chat:message`),
      ),
    );
    for (const w of watchers) {
      expect(w.chat.get(posted.body.id)).toEqual({
        id: posted.body.id,
        userId: 'bob',
        message: 'hello from the spec',
        timestamp: posted.body.timestamp,
      });
    }
  });

  it(`chat burst: ${BURST_SENDERS * PER_SENDER} messages reach all ${VIEWERS} viewers, each as a chat:message`, async () => {
    const senders = watchers.slice(1, 1 + BURST_SENDERS);
    const posted = await inBatches(
      senders.flatMap((w) =>
        Array.from(
          { length: PER_SENDER },
          (_, i) => () => w.api(stream('/chat'), { method: 'POST', body: { message: `${w.userId} #${i}` } }),
        ),
      ),
      BURST_SENDERS,
    );
    expect(posted.map((p) => p.status)).toEqual(posted.map(() => 201));
    const ids = posted.map((p) => p.body.id as string);

    const complete = (w: Watcher) => ids.every((id) => w.chat.has(id));
    await Promise.all(
      watchers.map((w) =>
        w.socket?.until(
          () => complete(w),
          `${w.userId} to hear all ${ids.length} as chat:message`,
          30_000,
          () => {
            const heard = ids.filter((id) => w.chat.has(id)).length;
            return `${heard} of ${ids.length} heard; ${ignoredSummary([w])}`;
          },
        ),
      ),
    );
    expect(watchers.filter(complete)).toHaveLength(VIEWERS);
  });

  it('leave: POST /:id/leave with no body answers {success: true}; the count drops, the broadcaster hears stream:viewer:left', async () => {
    const response = await bob().api(stream('/leave'), { method: 'POST' });

    expect(response).toMatchObject({ status: 200, body: { success: true } });
    expect((await alice(stream())).body).toMatchObject({ viewerCount: VIEWERS - 1 });
    await broadcaster.socket.until(
      () => broadcaster.socket.heard('stream:viewer:left').some((d) => d.viewerId === bob().joined.viewerId),
      'stream:viewer:left',
    );
  });

  it('end: POST /:id/end {recordingUrl} answers {success: true}; every viewer hears stream:ended', async () => {
    const recordingUrl = `https://cdn.example.com/recordings/${streamId}.webm`;
    const response = await alice(stream('/end'), { method: 'POST', body: { recordingUrl } });

    expect(response.body).toMatchObject({ success: true });
    const watching = watchers.slice(1);
    await Promise.all(
      watching.map((w) =>
        w.socket?.until(() => w.socket?.heard('stream:ended').length === 1, 'stream:ended'),
      ),
    );
    expect(watching.filter((w) => w.socket?.heard('stream:ended').length === 1)).toHaveLength(VIEWERS - 1);
    expect((await alice(stream())).body).toMatchObject({ status: 'ended', recordingUrl });
    const active = await alice('/api/livestream/active?limit=50&offset=0');
    expect(active.body.streams.map((s: { streamId: string }) => s.streamId)).not.toContain(streamId);
  });

  it('went through without a stream:error or a peer failure', () => {
    const errors = [broadcaster.socket, ...watchers.map((w) => w.socket)].flatMap(
      (socket) =>
        socket?.frames.filter((f) => f.event === 'stream:error').map((f) => JSON.stringify(f.data)) ?? [],
    );
    expect({ errors: [...new Set(errors)], failures: [...broadcaster.failures, ...viewer.failures] }).toEqual(
      {
        errors: [],
        failures: [],
      },
    );
  });
});
