import type { EmulatorLogger } from '../constants.ts';
import { type HandlerLoader, InvocationTimeoutError, invokeHandler } from '../lambda/invoke.ts';
import type { CloseInfo, WsConnection } from './ws-connection.ts';
import {
  type AuthorizerView,
  connectEvent,
  disconnectEvent,
  messageEvent,
  type UpgradeParts,
  type WsConnectionInfo,
} from './ws-events.ts';

/** A WebSocket route as the emulator sees it: the manifest's shape, with any handler name. */
export interface WsRoute {
  readonly routeKey: string;
  readonly handler: string;
}

interface Runtime {
  readonly loadHandler: HandlerLoader;
  readonly timeoutMs: number;
  readonly logger: EmulatorLogger;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The three kinds of route invocation and what API Gateway makes of their results. Message
 * routes are two-way (as the CDK stack configures them): a returned `body` goes back to the
 * sender. A failed message route sends the sender API Gateway's own error frame.
 */
export function createWsRoutes(routes: readonly WsRoute[], runtime: Runtime) {
  const byKey = new Map(routes.map((route) => [route.routeKey, route.handler]));
  const invoke = (handler: string, event: unknown) =>
    invokeHandler(runtime.loadHandler, handler, event, runtime.timeoutMs);

  /** `$request.body.action`: a JSON body whose string `action` names a custom route, else `$default`. */
  const select = (text: string | undefined): string => {
    try {
      const action = (JSON.parse(text ?? '') as { action?: unknown } | null)?.action;
      if (typeof action === 'string' && !action.startsWith('$') && byKey.has(action)) return action;
    } catch {
      // not JSON: $default
    }
    return '$default';
  };

  return {
    /** The status that decides the upgrade (200 without a $connect route) and a chosen subprotocol. */
    async connect(info: WsConnectionInfo, upgrade: UpgradeParts, authorizer?: AuthorizerView) {
      const handler = byKey.get('$connect');
      if (!handler) return { statusCode: 200 };
      try {
        const result = await invoke(handler, connectEvent(info, upgrade, authorizer));
        const answer = isRecord(result) ? result : {};
        const headers = isRecord(answer.headers) ? answer.headers : {};
        const protocol = Object.entries(headers).find(([n]) => n.toLowerCase() === 'sec-websocket-protocol');
        return {
          statusCode: typeof answer.statusCode === 'number' ? answer.statusCode : 200,
          ...(typeof protocol?.[1] === 'string' && { protocol: protocol[1] }),
        };
      } catch (err) {
        runtime.logger.error(`${handler} failed on $connect (connection ${info.connectionId})`, err);
        return { statusCode: err instanceof InvocationTimeoutError ? 504 : 500 };
      }
    },

    async message(conn: WsConnection, message: { data: Buffer; isBinary: boolean }): Promise<void> {
      const routeKey = message.isBinary ? '$default' : select(message.data.toString('utf8'));
      const event = messageEvent(conn.info, routeKey, message, conn.authorizer);
      const { connectionId, requestId } = event.requestContext;
      const handler = byKey.get(routeKey);
      if (!handler) {
        conn.send(JSON.stringify({ message: 'Forbidden', connectionId, requestId }));
        return;
      }
      try {
        const result = await invoke(handler, event);
        const answer = isRecord(result) ? result : {};
        if (typeof answer.body === 'string' && answer.body !== '') {
          if (answer.isBase64Encoded === true) conn.send(Buffer.from(answer.body, 'base64'), true);
          else conn.send(answer.body);
        }
      } catch (err) {
        runtime.logger.error(`${handler} failed on ${routeKey} (connection ${connectionId})`, err);
        const timedOut = err instanceof InvocationTimeoutError;
        const text = timedOut ? 'Endpoint request timed out' : 'Internal server error';
        conn.send(JSON.stringify({ message: text, connectionId, requestId }));
      }
    },

    /** Best effort, as on AWS: a failure is logged and nothing else happens. */
    async disconnect(info: WsConnectionInfo, close: CloseInfo, authorizer?: AuthorizerView): Promise<void> {
      runtime.logger.info(`WS ${info.connectionId} disconnected (${close.code})`);
      const handler = byKey.get('$disconnect');
      if (!handler) return;
      try {
        await invoke(handler, disconnectEvent(info, close, authorizer));
      } catch (err) {
        runtime.logger.error(`${handler} failed on $disconnect (connection ${info.connectionId})`, err);
      }
    },
  };
}
