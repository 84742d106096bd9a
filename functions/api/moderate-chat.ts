import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { DynamoChatStore } from '../adapters/chat-store.ts';
import { DynamoStreamStore } from '../adapters/stream-store.ts';
import { systemClock } from '../adapters/system.ts';
import { requireEnv } from '../config.ts';
import { banUser, deleteMessage, setSlowMode, unbanUser } from '../core/moderation.ts';
import { created, json, ok } from './responses.ts';
import { route } from './route.ts';
import { BanBody, BanPath, MessagePath, SlowModeBody, StreamPath } from './schemas.ts';

const deps = {
  streams: new DynamoStreamStore(requireEnv('STREAMS_TABLE')),
  chat: new DynamoChatStore(requireEnv('CHAT_TABLE')),
  clock: systemClock,
};
const CHAT = '/api/livestream/{streamId}/chat';

/**
 * The chat moderation routes share one function (and one small set of grants): each is an
 * ordinary `route()`, picked by API Gateway's resource and method.
 */
const routes: Record<string, ReturnType<typeof route>> = {
  [`DELETE ${CHAT}/{messageId}`]: route({ auth: 'user', params: MessagePath }, async ({ params, user }) => {
    await deleteMessage(deps, params.streamId, params.messageId, user);
    return ok({ success: true });
  }),
  [`POST ${CHAT}/bans`]: route(
    { auth: 'user', params: StreamPath, body: BanBody },
    async ({ params, body, user }) =>
      created(await banUser(deps, params.streamId, user, body.userId, body.durationSeconds)),
  ),
  [`DELETE ${CHAT}/bans/{userId}`]: route({ auth: 'user', params: BanPath }, async ({ params, user }) => {
    await unbanUser(deps, params.streamId, user, params.userId);
    return ok({ success: true });
  }),
  [`POST ${CHAT}/slow-mode`]: route(
    { auth: 'user', params: StreamPath, body: SlowModeBody },
    async ({ params, body, user }) => ok(await setSlowMode(deps, params.streamId, user, body.seconds)),
  ),
};

export const handler = (event: APIGatewayProxyEvent, context: Context) => {
  const matched = routes[`${event.httpMethod} ${event.resource}`];
  if (!matched)
    return json(404, {
      error: { code: 'ROUTE_NOT_FOUND', message: 'No route matches this method and path' },
    });
  return matched(event, context);
};
