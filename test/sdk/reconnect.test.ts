import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiError,
  type LivestreamError,
  type Schedule,
  SignalingSocket,
  type SignalingTicket,
  type SocketState,
  Viewer,
} from '../../web/sdk/index.ts';
import { SignalingClient } from '../e2e/signaling.ts';
import { NodeWebSocket, recordingWebSocket, type SdkSession, sdkSession, until } from './support.ts';

let s: SdkSession;
beforeAll(async () => {
  s = await sdkSession();
});
afterAll(() => s?.close());

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Records every reconnect delay and runs the retry on the next turn instead of waiting. */
function instantSchedule(): { schedule: Schedule; delays: number[] } {
  const delays: number[] = [];
  return {
    delays,
    schedule: (fn, delayMs) => {
      delays.push(delayMs);
      const timer = setTimeout(fn, 0);
      return () => clearTimeout(timer);
    },
  };
}

/** A live stream and a broadcaster ticket source that counts calls and can be told to fail. */
async function broadcasterTickets(owner: string) {
  const { streamId, api } = await s.liveStream(owner);
  const started = await api.start(streamId);
  const tickets = {
    streamId,
    api,
    calls: 0,
    /** Call numbers (1-based) that fail as if the network were down. */
    failing: new Set<number>(),
    ticket: async (): Promise<SignalingTicket> => {
      tickets.calls++;
      if (tickets.failing.has(tickets.calls)) throw new ApiError(0, 'NETWORK', 'offline (test)');
      return tickets.calls === 1 ? started.signaling : api.ticket(streamId);
    },
  };
  return tickets;
}

/** Connects `socket` and returns the connection id the stack gave it. */
async function connectAndFindId(socket: SignalingSocket): Promise<string> {
  const before = new Set(s.connectionIds());
  await socket.connect();
  await until(() => s.connectionIds().some((id) => !before.has(id)), 'the new connection');
  return s.connectionIds().find((id) => !before.has(id)) as string;
}

/** Tracks a socket's states and errors. */
function watch(socket: SignalingSocket) {
  const states: SocketState[] = [];
  const errors: LivestreamError[] = [];
  socket.on('state', (state) => states.push(state));
  socket.on('error', (error) => errors.push(error));
  return { states, errors };
}

describe('SignalingSocket reconnect', () => {
  it('reconnects after a server-side drop with full-jitter backoff and a fresh ticket per attempt', async () => {
    const tickets = await broadcasterTickets('alice');
    // Attempts 1 and 2 fail at the ticket; attempt 3 gets through.
    tickets.failing = new Set([2, 3]);
    const randoms = [0.5, 0.25, 1];
    const { schedule, delays } = instantSchedule();
    const socket = new SignalingSocket({
      ticket: tickets.ticket,
      WebSocket: NodeWebSocket,
      reconnect: { initialDelayMs: 100, maxDelayMs: 300, maxAttempts: 5, random: () => randoms.shift() ?? 0 },
      schedule,
    });
    cleanups.push(() => socket.close());
    const { states, errors } = watch(socket);
    const opens: boolean[] = [];
    socket.on('open', ({ reconnected }) => opens.push(reconnected));

    const first = await connectAndFindId(socket);
    expect(await socket.request('stream:offer', {})).toEqual({ streamId: tickets.streamId });
    await s.dropConnection(first);
    await until(() => opens.length === 2, 'the socket to reopen');

    expect(states).toEqual(['connecting', 'open', 'reconnecting', 'open']);
    expect(opens).toEqual([false, true]);
    // One ticket to connect, then one per attempt: two failed, the third opened.
    expect(tickets.calls).toBe(4);
    // random() * min(max, initial * 2^attempt): 0.5 * 100, 0.25 * 200, 1 * min(300, 400).
    expect(delays).toEqual([50, 50, 300]);
    expect(errors).toEqual([]);
    expect(s.connectionIds()).not.toContain(first);
    // The new connection works: the broadcaster resumes on it.
    expect(await socket.request('stream:offer', {})).toEqual({ streamId: tickets.streamId });
  });

  it('does not reconnect after close()', async () => {
    const tickets = await broadcasterTickets('bob');
    const { schedule, delays } = instantSchedule();
    const socket = new SignalingSocket({ ticket: tickets.ticket, WebSocket: NodeWebSocket, schedule });
    const { states } = watch(socket);
    const id = await connectAndFindId(socket);

    socket.close();
    await until(() => !s.connectionIds().includes(id), 'the server to see the close');

    expect(states).toEqual(['connecting', 'open', 'closed']);
    expect(socket.state).toBe('closed');
    expect(delays).toEqual([]);
    expect(tickets.calls).toBe(1);
  });

  it('does not reconnect after stream:ended, when the service closes the connection', async () => {
    const { streamId, api } = await s.liveStream('carol');
    await api.start(streamId);
    let calls = 0;
    const joined = await s.api('dan').join(streamId);
    const { schedule, delays } = instantSchedule();
    const socket = new SignalingSocket({
      ticket: async () => {
        calls++;
        return joined.signaling;
      },
      WebSocket: NodeWebSocket,
      schedule,
    });
    cleanups.push(() => socket.close());
    const { states } = watch(socket);
    const ended: unknown[] = [];
    socket.on('stream:ended', (data) => ended.push(data));
    await socket.connect();

    await api.end(streamId);
    await until(() => socket.state === 'closed', 'the socket to close');

    expect(ended).toEqual([{ streamId, reason: 'ended' }]);
    expect(states).toEqual(['connecting', 'open', 'closed']);
    expect(delays).toEqual([]);
    expect(calls).toBe(1);
  });

  it('gives up after maxAttempts with RECONNECT_FAILED', async () => {
    const tickets = await broadcasterTickets('erin');
    tickets.failing = new Set([2, 3, 4, 5]);
    const { schedule, delays } = instantSchedule();
    const socket = new SignalingSocket({
      ticket: tickets.ticket,
      WebSocket: NodeWebSocket,
      reconnect: { initialDelayMs: 10, maxDelayMs: 1000, maxAttempts: 3, random: () => 1 },
      schedule,
    });
    const { states, errors } = watch(socket);
    const id = await connectAndFindId(socket);

    await s.dropConnection(id);
    await until(() => errors.length > 0, 'the socket to give up');

    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'RECONNECT_FAILED', details: { attempts: 3 } });
    expect((errors[0] as LivestreamError).cause).toMatchObject({ code: 'NETWORK' });
    expect(states).toEqual(['connecting', 'open', 'reconnecting', 'closed']);
    expect(delays).toEqual([10, 20, 40]);
    expect(tickets.calls).toBe(4);
  });

  it('stops at once when the ticket is refused for good (the stream ended meanwhile)', async () => {
    const tickets = await broadcasterTickets('fay');
    // Holds each retry until the test releases it.
    const held: Array<() => void> = [];
    const delays: number[] = [];
    const socket = new SignalingSocket({
      ticket: tickets.ticket,
      WebSocket: NodeWebSocket,
      reconnect: { initialDelayMs: 10, maxAttempts: 5, random: () => 1 },
      schedule: (fn, delayMs) => {
        delays.push(delayMs);
        held.push(fn);
        return () => {};
      },
    });
    const { states, errors } = watch(socket);
    const id = await connectAndFindId(socket);

    await s.dropConnection(id);
    await until(() => held.length === 1, 'the first retry to be scheduled');
    await tickets.api.end(tickets.streamId);
    held.shift()?.();
    await until(() => errors.length > 0, 'the socket to give up');

    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ApiError);
    expect(errors[0]).toMatchObject({ status: 409, code: 'STREAM_ENDED' });
    expect(states).toEqual(['connecting', 'open', 'reconnecting', 'closed']);
    expect(delays).toEqual([10]);
    expect(held).toEqual([]);
    expect(tickets.calls).toBe(2);
  });
});

