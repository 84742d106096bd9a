import { completeRecording } from '../core/recording-upload.ts';
import { recordingDeps } from './deps.ts';
import { ok } from './responses.ts';
import { route } from './route.ts';
import { CompleteRecordingBody, StreamPath } from './schemas.ts';

const deps = recordingDeps();

/**
 * POST /api/livestream/{streamId}/recording/complete {parts: [{partNumber, etag}]} ->
 * {recording} (`processing`): S3 assembles the parts and the transcode starts.
 */
export const handler = route(
  { auth: 'user', params: StreamPath, body: CompleteRecordingBody },
  async ({ params, body, user }) =>
    ok({ recording: await completeRecording(deps, params.streamId, user, body.parts) }),
);
