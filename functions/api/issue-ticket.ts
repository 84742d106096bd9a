import { UnauthorizedError } from '../core/errors.ts';
import { assertLiveBroadcaster, broadcasterGrant, broadcasterProof, withinStream } from '../core/streams.ts';
import { assertOpenSession } from '../core/viewers.ts';
import { ok } from '../http/responses.ts';
import { route } from '../http/route.ts';
import { StreamPath, TicketBody } from '../http/schemas.ts';
import { ticketIssuer } from '../http/tickets.ts';
import { sessionDeps } from '../wiring.ts';

const deps = sessionDeps();
const issue = await ticketIssuer();

/**
 * POST /api/livestream/{streamId}/ticket {viewerId?} -> {signaling: {url, ticket}}: a fresh
 * ticket to reconnect. With `viewerId`, for that open viewing session of the caller; without,
 * for the broadcaster (owner token or `X-Stream-Key`). Only while the stream is live.
 */
export const handler = route(
  { auth: 'optional', params: StreamPath, body: TicketBody },
  async ({ params, body, user, header }) => {
    const { streamId } = params;
    if (body.viewerId) {
      if (!user) throw new UnauthorizedError('Sign in as the viewer of this session');
      const { viewerId } = body;
      await withinStream(deps, streamId, () => assertOpenSession(deps, streamId, viewerId, user));
      return ok({
        signaling: issue({ streamId, role: 'viewer', userId: user.userId, viewerId }),
      });
    }
    const proof = broadcasterProof(user, header('x-stream-key'));
    const stream = await assertLiveBroadcaster(deps, streamId, proof);
    const grant = broadcasterGrant(stream, proof);
    return ok({ signaling: issue({ streamId, role: 'broadcaster', userId: stream.ownerId, ...grant }) });
  },
);
