import { deleteRecording } from '../core/recording-archive.ts';
import { ownedStream } from '../core/streams.ts';
import { ok } from '../http/responses.ts';
import { route } from '../http/route.ts';
import { StreamPath } from '../http/schemas.ts';
import { recordingDeps } from '../wiring.ts';

const deps = recordingDeps();

/**
 * DELETE /api/livestream/{streamId}/recording -> {recording} (`deleted`): the owner (or an
 * admin) removes every object of it; its playback URLs stop working.
 */
export const handler = route(
  {
    auth: 'user',
    params: StreamPath,
    owner: (streamId, { user }) => ownedStream(deps, streamId, user, { orAdmin: true }),
  },
  async ({ stream, user }) => ok({ recording: await deleteRecording(deps, stream, user) }),
);
