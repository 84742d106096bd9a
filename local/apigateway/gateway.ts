import type { IncomingMessage, RequestListener } from 'node:http';
import type { Duplex } from 'node:stream';
import { ASYNC_TIMEOUT_MS, type EmulatorLogger, type ProxyHandler } from '../constants.ts';
import { invokeHandler } from '../lambda/invoke.ts';
import { createScheduler } from '../scheduler/scheduler.ts';
import { awsListener } from '../shared/aws-json.ts';
import { connectionsApi } from './connections-api.ts';
import { createRestEmulator } from './rest-emulator.ts';
import type { EmulatorRoute } from './rest-routes.ts';
import type { WsAuthorizerConfig } from './ws-authorize.ts';
import { MAX_WS_MESSAGE_BYTES } from './ws-connection.ts';
import { createWsEmulator } from './ws-emulator.ts';
import type { WsRoute } from './ws-routes.ts';

/** The open WebSocket connections, for tests and tools. */
export interface ConnectionsView {
  count(): number;
  ids(): string[];
}

export interface GatewayOptions {
  readonly restRoutes: readonly EmulatorRoute[];
  readonly webSocketRoutes: readonly WsRoute[];
  readonly webSocketAuthorizer?: WsAuthorizerConfig;
  /** Schedule groups that exist besides `default`. */
  readonly scheduleGroups: readonly string[];
  /** Handler names a schedule's target ARN may name. */
  readonly scheduleTargets: readonly string[];
  /** Resolves every handler name: REST, authorizer, WebSocket routes, schedule targets. */
  readonly loadHandler: (name: string) => Promise<ProxyHandler>;
  readonly logger: EmulatorLogger;
  readonly wsPath: string;
  readonly schedulerPath: string;
  readonly wsIdleTimeoutMs?: number;
  readonly wsMaxLifetimeMs?: number;
  /** `<dataDir>/schedules.json` to keep pending schedules across restarts. */
  readonly schedulesFile?: string;
  /** Other stand-ins on the same port (S3, MediaConvert, the CDN, the web app), each owning its own paths. */
  readonly mounts?: readonly Mount[];
}

/** A stand-in served on the stack's port: the requests whose target it owns go to its listener. */
export interface Mount {
  owns(url: string): boolean;
  readonly listener: RequestListener;
}

/** Everything one port answers: REST, the WebSocket upgrade, `@connections`, the Scheduler API, the mounts. */
export interface Gateway {
  readonly listener: RequestListener;
  readonly handleUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  readonly connections: ConnectionsView;
  /** Closes the WebSocket connections (their $disconnect runs), then stops the scheduler's timers. */
  close(): Promise<void>;
}

/** Composes the stand-ins that share the stack's HTTP server, each on its own path. */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { logger, loadHandler } = options;
  const rest = createRestEmulator({ routes: options.restRoutes, loadHandler, logger });
  const ws = createWsEmulator({
    routes: options.webSocketRoutes,
    authorizer: options.webSocketAuthorizer,
    loadHandler,
    path: options.wsPath,
    idleTimeoutMs: options.wsIdleTimeoutMs,
    maxLifetimeMs: options.wsMaxLifetimeMs,
    logger,
  });
  const scheduler = await createScheduler({
    base: options.schedulerPath,
    groups: options.scheduleGroups,
    functions: options.scheduleTargets,
    invoke: (handler, event) => invokeHandler(loadHandler, handler, event, ASYNC_TIMEOUT_MS),
    file: options.schedulesFile,
    logger,
  });
  const connections = connectionsApi(options.wsPath, ws.connections);
  // PostToConnection's body is one message: over 128 KB it is 413 PayloadTooLargeException.
  const managementApi = awsListener('@connections', connections.handle, {
    maxBytes: MAX_WS_MESSAGE_BYTES,
    signing: 'execute-api',
    logger,
  });
  const schedulerApi = awsListener('Scheduler', scheduler.handle, {
    maxBytes: 1024 * 1024,
    signing: 'scheduler',
    logger,
  });

  const mounts = options.mounts ?? [];
  let closing: Promise<void> | undefined;
  return {
    listener: (req, res) => {
      const url = req.url ?? '/';
      if (url.startsWith(connections.prefix)) return void managementApi(req, res);
      const mount = mounts.find((m) => m.owns(url));
      if (mount) return void mount.listener(req, res);
      if (url.startsWith(scheduler.prefix)) return void schedulerApi(req, res);
      return void rest(req, res);
    },
    handleUpgrade: ws.handleUpgrade,
    connections: { count: () => ws.connections.size, ids: () => [...ws.connections.keys()] },
    close: () => {
      // $disconnect may create schedules: the scheduler stops after the connections are gone.
      closing ??= ws.close().then(() => scheduler.close());
      return closing;
    },
  };
}
