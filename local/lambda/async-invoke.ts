import type { EmulatorLogger } from '../constants.ts';
import { pendingWork } from '../shared/pending-work.ts';

export interface AsyncInvokerOptions {
  /** Runs a handler to completion (the stack's `invokeHandler` with the async timeout). */
  readonly invoke: (handler: string, event: unknown) => Promise<unknown>;
  readonly logger: EmulatorLogger;
  /**
   * Lambda retries a failed asynchronous invocation twice, about 1 and 2 minutes later; locally
   * after 1 and 2 seconds, so a handler's retry path runs without a long wait.
   * @default [1000, 2000]
   */
  readonly retryDelaysMs?: readonly number[];
}

/** Asynchronous Lambda invocations, as S3 notifications and EventBridge rules make them. */
export interface AsyncInvoker {
  /** Queues one invocation; the caller never waits for (nor hears of) the handler. */
  invoke(handler: string, event: unknown, what: string): Promise<void>;
  /** Resolves once every invocation so far has succeeded or used up its retries. */
  idle(): Promise<void>;
  /** Takes no more invocations, cancels pending retries, waits for the ones running. Idempotent. */
  close(): Promise<void>;
}

export function createAsyncInvoker(options: AsyncInvokerOptions): AsyncInvoker {
  const { logger } = options;
  const delays = options.retryDelaysMs ?? [1000, 2000];
  const pending = pendingWork();
  const running = new Set<Promise<void>>();
  const stop = new AbortController();

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        stop.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      stop.signal.addEventListener('abort', done, { once: true });
    });

  async function run(handler: string, event: unknown, what: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await options.invoke(handler, event);
        return;
      } catch (err) {
        const retry = delays[attempt];
        const next = retry === undefined || stop.signal.aborted ? 'dropped' : `retry in ${retry}ms`;
        logger.error(`${handler} failed on ${what} (attempt ${attempt + 1}, ${next})`, err);
        if (retry === undefined) return;
        await wait(retry);
        if (stop.signal.aborted) return;
      }
    }
  }

  let closing: Promise<void> | undefined;
  return {
    invoke(handler, event, what) {
      if (stop.signal.aborted) return Promise.resolve();
      pending.add();
      const job = run(handler, event, what).finally(() => {
        running.delete(job);
        pending.done();
      });
      running.add(job);
      return job;
    },
    idle: () => pending.idle(),
    close: () => {
      closing ??= (async () => {
        stop.abort();
        await Promise.all([...running]);
        pending.abandon();
      })();
      return closing;
    },
  };
}
