import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { endAbandonedStream } from '../core/stream-end.ts';
import { log } from '../log.ts';
import { endDeps } from '../ws/deps.ts';

const deps = endDeps();

const StreamCheck = z.strictObject({ streamId: z.uuid(), goneAt: z.int().positive() });

/**
 * Invoked by a one-off EventBridge Scheduler schedule `BROADCASTER_GRACE_SECONDS` after a
 * broadcaster dropped: ends the stream unless the broadcaster resumed meanwhile.
 */
export const handler = middy<unknown, void, Error, Context>().handler(async (event, context) => {
  const check = StreamCheck.parse(event);
  const ended = await endAbandonedStream(deps, check);
  log.info('stream check', { requestId: context.awsRequestId, streamId: check.streamId, ended });
});
