import { completeRecording } from '../core/recording-upload.ts';
import { ownedStream } from '../core/streams.ts';
import { ok } from '../http/responses.ts';
import { route } from '../http/route.ts';
import { CompleteRecordingBody, StreamPath } from '../http/schemas.ts';
import { recordingDeps } from '../wiring.ts';

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
