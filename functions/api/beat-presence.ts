import { beat } from '../core/audience.ts';
import { ok } from '../http/responses.ts';
import { route } from '../http/route.ts';
import { PresenceBody, StreamPath } from '../http/schemas.ts';
import { audienceDeps } from '../wiring.ts';

const deps = audienceDeps();

/**
 * POST /api/livestream/{streamId}/presence {viewerId} -> {success, nextBeatInMs}: an HLS viewer is
 * still watching. Counted once per presence window; beat again after `nextBeatInMs`.
 */
export const handler = route(
  { auth: 'user', params: StreamPath, body: PresenceBody },
  async ({ params, body, user }) => {
    const next = await beat(deps, params.streamId, body.viewerId, user);
    return ok({ success: true, ...next });
  },
);
