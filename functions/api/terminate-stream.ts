import { terminateStream } from '../core/stream-end.ts';
import { ok } from '../http/responses.ts';
import { route } from '../http/route.ts';
import { StreamPath, TerminateBody } from '../http/schemas.ts';
import { endDeps } from '../wiring.ts';

const deps = endDeps();

/** POST /api/livestream/{streamId}/terminate {reason} (admin) -> {success: true}. */
export const handler = route(
  { auth: 'user', params: StreamPath, body: TerminateBody },
  async ({ params, body, user }) => {
    await terminateStream(deps, params.streamId, user, body.reason);
    return ok({ success: true });
  },
);
