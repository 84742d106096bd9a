import { getRecording } from '../core/recording-archive.ts';
import { ok } from '../http/responses.ts';
import { route } from '../http/route.ts';
import { StreamPath } from '../http/schemas.ts';
import { recordingReadDeps } from '../wiring.ts';

const deps = recordingReadDeps();

/** GET /api/livestream/{streamId}/recording -> {recording}: status, progress, playback URLs. */
export const handler = route({ auth: 'public', params: StreamPath }, async ({ params }) =>
  ok({ recording: await getRecording(deps, params.streamId) }),
);
