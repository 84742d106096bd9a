import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { createGateway, type Gateway, type GatewayOptions } from '../../../local/apigateway/gateway.ts';
import { createModuleLoader } from '../../../local/lambda/handler-loader.ts';
import { listenHttp } from '../../../local/shared/http-server.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const fixture = (file: string) => ({ entry: `test/local/apigateway/fixtures/${file}` });

/** The fixture handlers, by the names the route tables below use. */
export const FIXTURE_HANDLERS = {
  wsAuthorize: fixture('ws-authorizer.ts'),
  wsConnect: fixture('ws-connect.ts'),
  wsDefault: fixture('ws-message.ts'),
  wsPing: fixture('ws-message.ts'),
  wsDisconnect: fixture('ws-disconnect.ts'),
  scheduledJob: { entry: 'test/local/scheduler/fixtures/scheduled.ts' },
};

/** The manifest's WebSocket routes, plus a custom `ping` route to exercise route selection. */
export const FIXTURE_WS_ROUTES = [
  { routeKey: '$connect', handler: 'wsConnect' },
  { routeKey: '$disconnect', handler: 'wsDisconnect' },
  { routeKey: '$default', handler: 'wsDefault' },
  { routeKey: 'ping', handler: 'wsPing' },
];

export interface TestGateway {
  readonly gateway: Gateway;
  readonly port: number;
  readonly wsUrl: string;
  /** What WS_CALLBACK_URL is in the stack: the SDK's `endpoint`. */
  readonly callbackUrl: string;
  readonly schedulerUrl: string;
  /** Handler failures the gateway logged. */
  readonly errors: string[];
  close(): Promise<void>;
}

/** The stack's gateway on a free port, with fixture handlers instead of the manifest's. */
export async function startGateway(overrides: Partial<GatewayOptions> = {}): Promise<TestGateway> {
  const errors: string[] = [];
  const gateway = await createGateway({
    restRoutes: [],
    webSocketRoutes: FIXTURE_WS_ROUTES,
    webSocketAuthorizer: { handler: 'wsAuthorize', identitySource: 'route.request.querystring.ticket' },
    scheduleGroups: ['jobs'],
    scheduleTargets: ['scheduledJob'],
    loadHandler: createModuleLoader(ROOT, FIXTURE_HANDLERS),
    logger: { info: () => {}, error: (line) => errors.push(line) },
    wsPath: '/ws',
    schedulerPath: '/scheduler',
    ...overrides,
  });
  const http = await listenHttp(gateway.listener, 0, '127.0.0.1');
  http.server.on('upgrade', gateway.handleUpgrade);
  const base = `127.0.0.1:${http.port}`;
  return {
    gateway,
    port: http.port,
    wsUrl: `ws://${base}/ws`,
    callbackUrl: `http://${base}/ws`,
    schedulerUrl: `http://${base}/scheduler`,
    errors,
    close: async () => {
      await gateway.close();
      await http.close();
    },
  };
}

/** Thrown by `connect` when the upgrade is refused. */
export class RefusedError extends Error {
  constructor(readonly status: number) {
    super(`Upgrade refused with ${status}`);
  }
}

/** Opens a WebSocket; rejects with `RefusedError` carrying the HTTP status of a refusal. */
export function connect(
  url: string,
  protocols?: string[],
  headers?: Record<string, string>,
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      reject(new RefusedError(res.statusCode ?? 0));
      res.resume();
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

/** The next text message, as a string. */
export function nextMessage(ws: WebSocket): Promise<string> {
  return new Promise((resolve) => ws.once('message', (data: Buffer) => resolve(data.toString('utf8'))));
}

/** Resolves when the socket closes, with the close code and reason the client saw. */
export function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve({ code: 1006, reason: '' });
  return new Promise((resolve) =>
    ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString('utf8') })),
  );
}
