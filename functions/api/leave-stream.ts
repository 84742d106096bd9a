import { ApiGatewayConnectionSender } from '../adapters/connection-sender.ts';
import { requireEnv } from '../config.ts';
import { viewerLeft } from '../core/signaling.ts';
import { withinStream } from '../core/streams.ts';
import { sessionDeps } from './deps.ts';
import { ok } from './responses.ts';
import { route } from './route.ts';
import { LeaveStreamBody, StreamPath } from './schemas.ts';

const deps = { ...sessionDeps(), sender: new ApiGatewayConnectionSender(requireEnv('WS_CALLBACK_URL')) };

/**
 * POST /api/livestream/{streamId}/leave {viewerId} -> {success: true}; idempotent per session.
 * The same departure as `stream:leave`: counted out once, the broadcaster told once.
 */
export const handler = route(
  { auth: 'user', params: StreamPath, body: LeaveStreamBody },
  async ({ params, body, user }) => {
    await withinStream(deps, params.streamId, () =>
      viewerLeft(deps, {
        streamId: params.streamId,
        role: 'viewer',
        userId: user.userId,
        viewerId: body.viewerId,
      }),
    );
    return ok({ success: true });
  },
);
