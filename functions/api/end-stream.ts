import { endStream } from '../core/streams.ts';
import { streamDeps } from './deps.ts';
import { ok } from './responses.ts';
import { route } from './route.ts';
import { EndStreamBody, StreamPath } from './schemas.ts';

const deps = streamDeps();

/** POST /api/livestream/{streamId}/end {recordingUrl?} -> {success: true}. Revokes the stream key. */
export const handler = route(
  { auth: 'user', params: StreamPath, body: EndStreamBody },
  async ({ params, body, user }) => {
    await endStream(deps, params.streamId, user, body.recordingUrl);
    return ok({ success: true });
  },
);
