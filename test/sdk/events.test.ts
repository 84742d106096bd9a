import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  type ChatMessage,
  type ClientActions,
  type LivestreamError,
  type ServerEvents,
  SignalingSocket,
  SocketError,
  type SocketState,
} from '../../web/sdk/index.ts';
import { NodeWebSocket, type SdkSession, sdkSession } from './support.ts';

describe('event typing', () => {
  const socket = new SignalingSocket({ ticket: async () => ({ url: 'ws://127.0.0.1:1/ws', ticket: 't' }) });

  it('types each server event by its name', () => {
    socket.on('stream:offer:received', (data) => {
      expectTypeOf(data).toEqualTypeOf<{ offer: RTCSessionDescriptionInit }>();
    });
    socket.on('stream:answer:received', (data) => {
      expectTypeOf(data).toEqualTypeOf<{ viewerId: string; answer: RTCSessionDescriptionInit }>();
    });
    socket.on('stream:ice-candidate:received', (data) => {
      expectTypeOf(data.candidate).toEqualTypeOf<RTCIceCandidateInit>();
      expectTypeOf(data.viewerId).toEqualTypeOf<string | undefined>();
    });
    socket.on('stream:join:ack', (data) => {
      expectTypeOf(data).toEqualTypeOf<{
        streamId: string;
        viewerId: string;
        broadcasterConnected: boolean;
      }>();
    });
    socket.on('chat:messages', (data) => expectTypeOf(data.messages).toEqualTypeOf<ChatMessage[]>());
    socket.on('chat:deleted', (data) => expectTypeOf(data).toEqualTypeOf<{ id: string }>());
    socket.on('state', (state) => expectTypeOf(state).toEqualTypeOf<SocketState>());
    socket.on('error', (error) => expectTypeOf(error).toEqualTypeOf<LivestreamError>());
    expectTypeOf<ServerEvents['stream:broadcaster:left']>().toEqualTypeOf<{ graceSeconds: number }>();
    // @ts-expect-error: no such event
    socket.on('stream:offer:recieved', () => {});
  });

  it('checks actions and their data at compile time', () => {
    expectTypeOf<ClientActions['stream:answer']['answer']>().toEqualTypeOf<RTCSessionDescriptionInit>();
    const sendLater = () => {
      socket.emit('stream:offer:viewer', { viewerId: 'v', offer: { type: 'offer', sdp: 'v=0' } });
      socket.emit('stream:leave', {});
      // @ts-expect-error: no such action
      socket.emit('stream:offr', {});
      // @ts-expect-error: stream:offer:viewer needs a viewerId
      socket.emit('stream:offer:viewer', { offer: { type: 'offer', sdp: 'v=0' } });
      // @ts-expect-error: chat:message takes a string
      socket.emit('chat:message', { message: 42 });
      // @ts-expect-error: stream:answer is never answered, so it cannot be requested
      void socket.request('stream:answer', { answer: { type: 'answer', sdp: 'v=0' } });
    };
    expect(typeof sendLater).toBe('function');
  });

  it('types each request by the event that answers it', () => {
    const later = () => {
      expectTypeOf(socket.request('stream:join', {})).resolves.toEqualTypeOf<
        ServerEvents['stream:join:ack']
      >();
      expectTypeOf(socket.request('chat:message', { message: 'hi' })).resolves.toEqualTypeOf<ChatMessage>();
      expectTypeOf(socket.request('stream:offer', {})).resolves.toEqualTypeOf<{ streamId: string }>();
    };
    expect(typeof later).toBe('function');
  });
});

describe('requests over the local stack', () => {
  let s: SdkSession;
  let streamId: string;
  let viewer: SignalingSocket;
  beforeAll(async () => {
    s = await sdkSession();
    const live = await s.liveStream('alice');
    streamId = live.streamId;
    await live.api.start(streamId);
    const joined = await s.api('bob').join(streamId);
    viewer = new SignalingSocket({ ticket: async () => joined.signaling, WebSocket: NodeWebSocket });
    await viewer.connect();
  });
  afterAll(async () => {
    viewer?.close();
    await s?.close();
  });

  it('resolves a request with the reply echoing its ref', async () => {
    expect(await viewer.request('stream:join', {})).toEqual({
      streamId,
      viewerId: expect.any(String),
      broadcasterConnected: false,
    });
  });

  it('rejects a request the service refuses with a SocketError carrying its code', async () => {
    const errors: LivestreamError[] = [];
    viewer.on('error', (error) => errors.push(error));

    const refused = await viewer.request('stream:offer', {}).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(SocketError);
    expect(refused).toMatchObject({ code: 'WRONG_ROLE', message: expect.stringContaining('broadcaster') });
    // The refusal went to the request, not to the socket's unsolicited-error event.
    expect(errors).toEqual([]);
  });

  it('rejects with RATE_LIMITED and retryAfterMs when chat is over its budget', async () => {
    const sent: ChatMessage[] = [];
    for (let i = 0; i < 5; i++) sent.push(await viewer.request('chat:message', { message: `m${i}` }));
    expect(sent.map((m) => m.message)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);

    const refused = await viewer.request('chat:message', { message: 'm5' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SocketError);
    expect((refused as SocketError).code).toBe('RATE_LIMITED');
    expect((refused as SocketError).retryAfterMs).toBeGreaterThan(0);
  });

  it('rejects a request made while not connected, without sending it', async () => {
    const closed = new SignalingSocket({ ticket: async () => ({ url: 'ws://127.0.0.1:1/ws', ticket: 't' }) });
    await expect(closed.request('stream:join', {})).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
    expect(closed.emit('stream:leave', {})).toBe(false);
  });
});
