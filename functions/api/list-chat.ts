import { listMessages } from '../core/chat.ts';
import { ok } from '../http/responses.ts';
import { route } from '../http/route.ts';
import { ChatQuery, StreamPath } from '../http/schemas.ts';
import { chatDeps } from '../wiring.ts';

const deps = chatDeps();

/** GET /api/livestream/{streamId}/chat?limit&before -> {messages, nextCursor}, newest first. */
export const handler = route(
  { auth: 'user', params: StreamPath, query: ChatQuery },
  async ({ params, query }) => ok(await listMessages(deps, params.streamId, query.limit, query.before)),
);
