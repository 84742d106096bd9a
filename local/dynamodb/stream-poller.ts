import type { DynamoDBRecord } from 'aws-lambda';
import type { EmulatorLogger } from '../constants.ts';
import type { PendingWork } from '../shared/pending-work.ts';

export interface PollerOptions {
  readonly handler: string;
  readonly batchSize: number;
  readonly windowMs: number;
  /** Retries of a failing batch before it is dropped (logged); the CDK mapping's `retryAttempts`. */
  readonly maxRetries: number;
  readonly retryDelayMs: number;
  readonly invoke: (handler: string, event: { Records: DynamoDBRecord[] }) => Promise<unknown>;
  readonly logger: EmulatorLogger;
  readonly pending: PendingWork;
}

interface Queued {
  readonly record: DynamoDBRecord;
  /** When it arrived: its batching window runs from here. */
  readonly at: number;
}

/**
 * An event source mapping on a one-shard stream: records are batched for up to `windowMs` or
 * `batchSize`, one batch is in flight at a time (so records of one key arrive in write order, never
 * in two concurrent batches), and a failure is retried from its first failed record, as with
 * `ReportBatchItemFailures`. Unlike AWS it does not bisect a failing batch.
 */
export function createPoller(options: PollerOptions) {
  const { batchSize, windowMs, logger, pending } = options;
  const queue: Queued[] = [];
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let closed = false;
  /** The last batch failed: the next one starts after `retryDelayMs`, not after a window. */
  let retrying = false;
  const attempts = { head: '', count: 0 };

  const ack = (n: number) => {
    queue.splice(0, n);
    pending.done(n);
  };

  const schedule = (delayMs?: number) => {
    if (closed || inFlight || queue.length === 0) return;
    const head = queue[0]?.at ?? Date.now();
    const wait = delayMs ?? (queue.length >= batchSize ? 0 : Math.max(0, head + windowMs - Date.now()));
    clearTimeout(timer);
    timer = setTimeout(flush, wait);
  };

  function flush() {
    timer = undefined;
    const batch = queue.slice(0, batchSize).map((q) => q.record);
    inFlight = deliver(batch).finally(() => {
      inFlight = undefined;
      schedule(retrying ? options.retryDelayMs : undefined);
    });
  }

  async function deliver(batch: DynamoDBRecord[]): Promise<void> {
    let failedAt: number;
    try {
      failedAt = firstFailure(await options.invoke(options.handler, { Records: batch }), batch);
    } catch (err) {
      logger.error(`${options.handler} failed on a batch of ${batch.length} stream records`, err);
      failedAt = 0;
    }
    retrying = failedAt >= 0;
    if (!retrying) return ack(batch.length);
    ack(failedAt); // before the checkpoint: processed
    const head = batch[failedAt]?.dynamodb?.SequenceNumber ?? '';
    attempts.count = attempts.head === head ? attempts.count + 1 : 1;
    attempts.head = head;
    if (attempts.count > options.maxRetries) {
      const rest = batch.length - failedAt;
      logger.error(
        `${options.handler}: dropping ${rest} stream records from ${head} after ${options.maxRetries} retries`,
      );
      ack(rest);
      retrying = false;
    }
  }

  return {
    push(record: DynamoDBRecord): void {
      if (closed) return;
      pending.add();
      queue.push({ record, at: Date.now() });
      // Only the first record starts the window, and a full batch cuts it short.
      if (queue.length === 1 || queue.length === batchSize) schedule();
    },
    /** Waits for the batch in flight; queued records are discarded (see `DynamoStreams.close`). */
    async close(): Promise<void> {
      closed = true;
      clearTimeout(timer);
      await inFlight;
      ack(queue.length);
    },
  };
}

/**
 * The index of the first record to retry, or -1 for success. As Lambda reads the response: no
 * `batchItemFailures` (or an empty list) is success; a list naming records retries from the
 * lowest; an identifier that is missing or not in the batch fails the whole batch.
 */
function firstFailure(result: unknown, batch: readonly DynamoDBRecord[]): number {
  const failures = (result as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures;
  if (failures === undefined || failures === null) return -1;
  if (!Array.isArray(failures)) return 0;
  let first = -1;
  for (const failure of failures as unknown[]) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    const index = batch.findIndex((r) => typeof id === 'string' && r.dynamodb?.SequenceNumber === id);
    if (index < 0) return 0;
    if (first < 0 || index < first) first = index;
  }
  return first;
}
