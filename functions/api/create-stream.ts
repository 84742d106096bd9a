import { tunable } from '../config.ts';
import { createStream } from '../core/streams.ts';
import { created } from '../http/responses.ts';
import { route } from '../http/route.ts';
import { CreateStreamBody } from '../http/schemas.ts';
import { streamDeps } from '../wiring.ts';

const deps = streamDeps();
const seatsWithoutLadder = tunable('DEFAULT_MAX_VIEWERS');

/**
 * POST /api/livestream/create -> 201 {streamId, streamKey, stream}. The key is shown only here.
 * `maxViewers`, when given, caps both tiers; the peer seats start at it (or the default) and follow
 * the broadcaster's uplink once it runs a live ladder (docs/live.md).
 */
export const handler = route({ auth: 'user', body: CreateStreamBody }, async ({ body, user }) => {
  const { streamId, streamKey, stream } = await createStream(deps, user, {
    ...body,
    peerSeats: body.maxViewers ?? seatsWithoutLadder,
  });
  return created({ streamId, streamKey, stream });
});
