import { listRecordings } from '../core/recording-archive.ts';
import { recordingReadDeps } from './deps.ts';
import { ok } from './responses.ts';
import { route } from './route.ts';
import { RecordingsQuery } from './schemas.ts';

const deps = recordingReadDeps();

/** GET /api/livestream/recordings?limit&cursor -> {recordings, nextCursor}: the caller's, newest first. */
export const handler = route({ auth: 'user', query: RecordingsQuery }, async ({ query, user }) =>
  ok(await listRecordings(deps, user, query)),
);
