import { ownedStream, rotateStreamKey } from '../core/streams.ts';
import { streamDeps } from './deps.ts';
import { ok } from './responses.ts';
import { route } from './route.ts';
import { EmptyBody, StreamPath } from './schemas.ts';

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
