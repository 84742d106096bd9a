/**
 * The DreamX Livestream browser SDK: REST ({@link LivestreamApi}), the WebSocket protocol
 * ({@link SignalingSocket}), and the two roles built on them ({@link Broadcaster},
 * {@link Viewer}), each with its chat room. Its dependencies load only when used: mediabunny by
 * the Broadcaster's live ladder when it starts, hls.js by a Viewer that plays the HLS tier. Runs
 * in browsers and, with `WebSocket`, `RTCPeerConnection` and `fetch` injected, in Node. See
 * docs/sdk.md.
 *
 * @example
 * import { Broadcaster, LivestreamApi, Viewer } from './web/sdk/index.ts';
 * const api = new LivestreamApi({ baseUrl: 'http://localhost:3000', token: () => getToken() });
 */
export {
  type ClientOptions,
  type CreateStreamInput,
  type JoinResult,
  LivestreamApi,
  type PartUrl,
} from './api.ts';
export {
  Broadcaster,
  type BroadcasterEvents,
  type BroadcasterOptions,
  RECOMMENDED_MEDIA,
} from './broadcaster.ts';
export { type ChatChannel, ChatClient, type ChatClientOptions, type ChatEvents } from './chat.ts';
export { Emitter } from './emitter.ts';
export {
  ApiError,
  type ApiErrorCode,
  LivestreamError,
  type LivestreamErrorCode,
  MediaError,
  type MediaErrorCode,
  SocketError,
  type SocketErrorCode,
} from './errors.ts';
export type {
  ActionReplies,
  ClientActions,
  IceCandidate,
  ReplyTo,
  RequestAction,
  ServerEvents,
  SessionDescription,
} from './events.ts';
export type { LiveOptions, UplinkReport } from './live/live-tier.ts';
export type { UploadStats } from './live/queue.ts';
export { DEFAULT_ICE_SERVERS } from './peer.ts';
export { DEFAULT_PART_BYTES, MIN_PART_BYTES, type RecordingProgress } from './recorder.ts';
export {
  backoffDelay,
  type ReconnectOptions,
  type Schedule,
  SignalingSocket,
  type SignalingSocketOptions,
  type SocketEvents,
  type SocketState,
} from './socket.ts';
export type {
  ChatMessage,
  EndReason,
  LiveCredential,
  Page,
  PublicStream,
  Recording,
  RecordingStatus,
  RecordingSummary,
  Rendition,
  SignalingTicket,
  StreamStats,
  StreamStatus,
  UploadTerms,
  ViewerTier,
} from './types.ts';
export { OFFER_TIMEOUT_MS, Viewer, type ViewerEvents, type ViewerOptions } from './viewer.ts';
