import { viewerLeft, viewerLeftAll } from '../core/signaling.ts';
import { withinStream } from '../core/streams.ts';
import { ok } from '../http/responses.ts';
import { route } from '../http/route.ts';
import { LeaveStreamBody, StreamPath } from '../http/schemas.ts';
import { leaveDeps } from '../wiring.ts';

const deps = leaveDeps();

/**
 * POST /api/livestream/{streamId}/leave [{viewerId}] -> {success: true}; idempotent. With no body
 * (the spec's request) every open session of the caller on the stream closes; with `viewerId`,
 * that one. The same departure as `stream:leave`: counted out once, the broadcaster told once.
 */
export const handler = route(
  { auth: 'user', params: StreamPath, body: LeaveStreamBody },
  async ({ params, body, user }) => {
    const { streamId } = params;
    const { viewerId } = body;
    if (viewerId)
      await withinStream(deps, streamId, () => viewerLeft(deps, { streamId, userId: user.userId, viewerId }));
    else await viewerLeftAll(deps, streamId, user.userId);
    return ok({ success: true });
  },
);
