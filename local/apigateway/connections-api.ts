import type { HttpResponse } from '../constants.ts';
import { type AwsRequest, awsError, awsResponse } from '../shared/aws-json.ts';
import type { CloseInfo, WsConnection } from './ws-connection.ts';

/** The close a DELETE on @connections sends; its $disconnect shows the same code. */
export const DELETED: CloseInfo = { code: 1000, reason: '' };

/**
 * The `@connections` management API of a WebSocket API, as `ApiGatewayManagementApiClient`
 * calls it with `endpoint` = the callback URL (`http://127.0.0.1:<port>/ws`): PostToConnection,
 * GetConnection, DeleteConnection on `<base>/@connections/{connectionId}`. A connection that is
 * not open (never was, closed, closing) is 410 GoneException, as on AWS.
 *
 * @param base the path the callback URL ends with, `/ws`.
 */
export function connectionsApi(base: string, connections: ReadonlyMap<string, WsConnection>) {
  const prefix = `${base}/@connections/`;
  return {
    prefix,
    handle(req: AwsRequest): HttpResponse {
      const id = decodeSegment(req.path.slice(prefix.length));
      const conn = id === undefined ? undefined : connections.get(id);
      if (id === undefined || !['POST', 'GET', 'DELETE'].includes(req.method)) {
        return awsError(404, 'NotFoundException', { message: 'Not Found' });
      }
      if (!conn?.open) return awsError(410, 'GoneException', { message: `Connection ${id} is gone` });
      if (req.method === 'POST') {
        conn.send(req.body);
        return awsResponse(200);
      }
      if (req.method === 'DELETE') {
        conn.close(DELETED);
        return awsResponse(204);
      }
      // The wire names are the model's jsonNames (camelCase); the SDK hands back ConnectedAt etc.
      return awsResponse(200, {
        connectedAt: new Date(conn.info.connectedAt).toISOString(),
        identity: { sourceIp: conn.info.sourceIp, userAgent: conn.info.userAgent ?? '' },
        lastActiveAt: new Date(conn.lastActiveAt).toISOString(),
      });
    },
  };
}

/** One path segment, decoded; undefined for anything else (an empty or nested path, a bad escape). */
function decodeSegment(segment: string): string | undefined {
  if (segment === '' || segment.includes('/')) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
