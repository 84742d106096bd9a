import type { DynamoDBRecord } from 'aws-lambda';
import type { TableDef } from '../../functions/manifest.ts';
import type { EmulatorLogger } from '../constants.ts';
import { compileFilters } from '../shared/event-filter.ts';
import { pendingWork } from '../shared/pending-work.ts';
import { existingKeys, internalCall } from './dynamo-internal.ts';
import type { ObservedWrite } from './dynamo-writes.ts';
import { type AttributeMap, changesOf, keyId, type TableChange } from './stream-changes.ts';
import { createPoller } from './stream-poller.ts';
import { localStreamArn, sequenceNumbers, streamRecord } from './stream-records.ts';

/** A manifest `dynamodb-stream` event source, resolved to its table's definition. */
export interface StreamSource {
  readonly table: TableDef;
  readonly handler: string;
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  readonly filters?: readonly unknown[];
}

export interface DynamoStreamsOptions {
  readonly sources: readonly StreamSource[];
  /** Subscribes to dynalite's successful writes (`LocalDynamo.onWrite`). */
  readonly onWrite: (listener: (write: ObservedWrite) => void) => void;
  /** dynalite's endpoint, for the reads records need (not counted in `LocalDynamo.calls`). */
  readonly endpoint: string;
  readonly invoke: (handler: string, event: { Records: DynamoDBRecord[] }) => Promise<unknown>;
  readonly logger: EmulatorLogger;
  /** @default 3, as the CDK mapping's `retryAttempts`. */
  readonly maxRetries?: number;
  /** @default 100 */
  readonly retryDelayMs?: number;
}

/** One event source mapping on a table's stream. */
interface Consumer {
  readonly poller: ReturnType<typeof createPoller>;
  readonly matches: (record: unknown) => boolean;
}

/** The DynamoDB Streams stand-in, for tests and the stack. */
export interface DynamoStreams {
  /** Resolves once every write observed so far has been delivered (or filtered out, or dropped). */
  idle(): Promise<void>;
  /**
   * Stops: waits for the batches in flight, discards queued records (the fan-out's audience, the
   * WebSocket connections, closes with the stack), ignores later writes. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Streams of the tables named by `sources` (any number of tables, any number of sources on one),
 * delivered to their handlers as Lambda event source mappings would. Records are made from the
 * writes dynalite answers with 200, in commit order:
 * - INSERT or MODIFY by whether the key existed before. A set of existing keys per table, seeded by
 *   a keys-only Scan at start and kept by every observed write, knows it exactly: reading before
 *   the write would race it, and a request's condition says nothing about upserts.
 * - NewImage: a PutItem's `Item` itself; after an UpdateItem, a consistent GetItem. That read can
 *   see a later write to the same item if one lands in between (the record then shows the later
 *   image); DynamoDB would show each. A no-op write still makes a MODIFY (DynamoDB skips it).
 * - REMOVE only when the deleted key existed, with Keys and no image.
 * TTL never expires items in dynalite, so no TTL REMOVEs.
 */
export async function createDynamoStreams(options: DynamoStreamsOptions): Promise<DynamoStreams> {
  const { endpoint, logger } = options;
  const pending = pendingWork();
  const nextSequence = sequenceNumbers();
  const enabledAt = new Date();
  // One stream per table, however many sources read it: Lambda runs one event source mapping
  // per source, each with its own batching, filters and retries, over the same records.
  const streams = new Map<string, { def: TableDef; arn: string; keys: Set<string>; consumers: Consumer[] }>();
  for (const source of options.sources) {
    const name = source.table.name;
    const stream = streams.get(name) ?? {
      def: source.table,
      arn: localStreamArn(name, enabledAt),
      keys: new Set<string>(),
      consumers: [],
    };
    streams.set(name, stream);
    stream.consumers.push({
      poller: createPoller({
        handler: source.handler,
        batchSize: source.batchSize,
        windowMs: source.maxBatchingWindowSeconds * 1000,
        maxRetries: options.maxRetries ?? 3,
        retryDelayMs: options.retryDelayMs ?? 100,
        invoke: options.invoke,
        logger,
        pending,
      }),
      matches: compileFilters(source.filters ?? []),
    });
  }
  const tablesByName = new Map([...streams].map(([name, s]) => [name, s.def]));
  for (const stream of streams.values()) {
    for (const id of await existingKeys(endpoint, stream.def)) stream.keys.add(id);
  }

  async function record(change: TableChange, image: Promise<AttributeMap | undefined>): Promise<void> {
    const stream = streams.get(change.table.name);
    if (!stream) return;
    const id = keyId(change.key);
    const existed = stream.keys.has(id);
    if (change.kind === 'delete') {
      if (!stream.keys.delete(id)) return; // deleting nothing writes no record
    } else stream.keys.add(id);
    const newImage = await image;
    if (change.kind === 'update' && !newImage)
      logger.error(`Stream: ${change.table.name} item gone after its update`);
    const eventName = change.kind === 'delete' ? 'REMOVE' : existed ? 'MODIFY' : 'INSERT';
    const out = streamRecord({
      eventName,
      keys: change.key,
      ...(eventName !== 'REMOVE' && { newImage: newImage ?? change.key }),
      sequenceNumber: nextSequence(),
      streamArn: stream.arn,
    });
    // Filtering happens before batching, on the record's JSON form, as Lambda does.
    // Each mapping gets its own copy, as each Lambda invocation gets its own event.
    const copies = stream.consumers.length > 1;
    for (const consumer of stream.consumers) {
      if (consumer.matches(out)) consumer.poller.push(copies ? structuredClone(out) : out);
    }
  }

  const readItem = async (change: TableChange): Promise<AttributeMap | undefined> => {
    const body = { TableName: change.table.name, Key: change.key, ConsistentRead: true };
    return ((await internalCall(endpoint, 'GetItem', body)) as { Item?: AttributeMap }).Item;
  };

  /** A change and its new image, whose read (for an update) starts as soon as the write is seen. */
  const prepare = async (write: ObservedWrite) =>
    changesOf(write.operation, await write.body, tablesByName).map((change) => {
      const image =
        change.kind === 'put'
          ? Promise.resolve(change.item)
          : change.kind === 'update'
            ? readItem(change)
            : Promise.resolve(undefined);
      // Awaited later, in order, by the chain; a failure surfaces there, not as an unhandled rejection.
      image.catch(() => {});
      return { change, image };
    });

  // One chain for every write: records are made (keys set, sequence numbers) in commit order,
  // while the reads behind them run concurrently (a serial read per update capped a chat flood
  // at a few dozen messages a second).
  let chain: Promise<void> = Promise.resolve();
  let closed = false;
  options.onWrite((write) => {
    if (closed) return;
    pending.add();
    const prepared = prepare(write);
    // Rejections are handled by the chain below, in order; this only silences the early copy.
    prepared.catch(() => {});
    chain = chain
      .then(async () => {
        for (const { change, image } of await prepared) await record(change, image);
      })
      .catch((err: unknown) => logger.error('Stream: could not make a record of a write', err))
      .finally(() => pending.done());
  });

  let closing: Promise<void> | undefined;
  return {
    idle: () => pending.idle(),
    close: () => {
      closing ??= (async () => {
        closed = true;
        await chain;
        await Promise.all([...streams.values()].flatMap((s) => s.consumers.map((c) => c.poller.close())));
        pending.abandon();
      })();
      return closing;
    },
  };
}
