import { completeRecording } from '../core/recording-upload.ts';
import { ownedStream } from '../core/streams.ts';
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
  {
    auth: 'user',
    params: StreamPath,
    owner: (streamId, { user }) => ownedStream(deps, streamId, user),
    body: CompleteRecordingBody,
  },
  async ({ stream, body, user }) =>
    ok({ recording: await completeRecording(deps, stream, user, body.parts) }),
);
