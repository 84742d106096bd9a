import { openRecording } from '../core/recording-upload.ts';
import { ownedStream } from '../core/streams.ts';
import { created, ok } from '../http/responses.ts';
import { route } from '../http/route.ts';
import { OpenRecordingBody, StreamPath } from '../http/schemas.ts';
import { recordingDeps } from '../wiring.ts';

const deps = recordingDeps();

/**
 * POST /api/livestream/{streamId}/recording {contentType} -> 201 {recording, upload} (200 when
 * an open upload is resumed). The owner, while live or within the window after the end.
 */
export const handler = route(
  {
    auth: 'user',
    params: StreamPath,
    owner: (streamId, { user }) => ownedStream(deps, streamId, user),
    body: OpenRecordingBody,
  },
  async ({ stream, body, user }) => {
    const { created: isNew, ...terms } = await openRecording(deps, stream, user, body.contentType);
    return isNew ? created(terms) : ok(terms);
  },
);
