import { leaveStream } from '../core/viewers.ts';
import { viewerDeps } from './deps.ts';
import { ok } from './responses.ts';
import { route } from './route.ts';
import { LeaveStreamBody, StreamPath } from './schemas.ts';

const deps = viewerDeps();

/** POST /api/livestream/{streamId}/leave {viewerId} -> {success: true}; idempotent per session. */
export const handler = route(
  { auth: 'user', params: StreamPath, body: LeaveStreamBody },
  async ({ params, body, user }) => {
    await leaveStream(deps, params.streamId, body.viewerId, user);
    return ok({ success: true });
  },
);
