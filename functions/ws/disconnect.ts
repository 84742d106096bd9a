import middy from '@middy/core';
import type { APIGatewayProxyResult, APIGatewayProxyWebsocketEventV2, Context } from 'aws-lambda';
import { broadcasterLeft, viewerLeft } from '../core/signaling.ts';
import { signalingDeps } from './deps.ts';
import { logFailures } from './log-failures.ts';
import { peerOf } from './peer.ts';

const deps = signalingDeps();

/**
 * $disconnect (best effort by API Gateway's contract; the row's TTL covers a lost one): a
 * viewer is counted out and its broadcaster told; a broadcaster starts the grace period.
 */
export const handler = middy<APIGatewayProxyWebsocketEventV2, APIGatewayProxyResult, Error, Context>()
  .use(logFailures('disconnect'))
  .handler(async (event) => {
    const peer = peerOf(event);
    await deps.connections.delete(peer.connectionId);
    if (peer.role === 'viewer') await viewerLeft(deps, peer);
    else await broadcasterLeft(deps, peer.streamId, peer.connectionId);
    return { statusCode: 200, body: '' };
  });
