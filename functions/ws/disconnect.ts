import type { APIGatewayProxyResult, APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { broadcasterLeft, viewerLeft } from '../core/signaling.ts';
import { lambda } from '../handler.ts';
import { peerOf } from '../socket/peer.ts';
import { signalingDeps } from '../wiring.ts';

const deps = signalingDeps();

/**
 * $disconnect (best effort by API Gateway's contract; the row's TTL covers a lost one): a
 * viewer is counted out and its broadcaster told; a broadcaster starts the grace period.
 */
export const handler = lambda<APIGatewayProxyWebsocketEventV2, APIGatewayProxyResult>(
  'wsDisconnect',
  async (event) => {
    const peer = peerOf(event);
    await deps.connections.delete(peer.connectionId);
    if (peer.role === 'viewer') await viewerLeft(deps, peer, { tier: 'webrtc' });
    else await broadcasterLeft(deps, peer.streamId, peer.connectionId);
    return { statusCode: 200, body: '' };
  },
  // Nobody reads a $disconnect answer; the row's TTL covers what was not cleaned up.
  () => ({ statusCode: 500, body: '' }),
);
