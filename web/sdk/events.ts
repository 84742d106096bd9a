/**
 * The WebSocket protocol as types (docs/websocket.md, docs/chat.md): one map of every event the
 * service pushes, one of every action a client sends, and which actions the service answers.
 */
import type { ChatMessage, EndReason } from './types.ts';

/**
 * A session description as the protocol carries it: `{type, sdp}`.
 *
 * @example
 * const offer: SessionDescription = { type: 'offer', sdp: pc.localDescription?.sdp ?? '' };
 */
export type SessionDescription = RTCSessionDescriptionInit;

/**
 * An ICE candidate as the protocol carries it (`RTCIceCandidate.toJSON()`).
 *
 * @example
 * pc.onicecandidate = ({ candidate }) => candidate && socket.emit('stream:ice-candidate', { candidate: candidate.toJSON() });
 */
export type IceCandidate = RTCIceCandidateInit;

/**
 * Every event the service pushes, by name, with its `data`.
 *
 * @example
 * socket.on('stream:offer:received', ({ offer }) => pc.setRemoteDescription(offer));
 * socket.on('chat:messages', ({ messages }) => messages.forEach(show));
 */
export interface ServerEvents {
  /** To the broadcaster: `stream:offer` registered (or resumed) it. */
  'stream:offer:ack': { streamId: string };
  /** To the broadcaster: a viewer is ready for an offer (again, after a resume). */
  'stream:viewer:joined': { viewerId: string };
  /** To the broadcaster: a viewer left or disconnected. */
  'stream:viewer:left': { viewerId: string };
  /** To the broadcaster: a viewer's answer to its offer. */
  'stream:answer:received': { viewerId: string; answer: SessionDescription };
  /** To either side; `viewerId` (the sender) only to the broadcaster. */
  'stream:ice-candidate:received': { viewerId?: string; candidate: IceCandidate };
  /** To a viewer: `stream:join` registered it. */
  'stream:join:ack': { streamId: string; viewerId: string; broadcasterConnected: boolean };
  /** To a viewer: the broadcaster's offer (a new one replaces the peer connection). */
  'stream:offer:received': { offer: SessionDescription };
  /** To viewers: the broadcaster dropped; the stream ends unless it is back within `graceSeconds`. */
  'stream:broadcaster:left': { graceSeconds: number };
  /** To everyone: the stream is over (`message`: an admin's reason when `terminated`). */
  'stream:ended': { streamId: string; reason: EndReason | (string & {}); message?: string };
  /** A refused frame; `ref` echoes the frame's. */
  'stream:error': { code: string; message: string; ref?: string; retryAfterMs?: number };
  /** `join-livestream` answered: the connection is in the room. */
  'chat:joined': { streamId: string };
  /** `leave-livestream` answered. */
  'chat:left': { streamId: string };
  /** `chat:message` answered with the stored message. */
  'chat:sent': ChatMessage;
  /** To the room: one new message (to every member; to a batching one when it came alone). */
  'chat:message': ChatMessage;
  /** To members that joined with `batch: true`: several that arrived together, oldest first. */
  'chat:messages': { messages: ChatMessage[] };
  /** To the room: a moderator deleted a message. */
  'chat:deleted': { id: string };
}

/** `data.streamId` is optional everywhere: the connection already belongs to one stream. */
interface OnStream {
  streamId?: string;
}

/**
 * Every action a client may send, by name, with its `data`.
 *
 * @example
 * socket.emit('stream:answer', { answer: { type: 'answer', sdp } });
 * socket.emit('stream:leave', {});
 */
export interface ClientActions {
  /** Broadcaster: register (or resume); the SDP, if any, is ignored. */
  'stream:offer': OnStream & { offer?: SessionDescription };
  /** Broadcaster: an offer for one viewer. */
  'stream:offer:viewer': OnStream & { viewerId: string; offer: SessionDescription };
  /** Either side; the broadcaster names the viewer. */
  'stream:ice-candidate': OnStream & { viewerId?: string; candidate: IceCandidate };
  /** Broadcaster: end the stream. */
  'stream:end': OnStream;
  /** Viewer: ready for an offer. */
  'stream:join': OnStream;
  /** Viewer: the answer to the broadcaster's offer. */
  'stream:answer': OnStream & { answer: SessionDescription };
  /** Viewer: close the viewing session. */
  'stream:leave': OnStream;
  /**
   * Anyone: join the stream's chat room. `batch: true` asks for runs of messages coalesced into
   * `chat:messages`; without it each message is its own `chat:message` (the spec's).
   */
  'join-livestream': OnStream & { batch?: boolean };
  /** Anyone: leave the chat room. */
  'leave-livestream': OnStream;
  /** Anyone: post a message (1..500 characters). */
  'chat:message': OnStream & { message: string };
}

/**
 * The actions the service answers (echoing the frame's `ref`), and the event that answers each.
 * The others are answered only when refused (`stream:error`), so only these can be `request`ed.
 *
 * @example
 * const reply: ServerEvents[ActionReplies['stream:join']] = await socket.request('stream:join', {});
 */
export interface ActionReplies {
  'stream:offer': 'stream:offer:ack';
  'stream:join': 'stream:join:ack';
  'join-livestream': 'chat:joined';
  'leave-livestream': 'chat:left';
  'chat:message': 'chat:sent';
}

/**
 * An action `SignalingSocket.request` may send.
 *
 * @example
 * const action: RequestAction = 'chat:message';
 */
export type RequestAction = keyof ActionReplies;

/**
 * What `request(action)` resolves with: the data of the event answering it.
 *
 * @example
 * const ack: ReplyTo<'stream:offer'> = await socket.request('stream:offer', {}); // { streamId }
 */
export type ReplyTo<A extends RequestAction> = ServerEvents[ActionReplies[A]];