describe('Viewer reconnect', () => {
  it('joins again after its socket drops: a new session, stream:join re-sent, the broadcaster told', async () => {
    const { streamId, api } = await s.liveStream('gus');
    const { signaling } = await api.start(streamId);
    const broadcaster = await SignalingClient.connect(signaling.url, signaling.ticket);
    cleanups.push(() => broadcaster.close());
    await broadcaster.request('stream:offer', {}, 'stream:offer:ack');

    const { WebSocket, sent } = recordingWebSocket();
    const { schedule, delays } = instantSchedule();
    const viewer = new Viewer({
      api: s.api('hal'),
      streamId,
      WebSocket,
      reconnect: { initialDelayMs: 100, random: () => 0.5 },
      schedule,
    });
    cleanups.push(() => viewer.leave());
    const states: SocketState[] = [];
    viewer.on('state', (state) => states.push(state));
    const before = new Set(s.connectionIds());
    await viewer.join();
    const first = viewer.viewerId as string;
    await broadcaster.waitFor('stream:viewer:joined', (d) => d.viewerId === first);
    const joinsBefore = s.calls.filter((c) => c === `POST /api/livestream/${streamId}/join`).length;

    await s.dropConnection(s.connectionIds().find((id) => !before.has(id)) as string);
    await until(() => sent.filter((f) => f.action === 'stream:join').length === 2, 'stream:join again');
    const second = viewer.viewerId as string;
    await broadcaster.waitFor('stream:viewer:joined', (d) => d.viewerId === second);
    await broadcaster.waitFor('stream:viewer:left', (d) => d.viewerId === first);

    expect(second).not.toBe(first);
    expect(states).toEqual(['connecting', 'open', 'reconnecting', 'open']);
    expect(delays).toEqual([50]);
    // The fresh ticket for the one attempt came from joining again.
    expect(s.calls.filter((c) => c === `POST /api/livestream/${streamId}/join`).length).toBe(joinsBefore + 1);
    expect(sent.filter((f) => f.action === 'stream:join')).toHaveLength(2);
    const stream = await api.getStream(streamId);
    expect(stream.viewerCount).toBe(1);
  });

  it('reports the end when the stream ended while it was disconnected', async () => {
    const { streamId, api } = await s.liveStream('ida');
    await api.start(streamId);
    const held: Array<() => void> = [];
    const viewer = new Viewer({
      api: s.api('jon'),
      streamId,
      WebSocket: NodeWebSocket,
      schedule: (fn) => {
        held.push(fn);
        return () => {};
      },
    });
    cleanups.push(() => viewer.leave().catch(() => {}));
    const ended: unknown[] = [];
    const errors: LivestreamError[] = [];
    viewer.on('ended', (data) => ended.push(data));
    viewer.on('error', (error) => errors.push(error));
    const before = new Set(s.connectionIds());
    await viewer.join();

    await s.dropConnection(s.connectionIds().find((id) => !before.has(id)) as string);
    await until(() => held.length === 1, 'the retry to be scheduled');
    await api.end(streamId);
    held.shift()?.();
    await until(() => ended.length === 1, 'ended');

    expect(ended).toEqual([{ reason: 'ended', via: 'signaling' }]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ status: 409, code: 'STREAM_ENDED' });
    expect(viewer.state).toBe('closed');
    expect(held).toEqual([]);
  });
});
