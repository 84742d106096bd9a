import { UnauthorizedError } from '../core/errors.ts';
import { broadcasterGrant, startStream } from '../core/streams.ts';
import { streamDeps } from './deps.ts';
import { ok } from './responses.ts';
import { route } from './route.ts';
import { EmptyBody, StreamPath } from './schemas.ts';
import { ticketIssuer } from './signaling.ts';

const deps = streamDeps();
const issue = await ticketIssuer();

/**
 * POST /api/livestream/{streamId}/start -> {success, signaling: {url, ticket}}. The owner's
 * token, or the stream key in `X-Stream-Key` (for encoders and devices that hold no user
 * session). Never in the URL. The ticket lets the broadcaster connect for the owner; one opened
 * with the key alone may broadcast but not end the stream or chat as the owner.
 */
export const handler = route(
  { auth: 'optional', params: StreamPath, body: EmptyBody },
  async ({ params, user, header }) => {
    const streamKey = header('x-stream-key');
    const proof = streamKey ? { streamKey } : user ? { user } : undefined;
    if (!proof) throw new UnauthorizedError('Sign in as the owner, or send the stream key in X-Stream-Key');
    const stream = await startStream(deps, params.streamId, proof);
    const signaling = issue({
      streamId: stream.streamId,
      role: 'broadcaster',
      userId: stream.ownerId,
      ...broadcasterGrant(stream, proof),
    });
    return ok({ success: true, signaling });
  },
);
