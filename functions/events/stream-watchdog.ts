import { z } from 'zod';
import { endAbandonedStream } from '../core/stream-end.ts';
import { lambda } from '../handler.ts';
import { log } from '../log.ts';
import { endDeps } from '../wiring.ts';

const deps = endDeps();

const StreamCheck = z.strictObject({ streamId: z.uuid(), goneAt: z.int().positive() });

/**
 * Invoked by a one-off EventBridge Scheduler schedule `BROADCASTER_GRACE_SECONDS` after a
 * broadcaster dropped: ends the stream unless the broadcaster resumed meanwhile.
 */
export const handler = lambda<unknown, void>(
  'streamWatchdog',
  async (event) => {
    const check = StreamCheck.parse(event);
    const ended = await endAbandonedStream(deps, check);
    log.info('stream check', { streamId: check.streamId, ended });
  },
  // The scheduler retries a failed check (its retry policy), and then its dead-letter queue has it.
  'rethrow',
);
