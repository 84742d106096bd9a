import WebSocket from 'ws';

export interface Frame {
  event: string;
  // biome-ignore lint/suspicious/noExplicitAny: frames are read field by field.
  data?: any;
  ref?: string;
}

interface Waiter {
  match: (frame: Frame) => boolean;
  resolve: (arrival: { frame: Frame; at: number }) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** Wall-clock milliseconds comparable across threads (each thread's `performance.now()` has its own origin). */
export const now = () => performance.timeOrigin + performance.now();

/**
 * A light protocol-level WebSocket client for the many-socket tests and the bench: no frame log, no polling. `wait` resolves on
 * the first matching frame that arrives after it is called, with its arrival time; `onFrame` sees
 * every frame as it arrives. Counts frames both ways (API Gateway bills each one).
 */
export class LightSocket {
  sent = 0;
  received = 0;
  onFrame: ((frame: Frame, at: number) => void) | undefined;
  readonly closed: Promise<void>;
  private waiters: Waiter[] = [];

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (raw) => {
      const at = now();
      this.received++;
      const frame = JSON.parse(raw.toString()) as Frame;
      this.onFrame?.(frame, at);
      const i = this.waiters.findIndex((w) => w.match(frame));
      if (i >= 0) {
        const [waiter] = this.waiters.splice(i, 1);
        clearTimeout(waiter?.timer);
        waiter?.resolve({ frame, at });
      }
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  /** Opens `url?ticket=`; rejects with the status when the upgrade is refused. */
  static connect(url: string, ticket: string, timeoutMs = 15_000): Promise<LightSocket> {
    const socket = new WebSocket(`${url}?ticket=${encodeURIComponent(ticket)}`, {
      handshakeTimeout: timeoutMs,
    });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new LightSocket(socket)));
      socket.once('unexpected-response', (_req, res) => {
        reject(new Error(`upgrade refused: ${res.statusCode}`));
        socket.terminate();
      });
      socket.once('error', reject);
    });
  }

  send(action: string, data?: unknown, ref?: string): void {
    this.sent++;
    this.socket.send(JSON.stringify({ action, ...(data !== undefined && { data }), ...(ref && { ref }) }));
  }

  /** The next arriving frame that matches, within `timeoutMs`. */
  wait(
    match: (frame: Frame) => boolean,
    what: string,
    timeoutMs = 30_000,
  ): Promise<{ frame: Frame; at: number }> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(new Error(`no ${what} within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Sends and waits for the reply carrying the same ref. */
  request(action: string, data: unknown, ref: string, timeoutMs = 30_000) {
    const reply = this.wait((f) => f.ref === ref, `a reply to ${action}`, timeoutMs);
    this.send(action, data, ref);
    return reply;
  }

  /** Closes (handshake up to `timeoutMs`, then the socket is dropped). */
  async close(timeoutMs = 5_000): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close();
    const timer = setTimeout(() => this.socket.terminate(), timeoutMs);
    await this.closed;
    clearTimeout(timer);
  }
}
