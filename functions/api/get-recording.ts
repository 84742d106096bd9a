import { getRecording } from '../core/recording-archive.ts';
import { recordingReadDeps } from './deps.ts';
import { ok } from './responses.ts';
import { route } from './route.ts';
import { StreamPath } from './schemas.ts';

const deps = recordingReadDeps();

/** GET /api/livestream/{streamId}/recording -> {recording}: status, progress, playback URLs. */
export const handler = route({ auth: 'public', params: StreamPath }, async ({ params }) =>
  ok({ recording: await getRecording(deps, params.streamId) }),
);
