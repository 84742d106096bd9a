import { broadcasterGrant, broadcasterProof, broadcastersStream, startStream } from '../core/streams.ts';
import { ok } from '../http/responses.ts';
import { route } from '../http/route.ts';
import { EmptyBody, StreamPath } from '../http/schemas.ts';
import { ticketIssuer } from '../http/tickets.ts';
import { streamDeps } from '../wiring.ts';

const deps = streamDeps();
const issue = await ticketIssuer();

/**
 * POST /api/livestream/{streamId}/start -> {success, signaling: {url, ticket}}. The owner's
 * token, or the stream key in `X-Stream-Key` (for encoders and devices that hold no user
 * session). Never in the URL. The ticket lets the broadcaster connect for the owner; one opened
 * with the key alone may broadcast but not end the stream or chat as the owner.
 */
export const handler = route(
  {
    auth: 'optional',
    params: StreamPath,
    owner: (streamId, { user, header }) =>
      broadcastersStream(deps, streamId, broadcasterProof(user, header('x-stream-key'))),
    body: EmptyBody,
  },
  async ({ stream, user, header }) => {
    const proof = broadcasterProof(user, header('x-stream-key'));
    const started = await startStream(deps, stream, proof);
    const grant = broadcasterGrant(started, proof);
    const signaling = issue({
      streamId: started.streamId,
      role: 'broadcaster',
      userId: started.ownerId,
      ...grant,
    });
    return ok({ success: true, signaling });
  },
);
