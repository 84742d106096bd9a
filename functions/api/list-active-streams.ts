import { listActiveStreams } from '../core/streams.ts';
import { ok } from '../http/responses.ts';
import { route } from '../http/route.ts';
import { ActiveStreamsQuery } from '../http/schemas.ts';
import { streamDeps } from '../wiring.ts';

const deps = streamDeps();

/** GET /api/livestream/active?limit&offset|cursor -> {streams, nextCursor}, newest first. */
export const handler = route({ auth: 'public', query: ActiveStreamsQuery }, async ({ query }) =>
  ok(await listActiveStreams(deps, query)),
);
