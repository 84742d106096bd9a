import { ApiError } from './errors.ts';
import type {
  ChatMessage,
  LiveCredential,
  PublicStream,
  Recording,
  SignalingTicket,
  StreamStats,
  UploadTerms,
} from './types.ts';

/**
 * Where the API is and who is calling.
 *
 * @example
 * const options: ClientOptions = {
 *   baseUrl: 'http://localhost:3000',
 *   token: async () => (await auth.currentSession()).accessToken,
 * };
 */
export interface ClientOptions {
  /** The REST base URL (`RestApiUrl`, or `http://localhost:3000` locally); no trailing path. */
  baseUrl: string;
  /** A bearer token, or a function asked before every call (so a refreshed token is used). */
  token?: string | (() => string | Promise<string>);
  /** `fetch` to use (tests, polyfills); the global one by default. */
  fetch?: typeof fetch;
  /**
   * The stream key, for an encoder without a user session: sent as `X-Stream-Key` on `start`,
   * on the broadcaster's `ticket` and on `liveCredential` (never in a URL).
   */
  streamKey?: string;
}

/**
 * The body of `POST /api/livestream/create`.
 *
 * @example
 * const input: CreateStreamInput = { title: 'Morning run', recordingEnabled: true, maxViewers: 20 };
 */
export interface CreateStreamInput {
  title: string;
  description?: string;
  recordingEnabled?: boolean;
  maxViewers?: number;
}

/**
 * What `POST /join` answers: the viewing session, its ICE servers and its signaling ticket.
 *
 * @example
 * const { viewerId, iceServers }: JoinResult = await api.join(streamId);
 */
export interface JoinResult {
  viewerId: string;
  iceServers: RTCIceServer[];
  signaling: SignalingTicket;
}

/**
 * A presigned part upload: PUT exactly `sizeBytes` bytes to `url`, keep the `ETag` answered.
 *
 * @example
 * const part: PartUrl = await api.recordingPartUrl(streamId, 1, blob.size);
 * const etag = await api.putPart(part.url, blob);
 */
export interface PartUrl {
  partNumber: number;
  url: string;
  method: 'PUT';
  sizeBytes: number;
  expiresAt: string;
}

interface CallOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  /** Send `X-Stream-Key`: `true` for the client's own key (if it has one), or this key. */
  streamKey?: boolean | string;
}

const stream = (id: string) => `/api/livestream/${encodeURIComponent(id)}`;

/**
 * The REST API, one method per route; each resolves with the answer's JSON body and rejects with
 * an {@link ApiError} (`code: 'NETWORK'` when no answer came).
 *
 * @example
 * const api = new LivestreamApi({ baseUrl: 'http://localhost:3000', token: () => getToken() });
 * const { streamId } = await api.createStream({ title: 'Morning run', recordingEnabled: true });
 * const { streams } = await api.listActive({ limit: 20 });
 */
export class LivestreamApi {
  private readonly baseUrl: string;

