import { joinStream } from '../core/viewers.ts';
import { ok } from '../http/responses.ts';
import { route } from '../http/route.ts';
import { EmptyBody, StreamPath } from '../http/schemas.ts';
import { ticketIssuer } from '../http/tickets.ts';
import { viewerDeps } from '../wiring.ts';

const deps = viewerDeps();
const issue = await ticketIssuer();

/**
 * POST /api/livestream/{streamId}/join -> {success, iceServers, viewerId, mode, playback,
 * signaling: {url, ticket}}. A `webrtc` viewer's ticket signals its seat; an `hls` viewer's only
 * chats (it plays `playback.hls` and beats `POST /presence`).
 */
export const handler = route(
  { auth: 'user', params: StreamPath, body: EmptyBody },
  async ({ params, user }) => {
    const joined = await joinStream(deps, params.streamId, user);
    const { streamId } = params;
    const signaling =
      joined.mode === 'webrtc'
        ? issue({ streamId, role: 'viewer', userId: user.userId, viewerId: joined.viewerId })
        : issue({ streamId, role: 'chat', userId: user.userId });
    return ok({ ...joined, signaling });
  },
);
