import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import type { Peer } from '../core/signaling.ts';

/** The authorizer context as API Gateway hands it to every route of a connection. */
interface AuthorizerContext {
  streamId?: unknown;
  role?: unknown;
  userId?: unknown;
  viewerId?: unknown;
}

/**
 * Who sent this event: the claims the $connect authorizer verified, attached by API Gateway to
 * every later message, so no lookup is needed. Context values are strings; '' means absent.
 */
export function peerOf(event: APIGatewayProxyWebsocketEventV2): Peer {
  const { requestContext } = event as APIGatewayProxyWebsocketEventV2 & {
    requestContext: { authorizer?: AuthorizerContext };
  };
  const { streamId, role, userId, viewerId } = requestContext.authorizer ?? {};
  if (
    typeof streamId !== 'string' ||
    typeof userId !== 'string' ||
    (role !== 'broadcaster' && role !== 'viewer' && role !== 'chat')
  ) {
    // Only possible if the route were deployed without the authorizer: fail loudly.
    throw new Error('The connection carries no authorizer context');
  }
  const connectionId = requestContext.connectionId;
  if (role === 'broadcaster' || role === 'chat') return { connectionId, streamId, role, userId };
  if (typeof viewerId !== 'string' || !viewerId) throw new Error('A viewer connection carries no viewerId');
  return { connectionId, streamId, role, userId, viewerId };
}
