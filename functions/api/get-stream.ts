import { toPublicStream } from '../core/model.ts';
import { getStream } from '../core/streams.ts';
import { ok } from '../http/responses.ts';
import { route } from '../http/route.ts';
import { StreamPath } from '../http/schemas.ts';
import { publicStreamDeps } from '../wiring.ts';

const deps = publicStreamDeps();

/** GET /api/livestream/{streamId} -> the stream's public view, with its replay once it has one. */
export const handler = route({ auth: 'public', params: StreamPath }, async ({ params }) =>
  ok(toPublicStream(await getStream(deps, params.streamId), deps.clock.now(), deps.mediaBaseUrl)),
);
