/**
 * The WebSocket protocol as one typed map (docs/websocket.md, docs/chat.md): every event the
 * service pushes with its `data`, every action a client sends with its `data` and who may send
 * it, and which actions are answered by which event. The service builds its frames from it
 * (`frame()` in frames.ts) and the browser SDK type-imports it, so neither end can drift.
 *
 * Plain types and one constant, importing nothing but types as plain: it must stay loadable in a
 * browser.
 */
import type { EndReason } from './model.ts';

/** Who is on the other end of a connection, as its ticket says; `chat`: a chat-only one. */
export type SignalingRole = 'broadcaster' | 'viewer' | 'chat';

/** A session description as the service accepts it: `{type, sdp}`, nothing else. */
export interface SessionDescription<T extends 'offer' | 'answer'> {
  type: T;
  sdp: string;
}

/** An ICE candidate as the service accepts it (`RTCIceCandidate.toJSON()`, with the line present). */
export interface IceCandidate {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

/**
 * The WebRTC payloads the frames carry, a parameter of the maps below. The service uses the wire
 * shapes ({@link WirePayloads}, what its schemas accept); the browser SDK reads the same maps with
 * the DOM's `RTCSessionDescriptionInit` and `RTCIceCandidateInit`.
 */
export interface RtcPayloads {
  offer: unknown;
  answer: unknown;
  candidate: unknown;
}

/** {@link RtcPayloads} as the service sends and accepts them. */
export interface WirePayloads {
  offer: SessionDescription<'offer'>;
  answer: SessionDescription<'answer'>;
  candidate: IceCandidate;
}

/** A chat message as every frame and the REST API show it (the spec's four fields). */
export interface PublicChatMessage {
  /** A ULID: ids sort by time. */
  id: string;
  userId: string;
  /** Trimmed, otherwise exactly as sent: render it as text, never as HTML. */
  message: string;
  /** ISO 8601, set by the service. */
  timestamp: string;
}

/** `stream:error`'s data: a refused frame changed nothing. */
export interface ErrorData {
  code: string;
  message: string;
  /** The refused frame's `ref`, when it had one. */
  ref?: string;
  /** `RATE_LIMITED`, `CHAT_BUSY`: when to retry. */
  retryAfterMs?: number;
}

/**
 * Every event the service pushes, by name, with its `data`.
 *
 * @example
 * const ack: ServerEvents['stream:join:ack'] = { streamId, viewerId, broadcasterConnected: false };
 */
export interface ServerEvents<P extends RtcPayloads = WirePayloads> {
  /** To the broadcaster: `stream:offer` registered (or resumed) it. */
  'stream:offer:ack': { streamId: string };
  /** To the broadcaster: its `stream:uplink` report set the stream's peer-to-peer seats. */
  'stream:uplink:ack': { streamId: string; peerSeats: number };
  /** To the broadcaster: a viewer is ready for an offer (again, after a resume). */
  'stream:viewer:joined': { viewerId: string };
  /** To the broadcaster: a viewer left or disconnected. */
  'stream:viewer:left': { viewerId: string };
  /** To the broadcaster: a viewer's answer to its offer. */
  'stream:answer:received': { viewerId: string; answer: P['answer'] };
  /** To either side; `viewerId` (the sender) only to the broadcaster. */
  'stream:ice-candidate:received': { viewerId?: string; candidate: P['candidate'] };
  /** To a viewer: `stream:join` registered it. */
  'stream:join:ack': { streamId: string; viewerId: string; broadcasterConnected: boolean };
  /** To a viewer: the broadcaster's offer (a new one replaces the peer connection). */
  'stream:offer:received': { offer: P['offer'] };
  /** To viewers: the broadcaster dropped; the stream ends unless it is back within `graceSeconds`. */
  'stream:broadcaster:left': { graceSeconds: number };
  /** To everyone: the stream is over (`message`: an admin's reason when `terminated`). */
  'stream:ended': { streamId: string; reason: EndReason; message?: string };
  /** A refused frame; `ref` echoes the frame's. */
  'stream:error': ErrorData;
  /** `join-livestream` answered: the connection is in the room. */
  'chat:joined': { streamId: string };
  /** `leave-livestream` answered. */
  'chat:left': { streamId: string };
  /** `chat:message` answered with the stored message. */
  'chat:sent': PublicChatMessage;
  /** To the room: one new message (to every member; to a batching one when it came alone). */
  'chat:message': PublicChatMessage;
  /** To members that joined with `batch: true`: several that arrived together, oldest first. */
  'chat:messages': { messages: PublicChatMessage[] };
  /** To the room: a moderator deleted a message. */
  'chat:deleted': { id: string };
}

export type ServerEvent = keyof ServerEvents;

/**
 * A frame the service pushes, `{event, data, ref?}`, one member per event: narrowing on `event`
 * types `data`. Build one with `frame()` (frames.ts).
 */
export type ServerFrame = {
  [E in ServerEvent]: { event: E; data: ServerEvents[E]; ref?: string };
}[ServerEvent];

/** `data.streamId` is optional everywhere: the connection already belongs to one stream. */
interface OnStream {
  streamId?: string;
}

/**
 * Every action a client may send, by name, with its `data`. Who may send each is
 * {@link actionRoles}.
 *
 * @example
 * const leave: ClientActions['stream:leave'] = {};
 */
export interface ClientActions<P extends RtcPayloads = WirePayloads> {
  /** Broadcaster: register (or resume); the SDP, if any, is ignored. */
  'stream:offer': OnStream & { offer?: P['offer'] };
  /** Broadcaster: an offer for one viewer. */
  'stream:offer:viewer': OnStream & { viewerId: string; offer: P['offer'] };
  /** Either side; the broadcaster names the viewer (without one, every viewer gets it). */
  'stream:ice-candidate': OnStream & { viewerId?: string; candidate: P['candidate'] };
  /** Broadcaster: end the stream. */
  'stream:end': OnStream;
  /**
   * Broadcaster: its live ladder's bitrate and its measured uplink (`availableOutgoingBitrate`),
   * from which the server sets the stream's peer-to-peer seats (docs/live.md).
   */
  'stream:uplink': OnStream & { ladderKbps: number; uplinkKbps?: number };
  /** Viewer: ready for an offer. */
  'stream:join': OnStream;
  /** Viewer: the answer to the broadcaster's offer. */
  'stream:answer': OnStream & { answer: P['answer'] };
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

export type ClientAction = keyof ClientActions;

/**
 * Who may send each action; any other role is refused with `WRONG_ROLE`. Data, not only a
 * type: the `$default` router and the manifest read it.
 */
export const actionRoles = {
  'stream:offer': ['broadcaster'],
  'stream:offer:viewer': ['broadcaster'],
  'stream:ice-candidate': ['broadcaster', 'viewer'],
  'stream:end': ['broadcaster'],
  'stream:uplink': ['broadcaster'],
  'stream:join': ['viewer'],
  'stream:answer': ['viewer'],
  'stream:leave': ['viewer'],
  'join-livestream': ['broadcaster', 'viewer', 'chat'],
  'leave-livestream': ['broadcaster', 'viewer', 'chat'],
  'chat:message': ['broadcaster', 'viewer', 'chat'],
} as const satisfies { readonly [A in ClientAction]: readonly SignalingRole[] };

/**
 * The actions the service answers (echoing the frame's `ref`), and the event that answers each.
 * The others are answered only when refused (`stream:error`).
 *
 * @example
 * const reply: ServerEvents[ActionReplies['stream:join']] = await socket.request('stream:join', {});
 */
export interface ActionReplies {
  'stream:offer': 'stream:offer:ack';
  'stream:uplink': 'stream:uplink:ack';
  'stream:join': 'stream:join:ack';
  'join-livestream': 'chat:joined';
  'leave-livestream': 'chat:left';
  'chat:message': 'chat:sent';
}
