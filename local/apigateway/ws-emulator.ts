import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { type EmulatorLogger, LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../constants.ts';
import type { HandlerLoader } from '../lambda/invoke.ts';
import { clientIp, loggable, splitUrl } from '../shared/http-io.ts';
import { refuseUpgrade } from './gateway-responses.ts';
import { headerMaps, parseQuery } from './request-maps.ts';
import { LOCAL_API_ID } from './rest-events.ts';
import { authorizeUpgrade, type WsAuthorizerConfig } from './ws-authorize.ts';
import { type CloseInfo, GOING_AWAY, MAX_WS_MESSAGE_BYTES, WsConnection } from './ws-connection.ts';
import { apiGatewayId, type UpgradeParts, type WsConnectionInfo } from './ws-events.ts';
import { createWsRoutes, type WsRoute } from './ws-routes.ts';

export interface WsEmulatorOptions {
  /** The manifest's `webSocketRoutes` shape: `$connect`, `$disconnect`, `$default`, custom keys. */
  readonly routes: readonly WsRoute[];
  /** A REQUEST authorizer on `$connect`; without one every upgrade goes straight to `$connect`. */
  readonly authorizer?: WsAuthorizerConfig;
  readonly loadHandler: HandlerLoader;
  /** Where clients connect, `/ws` by default (the CDK stage is named `ws`). */
  readonly path?: string;
  readonly stage?: string;
  readonly idleTimeoutMs?: number;
  readonly maxLifetimeMs?: number;
  /** Per invocation (authorizer, routes): API Gateway's 29 s integration timeout by default. */
  readonly timeoutMs?: number;
  readonly logger: EmulatorLogger;
}

/** API Gateway's WebSocket side on a node:http server that already serves REST. */
export interface WsEmulator {
  /** The server's 'upgrade' listener: `server.on('upgrade', ws.handleUpgrade)`. */
  readonly handleUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** Open connections by id: what `@connections` manages. */
  readonly connections: ReadonlyMap<string, WsConnection>;
  /** Closes every connection (1001) and waits, up to `waitMs`, for their $disconnect. Idempotent. */
  close(waitMs?: number): Promise<void>;
}

/**
 * API Gateway WebSocket APIs, emulated: the upgrade runs the authorizer then `$connect` and is
 * refused with their status; messages are routed on `$request.body.action`; every close runs
 * `$disconnect` once; idle (10 min) and lifetime (2 h) limits close with 1001.
 */
export function createWsEmulator(options: WsEmulatorOptions): WsEmulator {
  const { logger, loadHandler } = options;
  const wsPath = options.path ?? '/ws';
  const stage = options.stage ?? 'ws';
  const timeoutMs = options.timeoutMs ?? 29_000;
  const limits = {
    idleTimeoutMs: options.idleTimeoutMs ?? 10 * 60_000,
    maxLifetimeMs: options.maxLifetimeMs ?? 2 * 3600_000,
  };
  const routes = createWsRoutes(options.routes, { loadHandler, timeoutMs, logger });
  const live = new Map<string, WsConnection>();
  const pending = new Set<Promise<unknown>>();
  const protocols = new WeakMap<IncomingMessage, string>();
  // perMessageDeflate off, as API Gateway does not negotiate it; maxPayload: over it ws closes 1009.
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: MAX_WS_MESSAGE_BYTES,
    perMessageDeflate: false,
    handleProtocols: (_offered, req) => protocols.get(req) ?? false,
  });
  let closed = false;
  const track = <T>(work: Promise<T>) => {
    pending.add(work);
    const done = () => pending.delete(work);
    // Not finally(): its copy of a rejection would be unhandled; the caller handles `work`.
    work.then(done, done);
    return work;
  };

  const ended = (conn: WsConnection, close: CloseInfo) => {
    live.delete(conn.info.connectionId);
    track(conn.enqueue(() => routes.disconnect(conn.info, close, conn.authorizer)));
  };

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const [path, rawQuery] = splitUrl(req.url ?? '/');
    if (path !== wsPath) return refuseUpgrade(socket, 404);
    if (closed) return refuseUpgrade(socket, 503);
    if (req.headers.upgrade?.toLowerCase() !== 'websocket' || !req.headers['sec-websocket-key'])
      return refuseUpgrade(socket, 400);
    const now = Date.now();
    const sourceIp = clientIp(req);
    const forwarded = { 'X-Forwarded-Port': String(req.socket.localPort), 'X-Forwarded-Proto': 'http' };
    const parts: UpgradeParts = {
      requestId: apiGatewayId(),
      headers: headerMaps(req.rawHeaders, sourceIp, now, forwarded),
      query: parseQuery(rawQuery),
    };
    const info: WsConnectionInfo = {
      connectionId: apiGatewayId(),
      connectedAt: now,
      sourceIp,
      ...(req.headers['user-agent'] !== undefined && { userAgent: req.headers['user-agent'] }),
      domainName: req.headers.host ?? 'localhost',
      stage,
      apiId: LOCAL_API_ID,
    };
    let authorizer: WsConnection['authorizer'];
    if (options.authorizer) {
      const methodArn = `arn:aws:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:${LOCAL_API_ID}/${stage}/$connect`;
      const outcome = await authorizeUpgrade(
        options.authorizer,
        { conn: info, upgrade: parts, methodArn },
        { loadHandler, timeoutMs, logger },
      );
      if (!outcome.allowed) return refuseUpgrade(socket, outcome.statusCode);
      authorizer = outcome.authorizer;
    }
    const connect = await routes.connect(info, parts, authorizer);
    if (connect.statusCode < 200 || connect.statusCode > 299)
      return refuseUpgrade(socket, connect.statusCode);
    if (closed || socket.destroyed) {
      // $connect accepted a client that has gone (or a stack that is stopping): clean up as AWS would.
      refuseUpgrade(socket, 503);
      return routes.disconnect(info, closed ? GOING_AWAY : { code: 1006, reason: '' }, authorizer);
    }
    if (connect.protocol) protocols.set(req, connect.protocol);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = new WsConnection(ws, info, authorizer, limits, ended);
      live.set(info.connectionId, conn);
      logger.info(`WS ${info.connectionId} connected`);
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        conn.touch();
        track(conn.enqueue(() => routes.message(conn, { data, isBinary })));
      });
    });
  }

  let closing: Promise<void> | undefined;
  return {
    handleUpgrade: (req, socket, head) => {
      // A client that vanishes while its authorizer runs must not crash the process.
      socket.on('error', () => {});
      track(upgrade(req, socket, head)).catch((err: unknown) => {
        // The path only: the query carries the ticket.
        logger.error(`WebSocket upgrade failed on ${loggable(req.url)}`, err);
        refuseUpgrade(socket, 500);
      });
    },
    connections: live,
    close: (waitMs = 5_000) => {
      closing ??= (async () => {
        closed = true;
        const open = [...live.values()];
        for (const conn of open) conn.close(GOING_AWAY);
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, waitMs);
        });
        await Promise.race([Promise.allSettled([...pending]), deadline]);
        clearTimeout(timer);
        for (const conn of open) conn.terminate();
        wss.close();
      })();
      return closing;
    },
  };
}
