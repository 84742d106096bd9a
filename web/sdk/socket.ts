import { Listenable } from './emitter.ts';
import { ApiError, LivestreamError, SocketError } from './errors.ts';
import type { ClientActions, ReplyTo, RequestAction, ServerEvents } from './events.ts';
import type { SignalingTicket } from './types.ts';

/**
 * `connecting` (first open), `open`, `reconnecting` (dropped; backing off and retrying),
 * `closed` (by `close()`, after `stream:ended`, or after giving up).
 *
 * @example
 * viewer.on('state', (state: SocketState) => banner.toggleAttribute('hidden', state !== 'reconnecting'));
 */
export type SocketState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/**
 * How to retry after a drop: attempt `n` (from 0) waits `random() * min(maxDelayMs,
 * initialDelayMs * 2^n)` ms ("full jitter"), then asks for a fresh ticket and reopens.
 *
 * @example
 * const reconnect: ReconnectOptions = { initialDelayMs: 250, maxDelayMs: 5_000, maxAttempts: 20 };
 */
export interface ReconnectOptions {
  /** Default 500. */
  initialDelayMs?: number;
  /** Default 10,000. */
  maxDelayMs?: number;
  /** Attempts before giving up with `RECONNECT_FAILED`; default 12 (about a minute, the grace period). */
  maxAttempts?: number;
  /** Default `Math.random`; inject a fixed sequence to make delays exact. */
  random?: () => number;
}

/**
 * Runs `fn` after `delayMs`; returns a function that cancels it. Reconnect delays go through it,
 * so a test can record them (and run `fn` at once) instead of waiting.
 *
 * @example
 * const delays: number[] = [];
 * const schedule: Schedule = (fn, delayMs) => { delays.push(delayMs); queueMicrotask(fn); return () => {}; };
 */
export type Schedule = (fn: () => void, delayMs: number) => () => void;

/**
 * Options of a {@link SignalingSocket}.
 *
 * @example
 * const options: SignalingSocketOptions = { ticket: () => api.ticket(streamId), reconnect: { maxAttempts: 5 } };
 */
export interface SignalingSocketOptions {
  /** A fresh ticket: asked before the first open and before every reconnect attempt (tickets live 60 s). */
  ticket: () => Promise<SignalingTicket>;
  /** The WebSocket class (`ws` in Node); the global one by default. */
  WebSocket?: typeof WebSocket;
  /** Retry policy after a drop; `false` never reconnects. */
  reconnect?: ReconnectOptions | false;
  /** Timer for reconnect delays; `setTimeout` by default. */
  schedule?: Schedule;
  /** How long `request` waits for its reply by default; 10,000 ms. */
  requestTimeoutMs?: number;
}

/**
 * Everything a {@link SignalingSocket} emits: the service's events, plus its own `state`,
 * `open` (`reconnected`: after a drop), `reconnecting` (each attempt and its delay), `close`
 * (the socket closed, whoever closed it) and `error` (a `stream:error` no request was waiting
 * for, or reconnecting gave up).
 *
 * @example
 * socket.on('open', ({ reconnected }) => reconnected && socket.emit('stream:join', {}));
 */
export interface SocketEvents extends ServerEvents {
  state: SocketState;
  open: { reconnected: boolean };
  reconnecting: { attempt: number; delayMs: number };
  close: { code: number; reason: string };
  error: LivestreamError;
}

/**
 * The delay before reconnect attempt `attempt` (from 0): `random() * min(max, initial * 2^attempt)`.
 *
 * @example
 * backoffDelay(3, { initialDelayMs: 500, maxDelayMs: 10_000 }, () => 0.5); // 0.5 * 4000 = 2000
 */
export function backoffDelay(
  attempt: number,
  options: { initialDelayMs: number; maxDelayMs: number },
  random: () => number,
): number {
  return random() * Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** attempt);
}

interface Pending {
  resolve: (data: unknown) => void;
  reject: (error: LivestreamError) => void;
  timer: ReturnType<typeof setTimeout>;
}

const OPEN = 1;
const defaultSchedule: Schedule = (fn, delayMs) => {
  const timer = setTimeout(fn, delayMs);
  return () => clearTimeout(timer);
};

/**
 * The WebSocket protocol with a Socket.IO-like face: `on(event)`, `emit(action, data)`, and
 * `request(action, data)` for the actions the service answers. Reconnects after a drop (not after
 * `close()` or `stream:ended`) with exponential backoff and full jitter, with a fresh ticket each
 * attempt.
 *
 * @example
 * const socket = new SignalingSocket({ ticket: () => api.ticket(streamId) });
 * socket.on('stream:viewer:joined', ({ viewerId }) => offerTo(viewerId));
 * await socket.connect();
 * const { streamId: registered } = await socket.request('stream:offer', {});
 */
