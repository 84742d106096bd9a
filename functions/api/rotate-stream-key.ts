import { ownedStream, rotateStreamKey } from '../core/streams.ts';
import { ok } from '../http/responses.ts';
import { route } from '../http/route.ts';
import { EmptyBody, StreamPath } from '../http/schemas.ts';
import { streamDeps } from '../wiring.ts';

const deps = streamDeps();

/** POST /api/livestream/{streamId}/key -> {streamKey}. The old key stops working at once. */
export const handler = route(
  {
    auth: 'user',
    params: StreamPath,
    owner: (streamId, { user }) => ownedStream(deps, streamId, user),
    body: EmptyBody,
  },
  async ({ stream, user }) => ok({ streamKey: await rotateStreamKey(deps, stream, user) }),
);
