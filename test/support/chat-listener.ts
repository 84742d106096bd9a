import WebSocket from 'ws';
import type { Frame } from './signaling-client.ts';

/**
 * A light chat-room client for scale tests (a thousand sockets in one process): no frame log and
 * no polling. Each frame carrying chat messages (`chat:message`, or `chat:messages` for a
 * coalesced run) is handed to `onChat` as it arrives, its messages as one array; a reply to
 * `request` resolves it by `ref`; every other frame is kept in `others`.
 */
export class ChatListener {
  /** Frames that were neither chat messages nor an awaited reply, in arrival order. */
  readonly others: Frame[] = [];
  readonly closed: Promise<void>;
  private readonly replies = new Map<string, (frame: Frame) => void>();

  private constructor(
    private readonly socket: WebSocket,
    private readonly onChat: (messages: unknown[]) => void,
  ) {
    socket.on('message', (raw) => this.receive(JSON.parse(raw.toString()) as Frame));
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  /** Opens `url?ticket=` within `timeoutMs`; rejects with the status when the upgrade is refused. */
  static connect(
    url: string,
    ticket: string,
    onChat: (messages: unknown[]) => void,
    timeoutMs = 10_000,
  ): Promise<ChatListener> {
    const socket = new WebSocket(`${url}?ticket=${encodeURIComponent(ticket)}`, {
      handshakeTimeout: timeoutMs,
    });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new ChatListener(socket, onChat)));
      socket.once('unexpected-response', (_req, res) => {
        reject(new Error(`upgrade refused: ${res.statusCode}`));
        socket.terminate();
      });
      socket.once('error', reject);
    });
  }

  /** Sends `{action, data, ref}` and waits, at most `timeoutMs`, for the frame echoing `ref`. */
  request(action: string, data: unknown, ref: string, timeoutMs = 10_000): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.replies.delete(ref);
        reject(new Error(`no reply to ${action} (${ref}) within ${timeoutMs} ms`));
      }, timeoutMs);
      this.replies.set(ref, (frame) => {
        clearTimeout(timer);
        resolve(frame);
      });
      this.socket.send(JSON.stringify({ action, data, ref }));
    });
  }

  /** Closes (handshake up to `timeoutMs`, then the socket is dropped). */
  async close(timeoutMs = 5_000): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close();
    const timer = setTimeout(() => this.socket.terminate(), timeoutMs);
    await this.closed;
    clearTimeout(timer);
  }

  private receive(frame: Frame): void {
    if (frame.event === 'chat:message') this.onChat([frame.data]);
    else if (frame.event === 'chat:messages') this.onChat(frame.data?.messages ?? [frame.data]);
    else {
      const reply = frame.ref === undefined ? undefined : this.replies.get(frame.ref);
      if (!reply) this.others.push(frame);
      else {
        this.replies.delete(frame.ref as string);
        reply(frame);
      }
    }
  }
}
