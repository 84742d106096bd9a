import { joinStream } from '../core/viewers.ts';
import { viewerDeps } from './deps.ts';
import { ok } from './responses.ts';
import { route } from './route.ts';
import { EmptyBody, StreamPath } from './schemas.ts';
import { ticketIssuer } from './signaling.ts';

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
