import { joinStream } from '../core/viewers.ts';
import { viewerDeps } from './deps.ts';
import { ok } from './responses.ts';
import { route } from './route.ts';
import { EmptyBody, StreamPath } from './schemas.ts';

const deps = viewerDeps();

/** POST /api/livestream/{streamId}/join -> {success, iceServers, viewerId}. */
export const handler = route(
  { auth: 'user', params: StreamPath, body: EmptyBody },
  async ({ params, user }) => ok(await joinStream(deps, params.streamId, user)),
);
