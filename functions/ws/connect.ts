import type { APIGatewayProxyResult, APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { openConnection } from '../core/connections.ts';
import { lambda } from '../handler.ts';
import { log } from '../log.ts';
import { peerOf, ticketOf } from '../socket/peer.ts';
import { connectDeps } from '../wiring.ts';

const deps = connectDeps();

/**
 * $connect (after the authorizer): records who this connection is. Non-2xx refuses the upgrade:
 * 401 for a ticket that already opened a connection (the client asks for a fresh one, as for an
 * expired ticket).
 */
export const handler = lambda<APIGatewayProxyWebsocketEventV2, APIGatewayProxyResult>(
  'wsConnect',
  async (event) => {
    const { connectionId, ...grant } = peerOf(event);
    const opened = await openConnection(deps, connectionId, grant, ticketOf(event), deps.ttlSeconds);
    if (opened) return { statusCode: 200, body: '' };
    log.info('ticket refused', { reason: 'used' });
    return { statusCode: 401, body: '' };
  },
  // A 500 refuses the upgrade; the client retries with a fresh ticket.
  () => ({ statusCode: 500, body: '' }),
);
