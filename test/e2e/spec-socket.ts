import WebSocket from 'ws';
import type { CandidateInit } from './signaling.ts';
import { Changes } from './wait.ts';

/**
 * The spec's Socket.IO event tables (spec/livestream-services.md, "Socket.IO Events"), verbatim.
 * A spec client emits only these and listens only for these; the service carries them as
 * `{action, data}` / `{event, data}` WebSocket frames instead of Socket.IO packets (docs/migrating.md).
 */
export const SPEC_EVENTS = {
  broadcaster: {
    emits: ['stream:offer', 'stream:offer:viewer', 'stream:ice-candidate', 'stream:end'],
    hears: [
      'stream:offer:ack',
      'stream:viewer:joined',
      'stream:viewer:left',
      'stream:answer:received',
      'stream:ice-candidate:received',
    ],
  },
  viewer: {
    emits: ['stream:join', 'stream:answer', 'stream:ice-candidate', 'stream:leave'],
    hears: [
      'stream:join:ack',
      'stream:offer:received',
      'stream:ice-candidate:received',
      'stream:ended',
      'stream:error',
    ],
  },
  chat: { emits: ['join-livestream', 'leave-livestream'], hears: ['chat:message'] },
} as const;

type Tables = (typeof SPEC_EVENTS)[keyof typeof SPEC_EVENTS];
export type SpecEmit = Tables['emits'][number];
export type SpecEvent = Tables['hears'][number];
const HEARD: ReadonlySet<string> = new Set(Object.values(SPEC_EVENTS).flatMap((t) => [...t.hears]));

/** The data of each spec event, as far as the spec's snippets read it (extra fields are fine). */
export interface SpecEventData {
  'stream:offer:ack': { streamId?: string };
  'stream:viewer:joined': { viewerId: string };
  'stream:viewer:left': { viewerId: string };
  'stream:answer:received': { viewerId: string; answer: RTCSessionDescriptionInit };
  'stream:ice-candidate:received': { viewerId?: string; candidate: CandidateInit };
  'stream:join:ack': { streamId?: string };
  'stream:offer:received': { offer: RTCSessionDescriptionInit };
  'stream:ended': { streamId?: string };
  'stream:error': { code?: string; message?: string };
  'chat:message': { id: string; userId: string; message: string; timestamp: string };
}

interface Frame {
  event: string;
  data: unknown;
}

/**
 * A spec client's `socket`: `on(event, fn)` and `emit(event, data)` as with Socket.IO, over the
 * service's plain WebSocket. Events that are in no spec table reach no listener, as an event
 * without a handler in Socket.IO; `frames` keeps every frame so a test can say what arrived.
 */
export class SpecSocket {
  /** Every frame received, spec event or not, in order. */
  readonly frames: Frame[] = [];
  private readonly listeners = new Map<string, Array<(data: never) => void>>();
  private readonly changes = new Changes();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as Frame;
      this.frames.push(frame);
      if (HEARD.has(frame.event)) {
        for (const listener of this.listeners.get(frame.event) ?? []) listener(frame.data as never);
      }
      this.changes.notify();
    });
    socket.on('close', () => this.changes.notify());
  }

  /** The documented difference: the URL and ticket come from `/start` or `/join` (`signaling`). */
  static connect(signaling: { url: string; ticket: string }): Promise<SpecSocket> {
    const target = new URL(signaling.url);
    target.searchParams.set('ticket', signaling.ticket);
    const socket = new WebSocket(target, { handshakeTimeout: 10_000 });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new SpecSocket(socket)));
      socket.once('unexpected-response', (_req, res) => {
        reject(new Error(`upgrade refused: HTTP ${res.statusCode}`));
        socket.terminate();
      });
      socket.once('error', reject);
    });
  }

  on<E extends SpecEvent>(event: E, listener: (data: SpecEventData[E]) => void): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener as (data: never) => void]);
  }

  /** `socket.emit(event, data)`; `data` is serialized as Socket.IO would (`toJSON` and all). */
  emit(event: SpecEmit, data: Record<string, unknown>): void {
    this.socket.send(JSON.stringify({ action: event, data }));
  }

  /** The data of every `event` received so far. */
  heard<E extends SpecEvent>(event: E): Array<SpecEventData[E]> {
    return this.frames.filter((f) => f.event === event).map((f) => f.data as SpecEventData[E]);
  }

  /** Frames in no spec table, counted by name: what a Socket.IO client would have dropped. */
  ignored(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const { event } of this.frames) if (!HEARD.has(event)) out[event] = (out[event] ?? 0) + 1;
    return out;
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /**
   * For the test, not the client: resolves once `check` holds, re-checked on every frame, or
   * rejects after `timeoutMs` with `detail()` saying where things stand.
   */
  until(check: () => boolean, what: string, timeoutMs = 10_000, detail?: () => string): Promise<void> {
    return this.changes.until(check, timeoutMs, what, detail);
  }

  /** Closes the socket; bounded, then dropped. */
  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close();
    await this.until(() => this.socket.readyState === WebSocket.CLOSED, 'the socket to close', 2_000).catch(
      () => this.socket.terminate(),
    );
  }
}

/**
 * The spec's `fetch` calls: JSON bodies with `Content-Type: application/json`, as its create
 * snippet sends them, and a bearer token, the one documented difference on REST.
 */
export function specFetch(baseUrl: string, token: string) {
  return async (path: string, init: { method?: string; body?: unknown } = {}) => {
    const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
    if (init.body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`${baseUrl}${path}`, {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await res.text();
    // biome-ignore lint/suspicious/noExplicitAny: tests assert response bodies field by field.
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any };
  };
}
