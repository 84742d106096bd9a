import { getStream } from '../core/streams.ts';
import { ok } from '../http/responses.ts';
import { route } from '../http/route.ts';
import { EmptyBody, StreamPath } from '../http/schemas.ts';
import { ticketIssuer } from '../http/tickets.ts';
import { streamDeps } from '../wiring.ts';

const deps = streamDeps();
const issue = await ticketIssuer();

/**
 * POST /api/livestream/{streamId}/chat/ticket -> {signaling: {url, ticket}}: a chat-only
 * connection for a signed-in user who is not watching (a second screen, a moderator's console).
 * Then `join-livestream` puts it in the room.
 */
export const handler = route(
  { auth: 'user', params: StreamPath, body: EmptyBody },
  async ({ params, user }) => {
    const stream = await getStream(deps, params.streamId);
    return ok({ signaling: issue({ streamId: stream.streamId, role: 'chat', userId: user.userId }) });
  },
);
