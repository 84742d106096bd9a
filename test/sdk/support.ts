/**
 * Shared by the SDK tests: the local stack, the SDK wired to Node stand-ins, and bounded waits.
 * WebRTC (wrtc) is in ./webrtc.ts, loaded only by the tests that need it.
 */
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import WebSocketImpl from 'ws';
import { LivestreamApi } from '../../web/sdk/index.ts';
import { harness } from '../integration/harness.ts';

/** `ws` in the shape of the browser's WebSocket (the SDK only uses the standard surface). */
export const NodeWebSocket = WebSocketImpl as unknown as typeof WebSocket;

/** A frame as it went over the wire, parsed. */
export interface WireFrame {
  action?: string;
  event?: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests assert frame data field by field.
  data?: any;
  ref?: string;
}

/** A WebSocket class that records every frame its sockets send and receive, parsed, in order. */
export function recordingWebSocket(): {
  WebSocket: typeof WebSocket;
  sent: WireFrame[];
  received: WireFrame[];
} {
  const sent: WireFrame[] = [];
  const received: WireFrame[] = [];
  class Recorded extends WebSocketImpl {
    constructor(url: string) {
      super(url);
      this.on('message', (raw) => received.push(JSON.parse(String(raw))));
    }

    override send(data: string): void {
      sent.push(JSON.parse(data));
      super.send(data);
    }
  }
  return { WebSocket: Recorded as unknown as typeof WebSocket, sent, received };
}

/** Polls `check` every 10 ms until it holds; fails after `timeoutMs`, naming `what`. */
export async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The local stack plus SDK clients for any user, with a log of the REST calls they made. */
export async function sdkSession() {
  const h = await harness();
  const calls: string[] = [];
  const countingFetch: typeof fetch = (input, init) => {
    const url = new URL(String(input));
    calls.push(`${init?.method ?? 'GET'} ${url.pathname}`);
    return fetch(input, init);
  };

  /** A LivestreamApi signed in as `userId`. */
  const api = (userId: string) =>
    new LivestreamApi({ baseUrl: h.stack.url, token: () => h.token(userId), fetch: countingFetch });

  /** A live stream owned by `owner`, started over REST (its start ticket is not used). */
  async function liveStream(owner: string, body: Record<string, unknown> = {}) {
    const owned = api(owner);
    const { streamId } = await owned.createStream({ title: `${owner} live`, ...body });
    return { streamId, api: owned };
  }

  /** The ids of the open WebSocket connections: a new one appears when a client connects. */
  const connectionIds = () => h.stack.connections.ids();

  /** The handlers' own @connections client: the stand-in takes SigV4-signed calls only. */
  const management = new ApiGatewayManagementApiClient({ endpoint: h.stack.env.WS_CALLBACK_URL });

  /** Closes a connection from the server side, as API Gateway's DeleteConnection does. */
  async function dropConnection(id: string): Promise<void> {
    await management.send(new DeleteConnectionCommand({ ConnectionId: id }));
  }

  const close = () => {
    management.destroy();
    return h.close();
  };

  return { ...h, calls, api, liveStream, connectionIds, dropConnection, close };
}

export type SdkSession = Awaited<ReturnType<typeof sdkSession>>;
