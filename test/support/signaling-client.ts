import WebSocket from 'ws';

export interface Frame {
  event: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests assert frame data field by field.
  data: any;
  ref?: string;
}

/**
 * A WebSocket client speaking the signaling protocol, for tests: every received frame is kept
 * in order, and `next` waits (bounded) for the first unseen one matching.
 */
export class SignalingClient {
  readonly frames: Frame[] = [];
  /** `performance.now()` at each frame's arrival, index for index with `frames`. */
  readonly receivedAt: number[] = [];
  private consumed = 0;
  closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (raw) => {
      this.receivedAt.push(performance.now());
      this.frames.push(JSON.parse(raw.toString()));
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  /** Connects with a ticket; rejects with the HTTP status when the upgrade is refused. */
  static connect(url: string, ticket?: string): Promise<SignalingClient> {
    const target = ticket === undefined ? url : `${url}?ticket=${encodeURIComponent(ticket)}`;
    const socket = new WebSocket(target);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new SignalingClient(socket)));
      socket.once('unexpected-response', (_req, res) =>
        reject(new Error(`upgrade refused: ${res.statusCode}`)),
      );
      socket.once('error', reject);
    });
  }

  send(action: string, data?: unknown, ref?: string): void {
    this.sendRaw(JSON.stringify({ action, ...(data !== undefined && { data }), ...(ref && { ref }) }));
  }

  sendRaw(text: string): void {
    this.socket.send(text);
  }

  /** The next frame (after those already taken) with this event, within `timeoutMs`. */
  async next(event: string, timeoutMs = 5000): Promise<Frame> {
    return this.waitFor((f, i) => i >= this.consumed && f.event === event, `${event}`, timeoutMs, true);
  }

  /** Sends and waits for the reply carrying the same ref. */
  request(action: string, data: unknown, ref: string, timeoutMs = 5000): Promise<Frame> {
    this.send(action, data, ref);
    return this.waitFor((f) => f.ref === ref, `a reply to ${action} (${ref})`, timeoutMs, false);
  }

  /** Polls (every 5 ms, bounded) for a received frame matching `match`. */
  async waitFor(match: (f: Frame, i: number) => boolean, what: string, timeoutMs: number, take: boolean) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.frames.findIndex(match);
      if (index >= 0) {
        if (take) this.consumed = index + 1;
        return this.frames[index] as Frame;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `no ${what} within ${timeoutMs} ms; got ${JSON.stringify(this.frames.slice(this.consumed))}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  close(): Promise<unknown> {
    this.socket.close();
    return this.closed;
  }
}
