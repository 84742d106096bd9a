import { listMessages } from '../core/chat.ts';
import { chatDeps } from './deps.ts';
import { ok } from './responses.ts';
import { route } from './route.ts';
import { ChatQuery, StreamPath } from './schemas.ts';

const deps = chatDeps();

/** GET /api/livestream/{streamId}/chat?limit&before -> {messages, nextCursor}, newest first. */
export const handler = route(
  { auth: 'user', params: StreamPath, query: ChatQuery },
  async ({ params, query }) => ok(await listMessages(deps, params.streamId, query.limit, query.before)),
);
