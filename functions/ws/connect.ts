import middy from '@middy/core';
import type { APIGatewayProxyResult, APIGatewayProxyWebsocketEventV2, Context } from 'aws-lambda';
import { DynamoConnectionStore } from '../adapters/connection-store.ts';
import { systemClock } from '../adapters/system.ts';
import { intEnv, requireEnv } from '../config.ts';
import { openConnection } from '../core/connections.ts';
import { log } from '../log.ts';
import { logFailures } from './log-failures.ts';
import { peerOf, ticketOf } from './peer.ts';

const deps = { connections: new DynamoConnectionStore(requireEnv('CONNECTIONS_TABLE')), clock: systemClock };
// 2 h 5 min: API Gateway closes every connection at 2 h, so a row older than that is stale.
const ttlSeconds = intEnv('CONNECTION_TTL_SECONDS', 7500, { min: 60, max: 86_400 });

/**
 * $connect (after the authorizer): records who this connection is. Non-2xx refuses the upgrade:
 * 401 for a ticket that already opened a connection (the client asks for a fresh one, as for an
 * expired ticket).
 */
export const handler = middy<APIGatewayProxyWebsocketEventV2, APIGatewayProxyResult, Error, Context>()
  .use(logFailures('connect'))
  .handler(async (event, context) => {
    const { connectionId, ...grant } = peerOf(event);
    const opened = await openConnection(deps, connectionId, grant, ticketOf(event), ttlSeconds);
    if (opened) return { statusCode: 200, body: '' };
    log.info('ticket refused', { requestId: context.awsRequestId, reason: 'used' });
    return { statusCode: 401, body: '' };
  });
