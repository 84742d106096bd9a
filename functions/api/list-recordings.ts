import { listRecordings } from '../core/recording-archive.ts';
import { ok } from '../http/responses.ts';
import { route } from '../http/route.ts';
import { RecordingsQuery } from '../http/schemas.ts';
import { recordingReadDeps } from '../wiring.ts';

const deps = recordingReadDeps();

/** GET /api/livestream/recordings?limit&cursor -> {recordings, nextCursor}: the caller's, newest first. */
export const handler = route({ auth: 'user', query: RecordingsQuery }, async ({ query, user }) =>
  ok(await listRecordings(deps, user, query)),
);