  constructor(private readonly options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  /**
   * `POST /api/livestream/create`: a new stream in `created`; the key is shown only now.
   *
   * @example
   * const { streamId, streamKey } = await api.createStream({ title: 'Q&A', maxViewers: 20 });
   */
  createStream(
    input: CreateStreamInput,
  ): Promise<{ streamId: string; streamKey: string; stream: PublicStream }> {
    return this.call('POST', '/api/livestream/create', { body: input });
  }

  /**
   * `GET /api/livestream/active`: live streams, newest first (public).
   *
   * @example
   * const first = await api.listActive({ limit: 10 });
   * const next = first.nextCursor ? await api.listActive({ limit: 10, cursor: first.nextCursor }) : undefined;
   */
  listActive(
    page: { limit?: number; cursor?: string } = {},
  ): Promise<{ streams: PublicStream[]; nextCursor: string | null }> {
    return this.call('GET', '/api/livestream/active', { query: page });
  }

  /**
   * `GET /api/livestream/{id}`: one stream in any state (public).
   *
   * @example
   * const { status, viewerCount } = await api.getStream(streamId);
   */
  getStream(streamId: string): Promise<PublicStream> {
    return this.call('GET', stream(streamId));
  }

  /**
   * `POST /{id}/start` (owner, or the stream key): `created -> live`, with the broadcaster's ticket.
   *
   * @example
   * const { signaling } = await api.start(streamId);
   */
  async start(streamId: string): Promise<{ signaling: SignalingTicket }> {
    const { signaling } = await this.call<{ signaling: SignalingTicket }>(
      'POST',
      `${stream(streamId)}/start`,
      {
        streamKey: true,
      },
    );
    return { signaling };
  }

  /**
   * `POST /{id}/end` (owner): `live -> ended`; every viewer is told and disconnected.
   *
   * @example
   * await api.end(streamId);
   */
  async end(streamId: string, body: { recordingUrl?: string } = {}): Promise<void> {
    await this.call('POST', `${stream(streamId)}/end`, { body });
  }

  /**
   * `POST /{id}/key` (owner): a new stream key; the old one stops working at once.
   *
   * @example
   * const { streamKey } = await api.rotateKey(streamId);
   */
  rotateKey(streamId: string): Promise<{ streamKey: string }> {
    return this.call('POST', `${stream(streamId)}/key`);
  }

  /**
   * `POST /{id}/join` (signed in, while live): a viewing session, ICE servers and a ticket.
   *
   * @example
   * const { viewerId, iceServers, signaling } = await api.join(streamId);
   */
  async join(streamId: string): Promise<JoinResult> {
    const { viewerId, iceServers, signaling } = await this.call<JoinResult>(
      'POST',
      `${stream(streamId)}/join`,
    );
    return { viewerId, iceServers, signaling };
  }

  /**
   * `POST /{id}/leave` (the session's user): closes the viewing session; idempotent.
   *
   * @example
   * await api.leave(streamId, viewerId);
   */
  async leave(streamId: string, viewerId: string): Promise<void> {
    await this.call('POST', `${stream(streamId)}/leave`, { body: { viewerId } });
  }

  /**
   * `POST /{id}/ticket`: a fresh signaling ticket (60 s) to reconnect; `{}` for the broadcaster,
   * `{viewerId}` for a viewer's own open session.
   *
   * @example
   * const signaling = await api.ticket(streamId); // the broadcaster's
   */
  async ticket(streamId: string, body: { viewerId?: string } = {}): Promise<SignalingTicket> {
    const answer = await this.call<{ signaling: SignalingTicket }>('POST', `${stream(streamId)}/ticket`, {
      body,
      streamKey: body.viewerId === undefined,
    });
    return answer.signaling;
  }

  /**
   * `POST /{id}/live/credential` (owner, or the stream key; while live): the presigned POST the
   * live ladder's segments and playlists are uploaded with (docs/live.md). `streamKey` overrides
   * the client's own.
   *
   * @example
   * const { url, fields, keyPrefix, expiresAt } = await api.liveCredential(streamId);
   */
  liveCredential(streamId: string, options: { streamKey?: string } = {}): Promise<LiveCredential> {
    return this.call('POST', `${stream(streamId)}/live/credential`, { streamKey: options.streamKey ?? true });
  }

  /**
   * `POST /{id}/chat/ticket`: a chat-only WebSocket ticket for a user who is not watching.
   *
   * @example
   * const signaling = await api.chatTicket(streamId);
   */
  async chatTicket(streamId: string): Promise<SignalingTicket> {
    return (await this.call<{ signaling: SignalingTicket }>('POST', `${stream(streamId)}/chat/ticket`))
      .signaling;
  }

  /**
   * `GET /{id}/chat`: history, newest first; pass `nextCursor` as `before` for older messages.
   *
   * @example
   * const { messages, nextCursor } = await api.chatHistory(streamId, { limit: 50 });
   */
  chatHistory(
    streamId: string,
    page: { limit?: number; before?: string } = {},
  ): Promise<{ messages: ChatMessage[]; nextCursor: string | null }> {
    return this.call('GET', `${stream(streamId)}/chat`, { query: page });
  }

  /**
   * `POST /{id}/chat`: posts a message over REST (the socket's `chat.send` does the same).
   *
   * @example
   * const stored = await api.postChat(streamId, 'hello');
   */
  postChat(streamId: string, message: string): Promise<ChatMessage> {
    return this.call('POST', `${stream(streamId)}/chat`, { body: { message } });
  }

  /**
   * `DELETE /{id}/chat/{messageId}` (moderators): the room gets `chat:deleted`.
   *
   * @example
   * await api.deleteChatMessage(streamId, message.id);
   */
  async deleteChatMessage(streamId: string, messageId: string): Promise<void> {
    await this.call('DELETE', `${stream(streamId)}/chat/${encodeURIComponent(messageId)}`);
  }

  /**
   * `POST /{id}/chat/bans` (moderators): bans a user, for good when no duration is given.
   *
   * @example
   * const { bannedUntil } = await api.banUser(streamId, 'mallory', 600);
   */
  banUser(
    streamId: string,
    userId: string,
    durationSeconds?: number,
  ): Promise<{ userId: string; bannedUntil: string | null }> {
    return this.call('POST', `${stream(streamId)}/chat/bans`, { body: { userId, durationSeconds } });
  }

  /**
   * `DELETE /{id}/chat/bans/{userId}` (moderators): lifts a ban.
   *
   * @example
   * await api.unbanUser(streamId, 'mallory');
   */
  async unbanUser(streamId: string, userId: string): Promise<void> {
    await this.call('DELETE', `${stream(streamId)}/chat/bans/${encodeURIComponent(userId)}`);
  }

  /**
   * `POST /{id}/chat/slow-mode` (moderators): one message per user per `seconds` (0: off).
   *
   * @example
   * await api.setSlowMode(streamId, 10);
   */
  setSlowMode(streamId: string, seconds: number): Promise<{ slowModeSeconds: number }> {
    return this.call('POST', `${stream(streamId)}/chat/slow-mode`, { body: { seconds } });
  }

  /**
   * `POST /{id}/terminate` (admins): ends any live stream at once, with a reason everyone sees.
   *
   * @example
   * await api.terminate(streamId, 'Terms of service');
   */
  async terminate(streamId: string, reason: string): Promise<void> {
    await this.call('POST', `${stream(streamId)}/terminate`, { body: { reason } });
  }

  /**
   * `POST /{id}/recording` (owner): opens (or resumes) the recording upload.
   *
   * @example
   * const { upload } = await api.openRecording(streamId, 'video/webm;codecs=vp9,opus');
   */
  openRecording(
    streamId: string,
    contentType: string,
  ): Promise<{ recording: Recording; upload: UploadTerms }> {
    return this.call('POST', `${stream(streamId)}/recording`, { body: { contentType } });
  }

  /**
   * `POST /{id}/recording/parts` (owner): a presigned URL for one part of exactly `sizeBytes`.
   *
   * @example
   * const { url } = await api.recordingPartUrl(streamId, 1, blob.size);
   * const etag = (await fetch(url, { method: 'PUT', body: blob })).headers.get('ETag');
   */
  recordingPartUrl(streamId: string, partNumber: number, sizeBytes: number): Promise<PartUrl> {
    return this.call('POST', `${stream(streamId)}/recording/parts`, { body: { partNumber, sizeBytes } });
  }

  /**
   * PUTs one part to its presigned URL (from {@link LivestreamApi.recordingPartUrl}) and resolves
   * with the `ETag` S3 answered, which `completeRecording` needs.
   *
   * @example
   * const { url } = await api.recordingPartUrl(streamId, 1, blob.size);
   * const etag = await api.putPart(url, blob);
   */
  async putPart(url: string, body: Blob): Promise<string> {
    let res: Response;
    try {
      res = await (this.options.fetch ?? globalThis.fetch)(url, { method: 'PUT', body });
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new ApiError(0, 'NETWORK', `PUT of a recording part got no answer: ${reason}`, { cause });
    }
    const etag = res.headers.get('ETag');
    await res.arrayBuffer().catch(() => undefined);
    if (!res.ok || !etag) {
      const code =
        res.status === 403 ? 'FORBIDDEN' : res.status >= 500 ? 'SERVICE_UNAVAILABLE' : 'UPLOAD_FAILED';
      throw new ApiError(res.status, code, `PUT of a recording part answered HTTP ${res.status}`);
    }
    return etag;
  }

  /**
   * `POST /{id}/recording/complete` (owner): the parts in ascending order; the recording goes
   * `processing`.
   *
   * @example
   * const { recording } = await api.completeRecording(streamId, [{ partNumber: 1, etag }]);
   */
  completeRecording(
    streamId: string,
    parts: { partNumber: number; etag: string }[],
  ): Promise<{ recording: Recording }> {
    return this.call('POST', `${stream(streamId)}/recording/complete`, { body: { parts } });
  }

  /**
   * `GET /{id}/recording` (public): the recording and, once ready, its playback URLs.
   *
   * @example
   * const { recording } = await api.getRecording(streamId);
   */
  getRecording(streamId: string): Promise<{ recording: Recording }> {
    return this.call('GET', `${stream(streamId)}/recording`);
  }

  /**
   * `GET /api/livestream/recordings` (signed in): the caller's recordings, newest first.
   *
   * @example
   * const { recordings } = await api.listRecordings({ limit: 20 });
   */
  listRecordings(
    page: { limit?: number; cursor?: string } = {},
  ): Promise<{ recordings: { title: string; recording: Recording }[]; nextCursor: string | null }> {
    return this.call('GET', '/api/livestream/recordings', { query: page });
  }

  /**
   * `DELETE /{id}/recording` (owner or admin): removes every object of the recording.
   *
   * @example
   * await api.deleteRecording(streamId);
   */
  deleteRecording(streamId: string): Promise<{ recording: Recording }> {
    return this.call('DELETE', `${stream(streamId)}/recording`);
  }

  /**
   * `GET /{id}/stats` (owner): viewers now and at peak, views, watch time, concurrency per minute.
   *
   * @example
   * const { peakViewers, concurrency } = await api.stats(streamId);
   */
  stats(streamId: string): Promise<StreamStats> {
    return this.call('GET', `${stream(streamId)}/stats`);
  }

  /**
   * One call: JSON in, JSON out, every failure an ApiError. Exposed for routes added later.
   *
   * @example
   * const body = await api.call<{ success: boolean }>('POST', `/api/livestream/${id}/end`, { body: {} });
   */
  async call<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = typeof this.options.token === 'function' ? await this.options.token() : this.options.token;
    if (token) headers.Authorization = `Bearer ${token}`;
    const streamKey = options.streamKey === true ? this.options.streamKey : options.streamKey || undefined;
    if (streamKey) headers['X-Stream-Key'] = streamKey;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['Content-Type'] = 'application/json';
    }
    const url = `${this.baseUrl}${path}${queryString(options.query)}`;
    const doFetch = this.options.fetch ?? globalThis.fetch;
    let res: Response;
    try {
      res = await doFetch(url, { method, headers, body });
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new ApiError(0, 'NETWORK', `${method} ${path} got no answer: ${reason}`, { cause });
    }
    const text = await res.text().catch(() => '');
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) throw errorFrom(res, json, `${method} ${path}`);
    if (text && json === undefined) {
      throw new ApiError(
        res.status,
        'INVALID_RESPONSE',
        `${method} ${path} answered a body that is not JSON`,
      );
    }
    return json as T;
  }
}

function queryString(query: CallOptions['query']): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined) params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The documented `{error: {code, message, details}}`, or a status-derived code when it is absent. */
function errorFrom(res: Response, json: unknown, what: string): ApiError {
  const error = (json as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)
    ?.error;
  const details =
    error?.details && typeof error.details === 'object'
      ? (error.details as Record<string, unknown>)
      : undefined;
  const fromDetails = typeof details?.retryAfterMs === 'number' ? details.retryAfterMs : undefined;
  const header = res.headers.get('Retry-After');
  const fromHeader =
    header !== null && /^\d+(\.\d+)?$/.test(header.trim()) ? Number(header) * 1000 : undefined;
  const code =
    typeof error?.code === 'string'
      ? error.code
      : res.status === 429
        ? 'THROTTLED'
        : res.status >= 500
          ? 'INTERNAL'
          : 'INVALID_RESPONSE';
  const message =
    typeof error?.message === 'string' ? error.message : `${what} failed with HTTP ${res.status}`;
  return new ApiError(res.status, code, message, { details, retryAfterMs: fromDetails ?? fromHeader });
}
