/**
 * The WebSocket protocol as types (docs/websocket.md, docs/chat.md): the service's own map of every
 * event it pushes, every action a client sends, and which actions it answers
 * (functions/core/protocol.ts), read with the DOM's WebRTC types. Type-only imports: nothing of
 * the server reaches a bundle, and the SDK cannot drift from what the service sends and accepts.
 */
import type * as Protocol from '../../functions/core/protocol.ts';

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

/** The protocol's WebRTC payloads, as the browser's APIs take and give them. */
interface BrowserRtc {
  offer: SessionDescription;
  answer: SessionDescription;
  candidate: IceCandidate;
}

/**
 * Every event the service pushes, by name, with its `data`.
 *
 * @example
 * socket.on('stream:offer:received', ({ offer }) => pc.setRemoteDescription(offer));
 * socket.on('chat:messages', ({ messages }) => messages.forEach(show));
 */
export type ServerEvents = Protocol.ServerEvents<BrowserRtc>;

/**
 * Every action a client may send, by name, with its `data`.
 *
 * @example
 * socket.emit('stream:answer', { answer: { type: 'answer', sdp } });
 * socket.emit('stream:leave', {});
 */
export type ClientActions = Protocol.ClientActions<BrowserRtc>;

/**
 * The actions the service answers (echoing the frame's `ref`), and the event that answers each.
 * The others are answered only when refused (`stream:error`), so only these can be `request`ed.
 *
 * @example
 * const reply: ServerEvents[ActionReplies['stream:join']] = await socket.request('stream:join', {});
 */
export type ActionReplies = Protocol.ActionReplies;

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
