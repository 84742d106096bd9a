import { joinStream } from '../core/viewers.ts';
import { ok } from '../http/responses.ts';
import { route } from '../http/route.ts';
import { EmptyBody, StreamPath } from '../http/schemas.ts';
import { ticketIssuer } from '../http/tickets.ts';
import { viewerDeps } from '../wiring.ts';

const deps = viewerDeps();
const issue = await ticketIssuer();

/** POST /api/livestream/{streamId}/join -> {success, iceServers, viewerId, signaling: {url, ticket}}. */
export const handler = route(
  { auth: 'user', params: StreamPath, body: EmptyBody },
  async ({ params, user }) => {
    const joined = await joinStream(deps, params.streamId, user);
    const signaling = issue({
      streamId: params.streamId,
      role: 'viewer',
      userId: user.userId,
      viewerId: joined.viewerId,
    });
    return ok({ ...joined, signaling });
  },
);
