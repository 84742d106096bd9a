import { presignPart } from '../core/recording-upload.ts';
import { ownedStream } from '../core/streams.ts';
import { recordingDeps } from './deps.ts';
import { ok } from './responses.ts';
import { route } from './route.ts';
import { RecordingPartBody, StreamPath } from './schemas.ts';

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
