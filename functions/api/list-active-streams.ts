import { listActiveStreams } from '../core/streams.ts';
import { streamDeps } from './deps.ts';
import { ok } from './responses.ts';
import { route } from './route.ts';
import { ActiveStreamsQuery } from './schemas.ts';

const deps = streamDeps();

/** GET /api/livestream/active?limit&offset|cursor -> {streams, nextCursor}, newest first. */
export const handler = route({ auth: 'public', query: ActiveStreamsQuery }, async ({ query }) =>
  ok(await listActiveStreams(deps, query)),
);
