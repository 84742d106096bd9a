import middy from '@middy/core';
import type { APIGatewayProxyResult, APIGatewayProxyWebsocketEventV2, Context } from 'aws-lambda';
import { DynamoConnectionStore } from '../adapters/connection-store.ts';
import { systemClock } from '../adapters/system.ts';
import { intEnv, requireEnv } from '../config.ts';
import { openConnection } from '../core/connections.ts';
import { logFailures } from './log-failures.ts';
import { peerOf } from './peer.ts';

const deps = { connections: new DynamoConnectionStore(requireEnv('CONNECTIONS_TABLE')), clock: systemClock };
// 2 h 5 min: API Gateway closes every connection at 2 h, so a row older than that is stale.
const ttlSeconds = intEnv('CONNECTION_TTL_SECONDS', 7500, { min: 60, max: 86_400 });

/** $connect (after the authorizer): records who this connection is. Non-2xx refuses the upgrade. */
export const handler = middy<APIGatewayProxyWebsocketEventV2, APIGatewayProxyResult, Error, Context>()
  .use(logFailures('connect'))
  .handler(async (event) => {
    const { connectionId, ...claims } = peerOf(event);
    await openConnection(deps, connectionId, claims, ttlSeconds);
    return { statusCode: 200, body: '' };
  });
