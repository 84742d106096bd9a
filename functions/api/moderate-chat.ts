import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { banUser, deleteMessage, moderatedStream, setSlowMode, unbanUser } from '../core/moderation.ts';
import { created, json, ok } from '../http/responses.ts';
import { type Caller, type RestHandler, route } from '../http/route.ts';
import { BanBody, BanPath, MessagePath, SlowModeBody, StreamPath } from '../http/schemas.ts';
import { moderationDeps } from '../wiring.ts';

const deps = moderationDeps();
const CHAT = '/api/livestream/{streamId}/chat';
const moderator = (streamId: string, { user }: Caller<'user'>) => moderatedStream(deps, streamId, user);

/**
 * The chat moderation routes share one function (and one small set of grants): each is an
 * ordinary `route()`, picked by API Gateway's resource and method.
 */
const routes: Record<string, RestHandler> = {
  [`DELETE ${CHAT}/{messageId}`]: route(
    { auth: 'user', params: MessagePath, owner: moderator },
    async ({ stream, params, user }) => {
      await deleteMessage(deps, stream, params.messageId, user);
      return ok({ success: true });
    },
  ),
  [`POST ${CHAT}/bans`]: route(
    { auth: 'user', params: StreamPath, owner: moderator, body: BanBody },
    async ({ stream, body, user }) =>
      created(await banUser(deps, stream, user, body.userId, body.durationSeconds)),
  ),
  [`DELETE ${CHAT}/bans/{userId}`]: route(
    { auth: 'user', params: BanPath, owner: moderator },
    async ({ stream, params, user }) => {
      await unbanUser(deps, stream, user, params.userId);
      return ok({ success: true });
    },
  ),
  [`POST ${CHAT}/slow-mode`]: route(
    { auth: 'user', params: StreamPath, owner: moderator, body: SlowModeBody },
    async ({ stream, body, user }) => ok(await setSlowMode(deps, stream, user, body.seconds)),
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
