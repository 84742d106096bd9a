import type { RequestListener } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LIVE_PREFIX } from '../functions/core/live-layout.ts';
import { MEDIA_PREFIX } from '../functions/core/media-layout.ts';
import {
  eventSources,
  type HandlerDef,
  handlers,
  restRoutes,
  tables,
  webSocketAuthorizer,
  webSocketRoutes,
} from '../functions/manifest.ts';
import { type ConnectionsView, createGateway, type Gateway } from './apigateway/gateway.ts';
import { gatewayError } from './apigateway/gateway-responses.ts';
import { createMediaCdn } from './cloudfront/media-cdn.ts';
import {
  ASYNC_TIMEOUT_MS,
  type EmulatorLogger,
  MEDIA_PATH,
  MEDIACONVERT_PATH,
  RECORDINGS_BUCKET,
  S3_PATH,
  SCHEDULER_PATH,
  WS_PATH,
} from './constants.ts';
import { createDevIssuer, DEV_AUDIENCE, type DevIssuer } from './dev/dev-issuer.ts';
import { appOrigins, devHandlers, devRoutes } from './dev/dev-routes.ts';
import { loadSignalingSecret } from './dev/signaling-secret.ts';
import { createWebApp } from './dev/web-app.ts';
import { type LocalDynamo, startDynamo } from './dynamodb/dynamo.ts';
import { createDynamoStreams, type DynamoStreams, type StreamSource } from './dynamodb/dynamo-streams.ts';
import { type AsyncInvoker, createAsyncInvoker } from './lambda/async-invoke.ts';
import { localHandlerEnv } from './lambda/handler-env.ts';
import { createModuleLoader } from './lambda/handler-loader.ts';
import { invokeHandler } from './lambda/invoke.ts';
import { createMediaConvert, type LocalMediaConvert } from './mediaconvert/mediaconvert.ts';
import { type LocalS3, startS3 } from './s3/s3.ts';
import { awsListener } from './shared/aws-json.ts';
import { writeResponse } from './shared/http-io.ts';
import { type LocalHttpServer, listenHttp } from './shared/http-server.ts';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface LocalStackOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** Loopback by default: the dev token route hands out tokens to anyone who can reach it. */
  readonly host?: string;
  /** Persist tables and dev keys here; everything in memory when absent. */
  readonly dataDir?: string;
  /** No per-request log lines (handler failures are still written to stderr). */
  readonly quiet?: boolean;
  /** A WebSocket with no message either way for this long is closed (1001): 10 min, as on AWS. */
  readonly wsIdleTimeoutMs?: number;
  /** Every WebSocket is closed (1001) this long after it opened: 2 h, as on AWS. */
  readonly wsMaxLifetimeMs?: number;
  /** The demo web app's Vite build, served at `/` (default `dist/web` in the repository). */
  readonly webAppDir?: string;
}

/** A running local stack. */
export interface LocalStack {
  /** REST base URL, e.g. `http://127.0.0.1:3000`; routes are the manifest's paths under it. */
  readonly url: string;
  /** The WebSocket API, `ws://127.0.0.1:<port>/ws` (connect with `?ticket=...`). */
  readonly wsUrl: string;
  readonly port: number;
  /** The open WebSocket connections. */
  readonly connections: ConnectionsView;
  /** dynalite: endpoint and the counter of DynamoDB calls the handlers made. */
  readonly dynamo: LocalDynamo;
  /** The dev token issuer the handlers trust (`AUTH_*` point at it). */
  readonly issuer: DevIssuer;
  /** The DynamoDB Streams stand-in feeding the manifest's `dynamodb-stream` event sources. */
  readonly streams: Pick<DynamoStreams, 'idle'>;
  /**
   * The S3 stand-in (s3rver behind a SigV4-checking proxy) at `<url>/s3`, path-style: its endpoint,
   * the recordings bucket, and `idle()`, which resolves once its event notifications so far have
   * reached their handlers.
   */
  readonly s3: { readonly endpoint: string; readonly bucket: string; idle(): Promise<void> };
  /**
   * Recordings' processing: `url` is the CloudFront stand-in (`MEDIA_BASE_URL`, the bucket's
   * `media/`); `idle()` resolves once S3 notifications have been handled, no MediaConvert job is
   * queued or running, and every job event has been delivered.
   */
  readonly media: { readonly url: string; idle(): Promise<void> };
  /** What was written into `process.env` for the handlers. */
  readonly env: Readonly<Record<string, string>>;
  /**
   * Closes every WebSocket (1001, their $disconnect runs), stops the scheduler's timers and the
   * streams (batches in flight finish, queued records are discarded), S3 notifications (handlers
   * running finish), MediaConvert (the running transcode is killed without events, queued jobs
   * dropped), the HTTP server (open connections included), s3rver and dynalite. Idempotent.
   */
  close(): Promise<void>;
}

