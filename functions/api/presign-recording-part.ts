import { presignPart } from '../core/recording-upload.ts';
import { ownedStream } from '../core/streams.ts';
import { ok } from '../http/responses.ts';
import { route } from '../http/route.ts';
import { RecordingPartBody, StreamPath } from '../http/schemas.ts';
import { recordingDeps } from '../wiring.ts';

const deps = recordingDeps();

/**
 * POST /api/livestream/{streamId}/recording/parts {partNumber, sizeBytes} -> {url, method,
 * expiresAt, ...}: PUT exactly `sizeBytes` to `url`; keep the ETag S3 answers for completion.
 */
export const handler = route(
  {
    auth: 'user',
    params: StreamPath,
    owner: (streamId, { user }) => ownedStream(deps, streamId, user),
    body: RecordingPartBody,
  },
  async ({ stream, body, user }) => ok(await presignPart(deps, stream, user, body)),
);
