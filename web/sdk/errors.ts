/** Every failure the SDK reports is a {@link LivestreamError}: a value with a stable `code`. */

/**
 * The REST API's documented error codes (docs/api.md, chat.md, recording.md), plus `NETWORK`
 * (no answer at all), `INVALID_RESPONSE` (an answer that is not the documented JSON) and
 * `UPLOAD_FAILED` (storage refused a recording part's PUT).
 *
 * @example
 * const retryable = (code: ApiErrorCode) => code === 'THROTTLED' || code === 'SERVICE_UNAVAILABLE';
 */
export type ApiErrorCode =
  | 'VALIDATION_FAILED'
  | 'INVALID_JSON'
  | 'INVALID_CURSOR'
  | 'UNAUTHORIZED'
  | 'INVALID_TOKEN'
  | 'TOKEN_EXPIRED'
  | 'FORBIDDEN'
  | 'BANNED'
  | 'STREAM_NOT_FOUND'
  | 'VIEWER_NOT_FOUND'
  | 'MESSAGE_NOT_FOUND'
  | 'RECORDING_NOT_FOUND'
  | 'ROUTE_NOT_FOUND'
  | 'STREAM_NOT_LIVE'
  | 'STREAM_ALREADY_LIVE'
  | 'STREAM_ENDED'
  | 'STREAM_FULL'
  | 'SESSION_CLOSED'
  | 'RECORDING_DISABLED'
  | 'RECORDING_EXISTS'
  | 'RECORDING_NOT_UPLOADING'
  | 'RECORDING_PROCESSING'
  | 'UPLOAD_WINDOW_CLOSED'
  | 'MISSING_PARTS'
  | 'PART_TOO_SMALL'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RATE_LIMITED'
  | 'SLOW_MODE'
  | 'CHAT_BUSY'
  | 'THROTTLED'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL'
  | 'NETWORK'
  | 'INVALID_RESPONSE'
  | 'UPLOAD_FAILED';

/**
 * `stream:error` codes (docs/websocket.md, chat.md), plus the SDK's own: `NETWORK` (the socket
 * could not open, or dropped with a request in flight), `TIMEOUT` (no reply in time),
 * `NOT_CONNECTED` (a request while the socket is not open), `RECONNECT_FAILED` (gave up).
 *
 * @example
 * const mine = (code: SocketErrorCode) => code === 'WRONG_ROLE' || code === 'INVALID_FRAME';
 */
export type SocketErrorCode =
  | 'INVALID_FRAME'
  | 'FRAME_TOO_LARGE'
  | 'SDP_TOO_LARGE'
  | 'UNKNOWN_ACTION'
  | 'WRONG_ROLE'
  | 'WRONG_PEER'
  | 'WRONG_STREAM'
  | 'VIEWER_NOT_FOUND'
  | 'BROADCASTER_NOT_CONNECTED'
  | 'STREAM_NOT_FOUND'
  | 'STREAM_NOT_LIVE'
  | 'STREAM_ENDED'
  | 'SESSION_CLOSED'
  | 'PEER_GONE'
  | 'BANNED'
  | 'VALIDATION_FAILED'
  | 'RATE_LIMITED'
  | 'SLOW_MODE'
  | 'CHAT_BUSY'
  | 'INTERNAL'
  | 'NETWORK'
  | 'TIMEOUT'
  | 'NOT_CONNECTED'
  | 'RECONNECT_FAILED';

/**
 * Any code: the documented ones autocomplete, and a code the service adds later still type-checks.
 *
 * @example
 * if (error.code === 'STREAM_FULL') showFullBanner();
 */
export type LivestreamErrorCode = ApiErrorCode | SocketErrorCode | MediaErrorCode | (string & {});

/**
 * The base of every error the SDK throws, rejects with or emits.
 *
 * @example
 * try {
 *   await viewer.join();
 * } catch (error) {
 *   if (error instanceof LivestreamError && error.code === 'STREAM_FULL') showFullBanner();
 *   else throw error;
 * }
 */
export abstract class LivestreamError extends Error {
  abstract readonly code: LivestreamErrorCode;
  /** For programs: e.g. `{issues}` on VALIDATION_FAILED, `{missing, held}` on MISSING_PARTS. */
  readonly details: Record<string, unknown> | undefined;
  /** When the service said when to retry (`details.retryAfterMs`, `Retry-After`). */
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    options: { details?: Record<string, unknown>; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * A REST call that failed: the service's `{error: {code, message, details}}` with its HTTP
 * status, or `code: 'NETWORK'` (`status: 0`) when no answer came.
 *
 * @example
 * try {
 *   await api.postChat(streamId, text);
 * } catch (error) {
 *   if (error instanceof ApiError && error.code === 'RATE_LIMITED') wait(error.retryAfterMs ?? 1000);
 * }
 */
export class ApiError extends LivestreamError {
  readonly code: ApiErrorCode | (string & {});
  /** The HTTP status; 0 when the request got no answer (`NETWORK`). */
  readonly status: number;

  constructor(
    status: number,
    code: ApiErrorCode | (string & {}),
    message: string,
    options: { details?: Record<string, unknown>; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, options);
    this.status = status;
    this.code = code;
  }
}

/**
 * A frame the service refused (`stream:error {code, message}`), or the socket failing a request.
 *
 * @example
 * try {
 *   await viewer.chat.send('hello');
 * } catch (error) {
 *   if (error instanceof SocketError && error.code === 'RATE_LIMITED') wait(error.retryAfterMs ?? 1000);
 * }
 */
export class SocketError extends LivestreamError {
  readonly code: SocketErrorCode | (string & {});

  constructor(
    code: SocketErrorCode | (string & {}),
    message: string,
    options: { details?: Record<string, unknown>; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, options);
    this.code = code;
  }
}

/**
 * What failed on this side of the wire: `MEDIA` (no camera or microphone, permission denied),
 * `WEBRTC` (a peer connection operation), `RECORDER` (MediaRecorder), `LIVE` (the live ladder:
 * its encoders, or an upload that kept failing; `cause` holds the ApiError of the last attempt).
 *
 * @example
 * const needsPermission = (code: MediaErrorCode) => code === 'MEDIA';
 */
export type MediaErrorCode = 'MEDIA' | 'WEBRTC' | 'RECORDER' | 'LIVE';

/**
 * A browser API the SDK drives failed; `cause` holds the original error (`NotAllowedError`, ...).
 *
 * @example
 * broadcaster.on('error', (error) => {
 *   if (error instanceof MediaError && error.code === 'MEDIA') askForCameraPermission();
 * });
 */
export class MediaError extends LivestreamError {
  readonly code: MediaErrorCode;

  constructor(code: MediaErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.code = code;
  }
}

/**
 * Any thrown value as a LivestreamError: one already is stays as it is; anything else becomes a
 * {@link MediaError} with `code`, keeping its message and cause.
 *
 * @example
 * pc.setRemoteDescription(answer).catch((e) => emitter.emit('error', toLivestreamError(e, 'WEBRTC')));
 */
export function toLivestreamError(error: unknown, code: MediaErrorCode): LivestreamError {
  if (error instanceof LivestreamError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new MediaError(code, `${code}: ${message}`, { cause: error });
}
