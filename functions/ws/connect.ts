import middy from '@middy/core';
import type { APIGatewayProxyResult, APIGatewayProxyWebsocketEventV2, Context } from 'aws-lambda';
import { DynamoConnectionStore } from '../adapters/connection-store.ts';
import { systemClock } from '../adapters/system.ts';
import { intEnv, requireEnv } from '../config.ts';
import { openConnection } from '../core/connections.ts';
import { log } from '../log.ts';

const deps = { connections: new DynamoConnectionStore(requireEnv('CONNECTIONS_TABLE')), clock: systemClock };
// 2 h 5 min: API Gateway closes every connection at 2 h, so a row older than that is stale.
const ttlSeconds = intEnv('CONNECTION_TTL_SECONDS', 7500, { min: 60, max: 86_400 });

/** $connect: records the connection. A non-2xx answer refuses the WebSocket upgrade. */
export const handler = middy<APIGatewayProxyWebsocketEventV2, APIGatewayProxyResult, Error, Context>()
  .use({
    onError: (request) => {
      log.error('connect failed', { requestId: request.context.awsRequestId, error: request.error });
      request.response = { statusCode: 500, body: 'Internal server error' };
    },
  })
  .handler(async (event) => {
    await openConnection(deps, event.requestContext.connectionId, ttlSeconds);
    return { statusCode: 200, body: '' };
  });
