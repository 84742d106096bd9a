import { randomBytes } from 'node:crypto';
import { formatRequestTime, type ValueMaps } from './request-maps.ts';

/** What API Gateway knows of a connection from its upgrade request on: every event repeats it. */
export interface WsConnectionInfo {
  readonly connectionId: string;
  readonly connectedAt: number;
  readonly sourceIp: string;
  readonly userAgent?: string;
  /** The Host the client dialled (`127.0.0.1:3000`; on AWS `{api}.execute-api.{region}.amazonaws.com`). */
  readonly domainName: string;
  readonly stage: string;
  readonly apiId: string;
}

/** The upgrade request, parsed once so the authorizer and $connect see the same. */
export interface UpgradeParts {
  /** One request: the authorizer's and $connect's `requestId`. */
  readonly requestId: string;
  readonly headers: ValueMaps;
  readonly query: ValueMaps | undefined;
}

/**
 * `requestContext.authorizer` of every event after a successful authorization: the authorizer's
 * context with its values stringified (as API Gateway does), `principalId`, `integrationLatency`.
 */
export type AuthorizerView = Readonly<Record<string, string | number | null>>;

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * An id in API Gateway's style (`QQFxqeZfIAMCKRA=`: 11 bytes in base64). Letters and digits
 * only before the padding, like the real ones, so it goes in a URL path unescaped.
 */
export function apiGatewayId(): string {
  const chars = [...randomBytes(15)].map((byte) => ID_ALPHABET.charAt(byte % ID_ALPHABET.length));
  return `${chars.join('')}=`;
}

function requestContext(
  conn: WsConnectionInfo,
  routeKey: string,
  eventType: string,
  now: number,
  requestId = apiGatewayId(),
) {
  return {
    routeKey,
    eventType,
    extendedRequestId: requestId,
    requestTime: formatRequestTime(now),
    messageDirection: 'IN',
    stage: conn.stage,
    connectedAt: conn.connectedAt,
    requestTimeEpoch: now,
    identity: { sourceIp: conn.sourceIp, ...(conn.userAgent !== undefined && { userAgent: conn.userAgent }) },
    requestId,
    domainName: conn.domainName,
    connectionId: conn.connectionId,
    apiId: conn.apiId,
  };
}

const requestParts = (upgrade: UpgradeParts) => ({
  headers: upgrade.headers.single,
  multiValueHeaders: upgrade.headers.multi,
  ...(upgrade.query && {
    queryStringParameters: upgrade.query.single,
    multiValueQueryStringParameters: upgrade.query.multi,
  }),
});

/** The WebSocket REQUEST authorizer's event; `methodArn` names this API's `$connect`. */
export function authorizerEvent(conn: WsConnectionInfo, upgrade: UpgradeParts, methodArn: string) {
  return {
    type: 'REQUEST',
    methodArn,
    ...requestParts(upgrade),
    queryStringParameters: upgrade.query?.single ?? {},
    multiValueQueryStringParameters: upgrade.query?.multi ?? {},
    stageVariables: {},
    requestContext: requestContext(conn, '$connect', 'CONNECT', Date.now(), upgrade.requestId),
  };
}

export function connectEvent(conn: WsConnectionInfo, upgrade: UpgradeParts, authorizer?: AuthorizerView) {
  const context = requestContext(conn, '$connect', 'CONNECT', Date.now(), upgrade.requestId);
  return {
    ...requestParts(upgrade),
    requestContext: { ...context, ...(authorizer && { authorizer }) },
    isBase64Encoded: false,
  };
}

/** A client message; binary frames arrive base64-encoded, as API Gateway passes them. */
export function messageEvent(
  conn: WsConnectionInfo,
  routeKey: string,
  message: { data: Buffer; isBinary: boolean },
  authorizer?: AuthorizerView,
) {
  const context = requestContext(conn, routeKey, 'MESSAGE', Date.now());
  return {
    requestContext: { ...context, messageId: apiGatewayId(), ...(authorizer && { authorizer }) },
    body: message.data.toString(message.isBinary ? 'base64' : 'utf8'),
    isBase64Encoded: message.isBinary,
  };
}

export function disconnectEvent(
  conn: WsConnectionInfo,
  close: { code: number; reason: string },
  authorizer?: AuthorizerView,
) {
  const context = requestContext(conn, '$disconnect', 'DISCONNECT', Date.now());
  // What API Gateway sends: no client headers any more, these four with the Host it was reached on.
  const headers = { Host: conn.domainName, 'x-api-key': '', 'X-Forwarded-For': '', 'x-restapi': '' };
  return {
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    requestContext: {
      ...context,
      disconnectStatusCode: close.code,
      disconnectReason: close.reason,
      ...(authorizer && { authorizer }),
    },
    isBase64Encoded: false,
  };
}
