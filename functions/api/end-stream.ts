import { announceEnd } from '../core/stream-end.ts';
import { endStream } from '../core/streams.ts';
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
  { auth: 'user', params: StreamPath, body: EndStreamBody },
  async ({ params, body, user }) => {
    await endStream(deps, params.streamId, user, body.recordingUrl);
    await announceEnd(deps, params.streamId, 'ended');
    return ok({ success: true });
  },
);