let running = false;

const scheduleSources = eventSources.filter((source) => source.kind === 'schedule');
const streamSources: StreamSource[] = eventSources.flatMap((source) =>
  source.kind === 'dynamodb-stream' ? [{ ...source, table: tables[source.table] }] : [],
);
const s3Sources = eventSources.flatMap((source) => (source.kind === 's3' ? [source] : []));
const eventBridgeSources = eventSources.flatMap((source) => (source.kind === 'eventbridge' ? [source] : []));

/**
 * Starts the whole local stack in this process: dynalite with the manifest's tables, the dev
 * token issuer, and on one port the API Gateway emulator serving the manifest's REST routes with
 * the real handlers (plus `POST /api/dev/token` and `GET /.well-known/jwks.json`), its WebSocket
 * API at `/ws` with `@connections` at `/ws/@connections/{id}`, an EventBridge Scheduler
 * stand-in at `/scheduler`, S3 at `/s3` (s3rver; notifications to the manifest's `s3` sources),
 * MediaConvert at `/mediaconvert` (ffmpeg; job events to its `eventbridge` sources), CloudFront
 * at `/media`, DynamoDB Streams for its `dynamodb-stream` sources, and the web app's build at `/`.
 *
 * Handlers are configured through `process.env`, like Lambda, so there is one stack per process
 * at a time. Handler modules, once imported, stay cached with the configuration of their first
 * cold start: run a second stack in a new process (vitest runs each test file in isolation).
 *
 * @example
 * const stack = await startLocalStack({ quiet: true });
 * const token = await stack.issuer.mint({ userId: 'alice' });
 * await fetch(`${stack.url}/api/livestream/active`);
 * await stack.close();
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  if (running) throw new Error('A local stack is already running in this process; close it first');
  running = true;
  const logger: EmulatorLogger = {
    info: options.quiet ? () => {} : (line) => console.log(line),
    error: (line, err) => console.error(line, err ?? ''),
  };
  let dynamo: LocalDynamo | undefined;
  let http: LocalHttpServer | undefined;
  let gateway: Gateway | undefined;
  let streams: DynamoStreams | undefined;
  let s3: LocalS3 | undefined;
  let mediaConvert: LocalMediaConvert | undefined;
  let jobEvents: AsyncInvoker | undefined;
  const shutdown = async () => {
    // Connections first: their $disconnect handlers still need DynamoDB and the scheduler.
    await gateway?.close();
    // Then the stream consumers, while the @connections and DynamoDB they call still answer.
    await streams?.close();
    // S3 notification handlers may still submit jobs; then jobs stop before what they write to.
    await s3?.drain();
    await mediaConvert?.close();
    await jobEvents?.close();
    await http?.close();
    await s3?.close();
    await dynamo?.close();
    running = false;
  };
  try {
    dynamo = await startDynamo({ dataDir: options.dataDir });
    // The issuer and the handlers' env need the port, so the server listens first and answers
    // 503 for the few milliseconds until the emulator is in place.
    let app: RequestListener | undefined;
    http = await listenHttp(
      (req, res) => (app ? app(req, res) : writeResponse(res, notReady())),
      options.port ?? 0,
      options.host ?? '127.0.0.1',
    );
    const url = `http://${urlHost(options.host ?? '127.0.0.1')}:${http.port}`;
    const issuer = await createDevIssuer({ issuer: `${url}/dev-issuer`, dataDir: options.dataDir });
    const env = localHandlerEnv({
      dynamoEndpoint: dynamo.endpoint,
      jwksUrl: `${url}/.well-known/jwks.json`,
      issuer: issuer.issuer,
      audience: DEV_AUDIENCE,
      baseUrl: url,
      signalingSecret: await loadSignalingSecret(options.dataDir),
    });
    // Before any handler module is imported: they read their configuration at cold start.
    Object.assign(process.env, env);

    const local = devHandlers(issuer, { origins: appOrigins(url) });
    const fromModules = createModuleLoader(REPO_ROOT, handlers);
    const loadHandler = (name: string) =>
      name in local ? Promise.resolve(local[name as keyof typeof local]) : fromModules(name);
    // The function's own timeout (the manifest's, else the CDK default), as on AWS.
    const asyncInvoke = (handler: string, event: unknown) => {
      const seconds = (handlers as Record<string, HandlerDef | undefined>)[handler]?.timeoutSeconds;
      return invokeHandler(loadHandler, handler, event, seconds ? seconds * 1000 : ASYNC_TIMEOUT_MS);
    };
    const bucket = await startS3({
      dataDir: options.dataDir,
      baseUrl: url,
      path: S3_PATH,
      bucket: RECORDINGS_BUCKET,
      sources: s3Sources,
      invoke: asyncInvoke,
      logger,
    });
    s3 = bucket;
    jobEvents = createAsyncInvoker({ invoke: asyncInvoke, logger });
    const transcoder = createMediaConvert({
      base: MEDIACONVERT_PATH,
      s3: { bucket: RECORDINGS_BUCKET, backend: bucket.backend, endpoint: bucket.endpoint },
      sources: eventBridgeSources,
      invoker: jobEvents,
      logger,
    });
    mediaConvert = transcoder;
    const cdn = createMediaCdn({
      path: MEDIA_PATH,
      backend: bucket.backend,
      bucket: RECORDINGS_BUCKET,
      originPrefix: MEDIA_PREFIX,
      livePrefix: LIVE_PREFIX,
      logger,
    });
    gateway = await createGateway({
      restRoutes: [...restRoutes, ...devRoutes],
      webSocketRoutes,
      webSocketAuthorizer,
      scheduleGroups: scheduleSources.map((source) => source.group),
      scheduleTargets: scheduleSources.map((source) => source.handler),
      loadHandler,
      logger,
      wsPath: WS_PATH,
      schedulerPath: SCHEDULER_PATH,
      wsIdleTimeoutMs: options.wsIdleTimeoutMs,
      wsMaxLifetimeMs: options.wsMaxLifetimeMs,
      schedulesFile: options.dataDir === undefined ? undefined : join(options.dataDir, 'schedules.json'),
      mounts: [
        bucket,
        {
          owns: (target) => target.startsWith(transcoder.prefix),
          listener: awsListener('MediaConvert', transcoder.handle, {
            maxBytes: 1024 * 1024,
            signing: 'mediaconvert',
            logger,
          }),
        },
        cdn,
        createWebApp({
          dir: options.webAppDir ?? join(REPO_ROOT, 'dist', 'web'),
          origins: [url, `${url.replace(/^http/, 'ws')}${WS_PATH}`],
          logger,
        }),
      ],
    });
    streams = await createDynamoStreams({
      sources: streamSources,
      endpoint: dynamo.endpoint,
      onWrite: dynamo.onWrite,
      invoke: asyncInvoke,
      logger,
    });
    app = gateway.listener;
    http.server.on('upgrade', gateway.handleUpgrade);
    let closing: Promise<void> | undefined;
    return {
      url,
      wsUrl: `${url.replace(/^http/, 'ws')}${WS_PATH}`,
      port: http.port,
      connections: gateway.connections,
      dynamo,
      streams: { idle: streams.idle },
      s3: { endpoint: bucket.endpoint, bucket: bucket.bucket, idle: bucket.idle },
      media: {
        url: `${url}${MEDIA_PATH}`,
        idle: async () => {
          await bucket.idle();
          await transcoder.idle();
        },
      },
      issuer,
      env,
      close: () => (closing ??= shutdown()),
    };
  } catch (err) {
    await shutdown().catch(() => {});
    throw err;
  }
}

function notReady() {
  return gatewayError({
    statusCode: 503,
    code: 'SERVICE_UNAVAILABLE',
    message: 'The local stack is starting',
  });
}

/** A host that can be put in a URL and dialled: wildcard binds are reached over loopback. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
