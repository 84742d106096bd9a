import { DynamoViewerStore } from '../adapters/viewer-store.ts';
import { requireEnv } from '../config.ts';
import { streamStats } from '../core/stats.ts';
import { ownedStream } from '../core/streams.ts';
import { streamDeps } from './deps.ts';
import { ok } from './responses.ts';
import { route } from './route.ts';
import { StreamPath } from './schemas.ts';

const deps = { ...streamDeps(), viewers: new DynamoViewerStore(requireEnv('VIEWERS_TABLE')) };

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
