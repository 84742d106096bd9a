import { toPublicStream } from '../core/model.ts';
import { getStream } from '../core/streams.ts';
import { streamDeps } from './deps.ts';
import { ok } from './responses.ts';
import { route } from './route.ts';
import { StreamPath } from './schemas.ts';

const deps = streamDeps();

/** GET /api/livestream/{streamId} -> the stream's public view. */
export const handler = route({ auth: 'public', params: StreamPath }, async ({ params }) =>
  ok(toPublicStream(await getStream(deps, params.streamId))),
);
