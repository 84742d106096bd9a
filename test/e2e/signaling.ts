import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { z } from 'zod';
import { Changes } from './wait.ts';

const Description = z.object({ type: z.string(), sdp: z.string() });
const Candidate = z.object({
  candidate: z.string(),
  sdpMid: z.string().nullish(),
  sdpMLineIndex: z.number().nullish(),
  usernameFragment: z.string().nullish(),
});

/**
 * What docs/websocket.md promises each server event carries. Every frame is checked on arrival,
 * so a server that drifts from the documented shapes fails the test at the frame that drifted
 * instead of somewhere downstream in WebRTC.
 */
const serverEvents = {
  'stream:offer:ack': z.object({ streamId: z.string() }),
  'stream:viewer:joined': z.object({ viewerId: z.string() }),
  'stream:viewer:left': z.object({ viewerId: z.string() }),
  'stream:answer:received': z.object({ viewerId: z.string(), answer: Description }),
  'stream:ice-candidate:received': z.object({ viewerId: z.string().optional(), candidate: Candidate }),
  'stream:join:ack': z.object({
    streamId: z.string(),
    viewerId: z.string(),
    broadcasterConnected: z.boolean(),
  }),
  'stream:offer:received': z.object({ offer: Description }),
  'stream:broadcaster:left': z.object({ graceSeconds: z.number() }),
  'stream:ended': z.object({ streamId: z.string(), reason: z.string() }),
  'stream:error': z.object({ code: z.string(), message: z.string(), retryAfterMs: z.number().optional() }),
};

export type ServerEvent = keyof typeof serverEvents;
export type EventData<E extends ServerEvent> = z.infer<(typeof serverEvents)[E]>;
export type CandidateInit = z.infer<typeof Candidate>;

interface Received {
  event: string;
  data: unknown;
  ref?: string;
}

/** The `ws` client side of the signaling protocol, recording everything it receives. */
export class SignalingClient {
  /** Every frame, in arrival order: tests assert on sequences, not only on presence. */
  readonly received: Received[] = [];
  /** Frames whose event is undocumented or whose data does not match the documented shape. */
  readonly violations: string[] = [];
  private readonly listeners = new Map<string, Array<(data: never) => void>>();
  private readonly changes = new Changes();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (raw) => this.receive(String(raw)));
    socket.on('close', () => this.changes.notify());
  }

  /** Opens `url?ticket=...`; an upgrade refused by the server rejects with its HTTP status. */
  static connect(url: string, ticket: string, timeoutMs = 5_000): Promise<SignalingClient> {
    const target = new URL(url);
    target.searchParams.set('ticket', ticket);
    const socket = new WebSocket(target, { handshakeTimeout: timeoutMs });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new SignalingClient(socket)));
      socket.once('unexpected-response', (_req, res) => {
        reject(new Error(`WebSocket upgrade to ${url} refused: HTTP ${res.statusCode}`));
        socket.terminate();
      });
      socket.once('error', reject);
    });
  }

  /** `stream:error` payloads received so far. */
  get errors(): Array<EventData<'stream:error'>> {
    return this.received
      .filter((f) => f.event === 'stream:error')
      .map((f) => f.data as EventData<'stream:error'>);
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Calls `listener` for every later `event` (the peers react to events through this). */
  on<E extends ServerEvent>(event: E, listener: (data: EventData<E>) => void): void {
    const list = this.listeners.get(event) ?? [];
    list.push(listener as (data: never) => void);
    this.listeners.set(event, list);
  }

  send(action: string, data: Record<string, unknown> = {}, ref?: string): void {
    this.socket.send(JSON.stringify({ action, data, ...(ref && { ref }) }));
  }

  /**
   * Sends `action` with a fresh ref and resolves with the `reply` event echoing it; a
   * `stream:error` echoing it rejects with its code, so a refused request fails loudly.
   */
  async request<E extends ServerEvent>(
    action: string,
    data: Record<string, unknown>,
    reply: E,
    timeoutMs = 5_000,
  ): Promise<EventData<E>> {
    const ref = randomUUID();
    this.send(action, data, ref);
    const frame = await this.frame(
      (f) => f.ref === ref && (f.event === reply || f.event === 'stream:error'),
      `${reply} for ${action} (ref ${ref})`,
      timeoutMs,
    );
    if (frame.event === 'stream:error') {
      const error = frame.data as EventData<'stream:error'>;
      throw new Error(`${action} refused: ${error.code}: ${error.message}`);
    }
    return frame.data as EventData<E>;
  }

  /** The first `event` received (already, or within `timeoutMs`) whose data satisfies `where`. */
  async waitFor<E extends ServerEvent>(
    event: E,
    where: (data: EventData<E>) => boolean = () => true,
    timeoutMs = 5_000,
  ): Promise<EventData<E>> {
    const frame = await this.frame(
      (f) => f.event === event && where(f.data as EventData<E>),
      event,
      timeoutMs,
    );
    return frame.data as EventData<E>;
  }

  /** Closes the socket and waits (bounded) for it to be closed. */
  async close(timeoutMs = 2_000): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close();
    await this.waitForClose(timeoutMs).catch(() => this.socket.terminate());
  }

  /** Resolves once the server has closed the connection (as it does after `stream:ended`). */
  waitForClose(timeoutMs = 5_000): Promise<void> {
    return this.changes.until(
      () => this.socket.readyState === WebSocket.CLOSED,
      timeoutMs,
      'the socket to close',
    );
  }

  private async frame(match: (f: Received) => boolean, what: string, timeoutMs: number): Promise<Received> {
    let found: Received | undefined;
    const check = () => {
      found = this.received.find(match);
      return found !== undefined;
    };
    await this.changes.until(check, timeoutMs, what, () => {
      const events = this.received.map((f) => f.event).join(', ') || 'nothing';
      return `received ${events}${this.isOpen ? '' : ' (socket closed)'}`;
    });
    return found as Received;
  }

  private receive(raw: string): void {
    let frame: Received;
    try {
      frame = JSON.parse(raw) as Received;
    } catch {
      this.violations.push(`not JSON: ${raw.slice(0, 200)}`);
      return;
    }
    const schema = serverEvents[frame.event as ServerEvent];
    const parsed = schema?.safeParse(frame.data);
    if (!parsed?.success) this.violations.push(`${frame.event}: ${raw.slice(0, 300)}`);
    this.received.push(frame);
    if (parsed?.success) {
      for (const listener of this.listeners.get(frame.event) ?? []) listener(parsed.data as never);
    }
    this.changes.notify();
  }
}
