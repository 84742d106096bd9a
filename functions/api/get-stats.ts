import { tunable } from '../config.ts';
import { streamStats } from '../core/stats.ts';
import { ownedStream } from '../core/streams.ts';
import { ok } from '../http/responses.ts';
import { route } from '../http/route.ts';
import { StreamPath } from '../http/schemas.ts';
import { sessionDeps } from '../wiring.ts';

const deps = { ...sessionDeps(), windowMs: 1000 * tunable('PRESENCE_WINDOW_SECONDS') };

/**
 * GET /api/livestream/{streamId}/stats -> current and peak viewers, total and unique views, watch
 * time, and concurrent viewers per minute. The owner (or an admin) only.
 */
export const handler = route(
  {
    auth: 'user',
    params: StreamPath,
    owner: (streamId, { user }) => ownedStream(deps, streamId, user, { orAdmin: true }),
  },
  async ({ stream, user }) => ok(await streamStats(deps, stream, user)),
);
