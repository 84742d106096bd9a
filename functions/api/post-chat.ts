import { postMessage } from '../core/chat.ts';
import { chatDeps, chatLimitsFromEnv } from './deps.ts';
import { created } from './responses.ts';
import { route } from './route.ts';
import { ChatBody, StreamPath } from './schemas.ts';

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
