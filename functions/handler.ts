import middy, { type MiddyfiedHandler } from '@middy/core';
import type { Context } from 'aws-lambda';
import { log, withLogContext } from './log.ts';

/**
 * What an unexpected error becomes: `rethrow` for event sources, which then retry (streams, S3,
 * EventBridge, the scheduler); an answer for API Gateway's WebSocket routes (a 500 refuses
 * `$connect`; `$default` replies with a `stream:error`).
 */
export type ErrorPolicy<R> = 'rethrow' | ((error: unknown) => R);

/**
 * A refusal that API Gateway expects as a throw: an authorizer's `Unauthorized` (its 401). An
 * answer, not a failure: rethrown as is, never logged as an error.
 */
export class Unauthorized extends Error {
  constructor() {
    super('Unauthorized'); // the exact message API Gateway turns into 401
    this.name = 'Unauthorized';
  }
}

/**
 * The one wiring for every handler that is not a REST route, as `route()` is for REST: Middy, the
 * request id and the handler's name on every log line it writes, and one error policy. The
 * handler itself only parses, calls core and maps.
 *
 * @example
 * export const handler = lambda('streamWatchdog', async (event) => { ... }, 'rethrow');
 */
export function lambda<E, R>(
  name: string,
  fn: (event: E) => Promise<R>,
  onError: ErrorPolicy<R>,
): MiddyfiedHandler<E, R, Error, Context> {
  return middy<E, R, Error, Context>().handler((event, context) =>
    withLogContext({ handler: name, requestId: context.awsRequestId }, async () => {
      try {
        return await fn(event);
      } catch (error) {
        if (error instanceof Unauthorized) throw error;
        log.error(`${name} failed`, { error });
        if (onError === 'rethrow') throw error;
        return onError(error);
      }
    }),
  );
}
