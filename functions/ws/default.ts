import middy from '@middy/core';
import type { APIGatewayProxyResult, APIGatewayProxyWebsocketEventV2, Context } from 'aws-lambda';
import { log } from '../log.ts';
import { errorFrame, parseFrame, type ServerFrame } from './frames.ts';
import { actions } from './router.ts';

const reply = (frame: ServerFrame): APIGatewayProxyResult => ({
  statusCode: 200,
  body: JSON.stringify(frame),
});

/**
 * $default: every frame, routed on its `action`. The route is two-way, so the returned body is
 * the reply to the sender. A bad frame gets a `stream:error`, never silence or a dropped socket.
 */
export const handler = middy<APIGatewayProxyWebsocketEventV2, APIGatewayProxyResult, Error, Context>()
  .use({
    onError: (request) => {
      log.error('frame failed', { requestId: request.context.awsRequestId, error: request.error });
      request.response = reply(errorFrame('INTERNAL', 'Internal server error'));
    },
  })
  .handler(async (event) => {
    const parsed = parseFrame(event.body);
    if (!parsed.ok) return reply(parsed.error);
    const { action, ref } = parsed.frame;
    const run = actions.get(action);
    if (!run) return reply(errorFrame('UNKNOWN_ACTION', `Unknown action "${action.slice(0, 64)}"`, ref));
    return reply(await run(parsed.frame, event.requestContext.connectionId));
  });
