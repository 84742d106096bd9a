import { openRecording } from '../core/recording-upload.ts';
import { recordingDeps } from './deps.ts';
import { created, ok } from './responses.ts';
import { route } from './route.ts';
import { OpenRecordingBody, StreamPath } from './schemas.ts';

const deps = recordingDeps();

/**
 * POST /api/livestream/{streamId}/recording {contentType} -> 201 {recording, upload} (200 when
 * an open upload is resumed). The owner, while live or within the window after the end.
 */
export const handler = route(
  { auth: 'user', params: StreamPath, body: OpenRecordingBody },
  async ({ params, body, user }) => {
    const { created: isNew, ...terms } = await openRecording(deps, params.streamId, user, body.contentType);
    return isNew ? created(terms) : ok(terms);
  },
);
