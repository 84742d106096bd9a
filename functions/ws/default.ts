import type { APIGatewayProxyResult, APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import type { z } from 'zod';
import { DomainError } from '../core/errors.ts';
import { errorFrame } from '../core/frames.ts';
import type { ClientAction, ServerFrame, SignalingRole } from '../core/protocol.ts';
import { lambda } from '../handler.ts';
import { log } from '../log.ts';
import { assertSameStream, signalingActions } from '../socket/actions.ts';
import { type ClientFrame, parseFrame } from '../socket/frames.ts';
import { peerOf } from '../socket/peer.ts';
import { RateLimiter } from '../socket/rate-limit.ts';
import { frameDeps } from '../wiring.ts';

const deps = frameDeps();
const limiter = new RateLimiter();

const reply = (frame: ServerFrame): APIGatewayProxyResult => ({
  statusCode: 200,
  body: JSON.stringify(frame),
});
/** No reply frame: the two-way route sends nothing when the body is absent. */
const silent = { statusCode: 200 } as APIGatewayProxyResult;

/** A data error names its field; an oversized SDP or candidate has a code of its own. */
function dataError(error: z.ZodError, ref?: string): ServerFrame {
  const issue = error.issues[0];
  const field = `data.${issue?.path.join('.') ?? ''}`;
  const last = issue?.path.at(-1);
  if (issue?.code === 'too_big' && (last === 'sdp' || last === 'candidate')) {
    return errorFrame('SDP_TOO_LARGE', `${field}: ${issue.message}`, ref);
  }
  return errorFrame('INVALID_FRAME', `${field}: ${issue?.message ?? 'invalid'}`, ref);
}

/**
 * $default: every frame, routed on its `action`. The route is two-way, so a returned body is
 * the reply to the sender. Checks run cheapest first (shape, action, role, budget, data) and
 * each failure is a precise `stream:error` that changed nothing.
 */
export const handler = lambda<APIGatewayProxyWebsocketEventV2, APIGatewayProxyResult>(
  'wsDefault',
  async (event) => {
    const parsed = parseFrame(event.body);
    if (!parsed.ok) return reply(parsed.error);
    const { ref } = parsed.frame;
    try {
      return await route(event, parsed.frame);
    } catch (error) {
      if (error instanceof DomainError)
        return reply(errorFrame(error.code, error.message, ref, error.details));
      log.error('frame failed', { action: parsed.frame.action, error });
      return reply(errorFrame('INTERNAL', 'Internal server error; nothing was relayed', ref));
    }
  },
  // Only a frame that could not even be read gets here: no ref to echo.
  () => reply(errorFrame('INTERNAL', 'Internal server error')),
);

async function route(
  event: APIGatewayProxyWebsocketEventV2,
  frame: ClientFrame,
): Promise<APIGatewayProxyResult> {
  const { action, data = {}, ref } = frame;
  const def = Object.hasOwn(signalingActions, action) ? signalingActions[action as ClientAction] : undefined;
  if (!def) return reply(errorFrame('UNKNOWN_ACTION', `Unknown action "${action}"`, ref));

  const me = peerOf(event);
  const roles: readonly SignalingRole[] = def.roles;
  if (!roles.includes(me.role)) {
    return reply(
      errorFrame('WRONG_ROLE', `${action} is for the ${roles.join(' or ')}, not the ${me.role}`, ref),
    );
  }
  const budget = limiter.take(me.connectionId, me.role, def.kind, Date.now());
  if (!budget.ok) {
    const message = `Too many frames on this connection; retry in ${budget.retryAfterMs} ms`;
    return reply(errorFrame('RATE_LIMITED', message, ref, { retryAfterMs: budget.retryAfterMs }));
  }
  const input = def.data.safeParse(data);
  if (!input.success) return reply(dataError(input.error, ref));
  assertSameStream(me, input.data);
  // biome-ignore lint/suspicious/noExplicitAny: each action's data matches its own schema, checked just above.
  const result = await def.run(deps, me, input.data as any, ref);
  return result ? reply({ ...result, ...(ref && { ref }) }) : silent;
}
