import { announceEnd } from '../core/stream-end.ts';
import { endStream, ownedStream } from '../core/streams.ts';
import { endDeps } from '../ws/deps.ts';
import { ok } from './responses.ts';
import { route } from './route.ts';
import { EndStreamBody, StreamPath } from './schemas.ts';

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
    await endStream(deps, stream, user, body.recordingUrl);
    await announceEnd(deps, stream.streamId, 'ended');
    return ok({ success: true });
  },
);