export class SignalingSocket extends Listenable<SocketEvents> {
  private readonly pending = new Map<string, Pending>();
  private ws: WebSocket | undefined;
  private current: SocketState = 'closed';
  private refs = 0;
  private closedByUser = false;
  private ended = false;
  private cancelWait: (() => void) | undefined;
  private connecting: Promise<void> | undefined;

  constructor(private readonly options: SignalingSocketOptions) {
    super();
  }

  /** Where the socket is: see {@link SocketState}. */
  get state(): SocketState {
    return this.current;
  }

  /**
   * Asks for a ticket and opens the socket; resolves once it is open. Rejects (state `closed`)
   * with the ticket's ApiError, or a SocketError `NETWORK` when the socket does not open.
   *
   * @example
   * await socket.connect();
   */
  connect(): Promise<void> {
    if (this.current === 'open') return Promise.resolve();
    if (this.connecting) return this.connecting;
    if (this.current === 'reconnecting') return this.nextOpen();
    this.closedByUser = false;
    this.ended = false;
    this.setState('connecting');
    this.connecting = this.open(false)
      .catch((error: LivestreamError) => {
        if (this.current === 'connecting') this.setState('closed');
        throw error;
      })
      .finally(() => {
        this.connecting = undefined;
      });
    return this.connecting;
  }

  /**
   * Sends a frame, fire and forget; returns whether it was sent (false while not open: a frame
   * is never queued across a reconnect, where it would be stale).
   *
   * @example
   * socket.emit('stream:answer', { answer: { type: 'answer', sdp } });
   */
  emit<A extends keyof ClientActions>(action: A, data: ClientActions[A]): boolean {
    return this.send({ action, data });
  }

