import { postMessage } from '../core/chat.ts';
import { created } from '../http/responses.ts';
import { route } from '../http/route.ts';
import { ChatBody, StreamPath } from '../http/schemas.ts';
import { chatDeps, chatLimitsFromEnv } from '../wiring.ts';

const deps = chatDeps();
const limits = chatLimitsFromEnv();

/**
 * POST /api/livestream/{streamId}/chat {message} -> 201 {id, userId, message, timestamp}. Stored
 * verbatim (trimmed): clients render it as text. 429 with Retry-After past the user's limit.
 */
export const handler = route(
  { auth: 'user', params: StreamPath, body: ChatBody },
  async ({ params, body, user }) =>
    created(await postMessage(deps, limits, params.streamId, user, body.message)),
);
