import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { EmulatorListener, EmulatorLogger, HttpResponse, ProxyHandler } from '../constants.ts';
import { createLambdaContext } from '../lambda/lambda-context.ts';
import { clientIp, loggable, readBytes, splitUrl, writeResponse } from '../shared/http-io.ts';
import { fromProxyResult, GATEWAY_ERRORS, gatewayError, preflight } from './gateway-responses.ts';
import { toProxyEvent } from './rest-events.ts';
import { compileRoutes, type EmulatorRoute } from './rest-routes.ts';

/** API Gateway's payload limit. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** API Gateway's integration timeout for REST APIs. */
export const INTEGRATION_TIMEOUT_MS = 29_000;

export interface RestEmulatorOptions {
  readonly routes: readonly EmulatorRoute[];
  /** Resolves a route's `handler` name; called on each request, so it should cache. */
  readonly loadHandler: (name: string) => Promise<ProxyHandler>;
  readonly stage?: string;
  readonly timeoutMs?: number;
  readonly maxBodyBytes?: number;
  readonly logger?: EmulatorLogger;
}

const consoleLogger: EmulatorLogger = { info: (l) => console.log(l), error: (l, e) => console.error(l, e) };
const TIMED_OUT = Symbol('timed out');

/**
 * API Gateway REST (Lambda proxy integration) as a node:http request listener: route
 * matching, the v1 proxy event, the gateway responses, CORS preflight. It answers plain
 * requests only, so a WebSocket emulator can share the server through its 'upgrade' event.
 *
 * @example
 * const emulator = createRestEmulator({ routes: restRoutes, loadHandler });
 * http.createServer(emulator).listen(3000);
 */
export function createRestEmulator(options: RestEmulatorOptions): EmulatorListener {
  const match = compileRoutes(options.routes);
  // The CDK stack's one stage (lib/constructs/rest-api.ts), so handlers see the same value.
  const stage = options.stage ?? 'prod';
  const timeoutMs = options.timeoutMs ?? INTEGRATION_TIMEOUT_MS;
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const logger = options.logger ?? consoleLogger;

  /** Everything API Gateway does between receiving a request and sending the response. */
  async function respond(req: IncomingMessage, requestId: string, now: number): Promise<HttpResponse> {
    const method = req.method ?? 'GET';
    const [rawPath = '/', rawQuery = ''] = splitUrl(req.url ?? '/');
    const found = match(rawPath);
    const route = found?.resource.methods.get(method);
    if (found && !route && method === 'OPTIONS') return preflight();
    if (!found || !route) return gatewayError(GATEWAY_ERRORS.routeNotFound);

    const body = await readBody(req, maxBodyBytes);
    if (body === undefined) {
      return gatewayError(GATEWAY_ERRORS.payloadTooLarge);
    }
    const event = toProxyEvent(
      { method, rawPath, rawQuery, rawHeaders: req.rawHeaders, body, sourceIp: clientIp(req) },
      { resource: found.resource.path, pathParameters: found.pathParameters, stage, requestId, now },
    );
    const context = createLambdaContext(route.handler, requestId, now + timeoutMs);
    const failure = (what: string, detail?: unknown) => {
      logger.error(`${route.handler} ${what} (request ${requestId})`, detail);
      // Lambda errors and malformed results reach the client as a bare 502: no internals.
      return gatewayError(GATEWAY_ERRORS.internal);
    };

    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        options.loadHandler(route.handler).then((handler) => handler(event, context)),
        new Promise<typeof TIMED_OUT>((resolve) => {
          timer = setTimeout(resolve, timeoutMs, TIMED_OUT);
        }),
      ]);
      if (result === TIMED_OUT) {
        logger.error(`${route.handler} timed out after ${timeoutMs}ms (request ${requestId})`);
        return gatewayError(GATEWAY_ERRORS.timeout);
      }
      return fromProxyResult(result) ?? failure('returned a malformed proxy response', result);
    } catch (err) {
      return failure('failed', err);
    } finally {
      clearTimeout(timer);
    }
  }

  return async (req, res) => {
    const started = Date.now();
    const requestId = randomUUID();
    let response: HttpResponse;
    try {
      response = await respond(req, requestId, started);
    } catch (err) {
      // A bug in the emulator itself; a rejected listener would take the whole process down.
      logger.error(`Emulator failed on ${req.method} ${loggable(req.url)}`, err);
      response = gatewayError({ ...GATEWAY_ERRORS.internal, statusCode: 500 });
    }
    response.headers['x-amzn-RequestId'] = [requestId];
    writeResponse(res, response);
    logger.info(`${req.method} ${loggable(req.url)} -> ${response.statusCode} ${Date.now() - started}ms`);
  };
}

/**
 * The body as UTF-8, null when empty (API Gateway's "no body"), undefined when it is over
 * `limit` bytes.
 */
async function readBody(req: IncomingMessage, limit: number): Promise<string | null | undefined> {
  const bytes = await readBytes(req, limit);
  if (bytes === undefined) return undefined;
  return bytes.length === 0 ? null : bytes.toString('utf8');
}