  /**
   * Sends a frame with a `ref` and resolves with the data of the reply echoing it; rejects with a
   * SocketError: the service's `stream:error` code, `TIMEOUT`, `NOT_CONNECTED`, or `NETWORK`
   * (the socket dropped first). Only the actions the service answers can be requested.
   *
   * @example
   * const message = await socket.request('chat:message', { message: 'hi' }, { timeoutMs: 5_000 });
   */
  request<A extends RequestAction>(
    action: A,
    data: ClientActions[A],
    options: { timeoutMs?: number } = {},
  ): Promise<ReplyTo<A>> {
    const ref = `r${++this.refs}`;
    return new Promise<ReplyTo<A>>((resolve, reject) => {
      if (!this.send({ action, data, ref })) {
        reject(new SocketError('NOT_CONNECTED', `${action}: the socket is not open (${this.current})`));
        return;
      }
      const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs ?? 10_000;
      const timer = setTimeout(() => {
        this.pending.delete(ref);
        reject(new SocketError('TIMEOUT', `${action}: no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(ref, { resolve: resolve as (data: unknown) => void, reject, timer });
    });
  }

  /**
   * Closes the socket for good: no reconnect; requests in flight reject with `NOT_CONNECTED`.
   *
   * @example
   * socket.close();
   */
  close(): void {
    this.closedByUser = true;
    this.cancelWait?.();
    const ws = this.ws;
    this.ws = undefined;
    this.failPending(new SocketError('NOT_CONNECTED', 'The socket was closed'));
    if (ws && ws.readyState <= OPEN) ws.close(1000);
    if (this.current !== 'closed') this.setState('closed');
  }

  /** Resolves when a reconnect in progress opens; rejects if it ends `closed`. */
  private nextOpen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const off = this.on('state', (state) => {
        if (state === 'open') resolve();
        else if (state === 'closed') reject(new SocketError('NOT_CONNECTED', 'Reconnecting failed'));
        else return;
        off();
      });
    });
  }

  private send(frame: { action: string; data: unknown; ref?: string }): boolean {
    if (!this.ws || this.ws.readyState !== OPEN || this.current !== 'open') return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  private setState(state: SocketState): void {
    if (state === this.current) return;
    this.current = state;
    this.events.emit('state', state);
  }

  /** Ticket, then a WebSocket; resolves once open, with the socket's handlers in place. */
  private async open(reconnected: boolean): Promise<void> {
    const { url, ticket } = await this.options.ticket().catch((error: unknown) => {
      throw error instanceof LivestreamError
        ? error
        : new SocketError('NETWORK', 'No ticket', { cause: error });
    });
    if (this.closedByUser) throw new SocketError('NOT_CONNECTED', 'The socket was closed');
    const Ctor = this.options.WebSocket ?? globalThis.WebSocket;
    if (!Ctor) throw new SocketError('NETWORK', 'No WebSocket: pass the WebSocket class in the options');
    let ws: WebSocket;
    try {
      const target = new URL(url);
      target.searchParams.set('ticket', ticket);
      ws = new Ctor(target.toString());
    } catch (cause) {
      throw new SocketError('NETWORK', `Cannot open a WebSocket to ${url}`, { cause });
    }
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new SocketError('NETWORK', `The WebSocket to ${url} did not open`));
      ws.onclose = (event) =>
        reject(new SocketError('NETWORK', `The WebSocket to ${url} closed before opening (${event.code})`));
    });
    if (this.closedByUser) {
      ws.close(1000);
      throw new SocketError('NOT_CONNECTED', 'The socket was closed');
    }
    this.ws = ws;
    ws.onmessage = (event) => this.receive(typeof event.data === 'string' ? event.data : String(event.data));
    ws.onerror = null;
    ws.onclose = (event) => this.dropped(ws, event.code, event.reason);
    this.setState('open');
    this.events.emit('open', { reconnected });
  }

  private receive(raw: string): void {
    let frame: { event?: unknown; data?: unknown; ref?: unknown };
    try {
      frame = JSON.parse(raw);
    } catch {
      return;
    }
    if (typeof frame?.event !== 'string') return;
    const event = frame.event as keyof ServerEvents;
    const data = (frame.data ?? {}) as Record<string, unknown>;
    if (event === 'stream:ended') this.ended = true;
    const ref = typeof frame.ref === 'string' ? frame.ref : undefined;
    const waiting = ref === undefined ? undefined : this.pending.get(ref);
    if (waiting && ref !== undefined) {
      this.pending.delete(ref);
      clearTimeout(waiting.timer);
      if (event === 'stream:error') waiting.reject(socketError(data));
      else waiting.resolve(data);
    } else if (event === 'stream:error') {
      this.events.emit('error', socketError(data));
    }
    this.events.emit(event, data as never);
  }

  private dropped(ws: WebSocket, code: number, reason: string): void {
    if (ws !== this.ws) return;
    this.ws = undefined;
    this.failPending(new SocketError('NETWORK', `The connection dropped (${code})`));
    this.events.emit('close', { code, reason });
    if (this.closedByUser || this.ended || this.options.reconnect === false) {
      this.setState('closed');
      return;
    }
    void this.reconnect();
  }

  private async reconnect(): Promise<void> {
    const policy = this.options.reconnect || {};
    const limits = { initialDelayMs: policy.initialDelayMs ?? 500, maxDelayMs: policy.maxDelayMs ?? 10_000 };
    const maxAttempts = policy.maxAttempts ?? 12;
    const random = policy.random ?? Math.random;
    this.setState('reconnecting');
    let last: unknown;
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const delayMs = backoffDelay(attempt, limits, random);
      this.events.emit('reconnecting', { attempt: attempt + 1, delayMs });
      await this.wait(delayMs);
      if (this.closedByUser) return;
      try {
        await this.open(true);
        return;
      } catch (error) {
        if (this.closedByUser) return;
        last = error;
        if (isFinal(error)) break;
      }
    }
    this.setState('closed');
    this.events.emit(
      'error',
      isFinal(last)
        ? (last as ApiError)
        : new SocketError('RECONNECT_FAILED', `Could not reconnect in ${maxAttempts} attempts`, {
            details: { attempts: maxAttempts },
            cause: last,
          }),
    );
  }

  private wait(delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      const cancel = (this.options.schedule ?? defaultSchedule)(() => {
        this.cancelWait = undefined;
        resolve();
      }, delayMs);
      this.cancelWait = () => {
        cancel();
        this.cancelWait = undefined;
        resolve();
      };
    });
  }

  private failPending(error: LivestreamError): void {
    for (const [ref, waiting] of this.pending) {
      this.pending.delete(ref);
      clearTimeout(waiting.timer);
      waiting.reject(error);
    }
  }
}

function socketError(data: Record<string, unknown>): SocketError {
  const code = typeof data.code === 'string' ? data.code : 'INTERNAL';
  const message = typeof data.message === 'string' ? data.message : code;
  const retryAfterMs = typeof data.retryAfterMs === 'number' ? data.retryAfterMs : undefined;
  return new SocketError(code, message, { details: data, retryAfterMs });
}

/**
 * A refusal a fresh ticket will not fix (the stream ended, access denied): stop retrying. A 401
 * is retried (the token function may hand out a refreshed token), as are 408 and 429.
 */
function isFinal(error: unknown): error is ApiError {
  return (
    error instanceof ApiError &&
    error.status >= 400 &&
    error.status < 500 &&
    ![401, 408, 429].includes(error.status)
  );
}
