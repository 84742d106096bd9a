import type { LivestreamApi } from './api.ts';
import { Emitter, Listenable } from './emitter.ts';
import type { LivestreamError } from './errors.ts';
import { type ReconnectOptions, type Schedule, SignalingSocket } from './socket.ts';
import type { ChatMessage } from './types.ts';

/**
 * What a chat room emits: each message once (`message`), a moderator's deletion (`deleted`, the
 * message id), `joined` each time the connection (re)enters the room.
 *
 * @example
 * const events: (keyof ChatEvents)[] = ['message', 'deleted', 'joined'];
 */
export interface ChatEvents {
  message: ChatMessage;
  deleted: string;
  joined: { streamId: string };
}

/**
 * A stream's chat room over a signaling socket. The room is joined (`join-livestream {batch:
 * true}`) every time the socket opens, reconnects included: under a burst the service coalesces
 * messages into `chat:messages` frames for it, a few frames a second however busy the room, and
 * the channel emits them one by one. Delivery is at least once; the channel skips ids it has
 * already emitted, so each message reaches `message` listeners once, your own included (when
 * `send` resolves, or when the room's copy arrives, whichever is first).
 *
 * @example
 * viewer.chat.on('message', (m) => append(m.userId, m.message)); // render as text, never HTML
 * await viewer.chat.send('hello');
 * const { messages } = await viewer.chat.history({ limit: 50 });
 */
export interface ChatChannel {
  /** Posts a message; resolves with the stored one, rejects with a SocketError (`RATE_LIMITED`, `BANNED`, ...). */
  send(message: string): Promise<ChatMessage>;
  /** Subscribes to `message`, `deleted` or `joined`; returns the unsubscribe. */
  on<E extends keyof ChatEvents>(event: E, fn: (data: ChatEvents[E]) => void): () => void;
  /** History over REST, newest first; `before` is the previous page's `nextCursor`. */
  history(page?: {
    limit?: number;
    before?: string;
  }): Promise<{ messages: ChatMessage[]; nextCursor: string | null }>;
}

/** Ids kept for de-duplication: far more than any screen shows. */
const SEEN_LIMIT = 5_000;

/**
 * The {@link ChatChannel} of a socket; Broadcaster, Viewer and ChatClient each make one.
 *
 * @internal Not exported from index.ts.
 */
export class SocketChat extends Listenable<ChatEvents> implements ChatChannel {
  private readonly seen = new Set<string>();

  constructor(
    private readonly socket: SignalingSocket,
    private readonly api: LivestreamApi,
    private readonly streamId: string,
    onError: (error: LivestreamError) => void,
  ) {
    super();
    socket.on('open', () => {
      // Batches: one frame per message (the spec's default) would cost a frame per message.
      socket.request('join-livestream', { batch: true }).then(
        (joined) => this.events.emit('joined', joined),
        (error: LivestreamError) => {
          if (error.code !== 'NOT_CONNECTED' && error.code !== 'NETWORK') onError(error);
        },
      );
    });
    // Both kinds: a lone message comes as the spec's `chat:message` even to a batching member.
    socket.on('chat:message', (m) => this.show(m));
    socket.on('chat:messages', ({ messages }) => {
      for (const m of messages) this.show(m);
    });
    socket.on('chat:deleted', ({ id }) => this.events.emit('deleted', id));
  }

  async send(message: string): Promise<ChatMessage> {
    const stored = await this.socket.request('chat:message', { message });
    this.show(stored);
    return stored;
  }

  history(page: { limit?: number; before?: string } = {}) {
    return this.api.chatHistory(this.streamId, page);
  }

  private show(message: ChatMessage): void {
    if (this.seen.has(message.id)) return;
    this.seen.add(message.id);
    if (this.seen.size > SEEN_LIMIT) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    this.events.emit('message', message);
  }
}

/**
 * Options of a {@link ChatClient}.
 *
 * @example
 * const options: ChatClientOptions = { api, streamId };
 */
export interface ChatClientOptions {
  api: LivestreamApi;
  streamId: string;
  WebSocket?: typeof WebSocket;
  reconnect?: ReconnectOptions | false;
  schedule?: Schedule;
}

/**
 * Chat without watching (a second screen, a moderator's console): its own chat-only socket on a
 * ticket from `POST /chat/ticket`. Broadcasters and viewers use their own `chat` instead.
 *
 * @example
 * const chat = new ChatClient({ api, streamId });
 * chat.on('message', (m) => append(m.userId, m.message));
 * chat.onError((e) => console.warn(e.code));
 * await chat.connect();
 * await chat.send('hi from the console');
 * chat.close();
 */
export class ChatClient implements ChatChannel {
  /** The chat-only socket (its `state`, `stream:ended`, ...). */
  readonly socket: SignalingSocket;
  private readonly chat: SocketChat;
  private readonly errors = new Emitter<{ error: LivestreamError }>();

  constructor(options: ChatClientOptions) {
    this.socket = new SignalingSocket({
      ticket: () => options.api.chatTicket(options.streamId),
      WebSocket: options.WebSocket,
      reconnect: options.reconnect,
      schedule: options.schedule,
    });
    const report = (error: LivestreamError) => this.errors.emit('error', error);
    this.socket.on('error', report);
    this.chat = new SocketChat(this.socket, options.api, options.streamId, report);
  }

  /** Opens the socket; the room is joined as soon as it is open. */
  connect(): Promise<void> {
    return this.socket.connect();
  }

  /** Closes the socket for good. */
  close(): void {
    this.socket.close();
  }

  /** Errors with no caller to reject: joining the room refused (`BANNED`), reconnecting gave up. */
  onError(fn: (error: LivestreamError) => void): () => void {
    return this.errors.on('error', fn);
  }

  send(message: string): Promise<ChatMessage> {
    return this.chat.send(message);
  }

  on<E extends keyof ChatEvents>(event: E, fn: (data: ChatEvents[E]) => void): () => void {
    return this.chat.on(event, fn);
  }

  history(page?: { limit?: number; before?: string }) {
    return this.chat.history(page);
  }
}
