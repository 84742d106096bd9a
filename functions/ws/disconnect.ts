import middy from '@middy/core';
import type { APIGatewayProxyResult, APIGatewayProxyWebsocketEventV2, Context } from 'aws-lambda';
import { DynamoConnectionStore } from '../adapters/connection-store.ts';
import { requireEnv } from '../config.ts';

const connections = new DynamoConnectionStore(requireEnv('CONNECTIONS_TABLE'));

/** $disconnect: best effort by API Gateway's own contract; the row's TTL covers a lost event. */
export const handler = middy<
  APIGatewayProxyWebsocketEventV2,
  APIGatewayProxyResult,
  Error,
  Context
>().handler(async (event) => {
  await connections.delete(event.requestContext.connectionId);
  return { statusCode: 200, body: '' };
});
