import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { createLambdaContext } from './lambda-context.ts';

/**
 * Any Lambda handler, whatever its event type: `never` accepts them all (a REST handler, an
 * authorizer, a WebSocket route); `invokeHandler` is the one place that calls one.
 */
export type LambdaHandler = (event: never, context: Context) => unknown;

/** Resolves a manifest handler name; the stack's loader imports each module once. */
export type HandlerLoader = (name: string) => Promise<LambdaHandler>;

/** The handler ran past its time; what the caller makes of it differs (504, a frame, a log line). */
export class InvocationTimeoutError extends Error {
  constructor(
    readonly handlerName: string,
    readonly timeoutMs: number,
  ) {
    super(`${handlerName} timed out after ${timeoutMs}ms`);
    this.name = 'InvocationTimeoutError';
  }
}

/**
 * Runs one invocation of `name` with `event`, as Lambda would: a fresh context, the result or
 * the error of the handler, and an `InvocationTimeoutError` when it outlives `timeoutMs` (the
 * handler itself keeps running: Node cannot stop it, and Lambda freezing it has no equivalent).
 */
export async function invokeHandler(
  load: HandlerLoader,
  name: string,
  event: unknown,
  timeoutMs: number,
): Promise<unknown> {
  const context = createLambdaContext(name, randomUUID(), Date.now() + timeoutMs);
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      load(name).then((handler) => (handler as (e: unknown, c: Context) => unknown)(event, context)),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new InvocationTimeoutError(name, timeoutMs)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
