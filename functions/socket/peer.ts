import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import type { Peer } from '../core/signaling.ts';

/** The authorizer context as API Gateway hands it to every route of a connection. */
interface AuthorizerContext {
  streamId?: unknown;
  role?: unknown;
  userId?: unknown;
  viewerId?: unknown;
  via?: unknown;
  keyId?: unknown;
  ticketId?: unknown;
  ticketExpiresAt?: unknown;
}

function authorizerContext(event: APIGatewayProxyWebsocketEventV2): AuthorizerContext {
  const { requestContext } = event as APIGatewayProxyWebsocketEventV2 & {
    requestContext: { authorizer?: AuthorizerContext };
  };
  return requestContext.authorizer ?? {};
}

const text = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/**
 * Who sent this event: the grant the $connect authorizer verified, attached by API Gateway to
 * every later message, so no lookup is needed. Context values are strings; '' means absent.
 * Only possible to fail if a route were deployed without the authorizer: fail loudly.
 */
export function peerOf(event: APIGatewayProxyWebsocketEventV2): Peer {
  const { streamId, role, userId, viewerId, via, keyId } = authorizerContext(event);
  const connectionId = event.requestContext.connectionId;
  if (!text(streamId) || !text(userId)) throw new Error('The connection carries no authorizer context');
  const common = { connectionId, streamId, userId };
  if (role === 'chat') return { ...common, role };
  if (role === 'viewer' && text(viewerId)) return { ...common, role, viewerId };
  if (role === 'broadcaster' && via === 'owner') return { ...common, role, via };
  if (role === 'broadcaster' && via === 'key' && text(keyId)) return { ...common, role, via, keyId };
  throw new Error(`The connection's authorizer context is not a valid ${String(role)} grant`);
}

/** The ticket a connection was opened with (only $connect needs it: a ticket opens one connection). */
export function ticketOf(event: APIGatewayProxyWebsocketEventV2): { ticketId: string; expiresAt: number } {
  const { ticketId, ticketExpiresAt } = authorizerContext(event);
  const expiresAt = Number(ticketExpiresAt);
  if (!text(ticketId) || !Number.isInteger(expiresAt)) throw new Error('The connection carries no ticket id');
  return { ticketId, expiresAt };
}
