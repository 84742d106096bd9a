import { terminateStream } from '../core/stream-end.ts';
import { endDeps } from '../ws/deps.ts';
import { ok } from './responses.ts';
import { route } from './route.ts';
import { StreamPath, TerminateBody } from './schemas.ts';

const deps = endDeps();

/** POST /api/livestream/{streamId}/terminate {reason} (admin) -> {success: true}. */
export const handler = route(
  { auth: 'user', params: StreamPath, body: TerminateBody },
  async ({ params, body, user }) => {
    await terminateStream(deps, params.streamId, user, body.reason);
    return ok({ success: true });
  },
);
