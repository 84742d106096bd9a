import { tunable } from '../config.ts';
import { createStream } from '../core/streams.ts';
import { created } from '../http/responses.ts';
import { route } from '../http/route.ts';
import { CreateStreamBody } from '../http/schemas.ts';
import { streamDeps } from '../wiring.ts';

const deps = streamDeps();
const defaultMaxViewers = tunable('DEFAULT_MAX_VIEWERS');

/** POST /api/livestream/create -> 201 {streamId, streamKey, stream}. The key is shown only here. */
export const handler = route({ auth: 'user', body: CreateStreamBody }, async ({ body, user }) => {
  const { streamId, streamKey, stream } = await createStream(deps, user, {
    ...body,
    maxViewers: body.maxViewers ?? defaultMaxViewers,
  });
  return created({ streamId, streamKey, stream });
});
