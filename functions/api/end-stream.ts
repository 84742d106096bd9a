import { endByOwner } from '../core/stream-end.ts';
import { ownedStream } from '../core/streams.ts';
import { ok } from '../http/responses.ts';
import { route } from '../http/route.ts';
import { EndStreamBody, StreamPath } from '../http/schemas.ts';
import { endDeps } from '../wiring.ts';

const deps = endDeps();

/**
 * POST /api/livestream/{streamId}/end {recordingUrl?} -> {success: true}. Revokes the stream
 * key; every viewer is told `stream:ended` and disconnected.
 */
export const handler = route(
  {
    auth: 'user',
    params: StreamPath,
    owner: (streamId, { user }) => ownedStream(deps, streamId, user),
    body: EndStreamBody,
  },
  async ({ stream, body, user }) => {
    await endByOwner(deps, stream, user, body.recordingUrl);
    return ok({ success: true });
  },
);
