import { isUtf8 } from 'node:buffer';
import { WebSocket } from 'ws';
import type { AuthorizerView, WsConnectionInfo } from './ws-events.ts';

/** API Gateway's limit on one WebSocket message, either way: 128 KB. */
export const MAX_WS_MESSAGE_BYTES = 128 * 1024;

/** How a connection ended: `disconnectStatusCode` and `disconnectReason` of its $disconnect. */
export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

export interface ConnectionLimits {
  /** No message either way for this long closes the connection (API Gateway: 10 min). */
  readonly idleTimeoutMs: number;
  /** Every connection is closed this long after it opened (API Gateway: 2 h). */
  readonly maxLifetimeMs: number;
}

/** The close API Gateway does itself (idle, lifetime, shutdown); the $disconnect shows it. */
export const GOING_AWAY: CloseInfo = { code: 1001, reason: 'Going away' };
/** A peer that does not answer our close frame is dropped after this, as API Gateway would not wait. */
const CLOSE_HANDSHAKE_MS = 1_000;
// What ws reports for a frame it refused, as the close code it sent (RFC 6455 section 7.4.1).
const PROTOCOL_CLOSES: Record<string, CloseInfo> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: { code: 1009, reason: 'Message too big' },
  WS_ERR_INVALID_UTF8: { code: 1007, reason: 'Invalid frame payload data' },
};

/**
 * One open WebSocket as API Gateway holds it: its identity and authorizer context for every
 * event, its idle and lifetime timers, and a queue so that its invocations run in order.
 * `onEnd` is called exactly once, at the first of: the client closing, the socket dropping,
 * `close()` (a DELETE on @connections, a timer, the stack stopping).
 */
export class WsConnection {
  lastActiveAt: number;
  private queue: Promise<void> = Promise.resolve();
  private ended = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly lifetimeTimer: NodeJS.Timeout;

  constructor(
    private readonly socket: WebSocket,
    readonly info: WsConnectionInfo,
    readonly authorizer: AuthorizerView | undefined,
    private readonly limits: ConnectionLimits,
    private readonly onEnd: (connection: WsConnection, close: CloseInfo) => void,
  ) {
    this.lastActiveAt = info.connectedAt;
    this.lifetimeTimer = setTimeout(() => this.close(GOING_AWAY), limits.maxLifetimeMs);
    this.touch();
    socket.on('close', (code: number, reason: Buffer) => this.end(clientClose(code, reason)));
    socket.on('error', (err: Error & { code?: string }) =>
      this.end(PROTOCOL_CLOSES[err.code ?? ''] ?? { code: 1002, reason: 'Protocol error' }),
    );
  }

  get open(): boolean {
    return !this.ended && this.socket.readyState === WebSocket.OPEN;
  }

  /** Runs `task` after every task queued before it; a failing task does not stop the queue. */
  enqueue(task: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(task, task);
    return this.queue;
  }

  /** A frame to the client: text when the bytes are UTF-8 (what browsers expect), unless `binary`. */
  send(data: Buffer | string, binary = typeof data !== 'string' && !isUtf8(data)): boolean {
    if (!this.open) return false;
    this.socket.send(data, { binary });
    this.touch();
    return true;
  }

  /** Counts as activity for the idle timeout: a message in either direction (not pings). */
  touch(): void {
    this.lastActiveAt = Date.now();
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.close(GOING_AWAY), this.limits.idleTimeoutMs);
  }

  /** Server-side close: the connection is gone at once for @connections and $disconnect runs. */
  close(close: CloseInfo): void {
    if (this.ended) return;
    this.end(close);
    this.socket.close(close.code, close.reason);
    setTimeout(() => this.socket.terminate(), CLOSE_HANDSHAKE_MS).unref();
  }

  /** Drops the socket without a close handshake (the stack is stopping and will not wait). */
  terminate(): void {
    this.socket.terminate();
  }

  private end(close: CloseInfo): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.idleTimer);
    clearTimeout(this.lifetimeTimer);
    this.onEnd(this, close);
  }
}

/** The client's close as API Gateway reports it; 1005 is a close frame without a status. */
function clientClose(code: number, reason: Buffer): CloseInfo {
  if (code === 1005) return { code, reason: 'Client-side close frame status not set' };
  return { code, reason: reason.toString('utf8') };
}
