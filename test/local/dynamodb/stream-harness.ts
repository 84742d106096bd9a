import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TableDef } from '../../../functions/manifest.ts';
import { type LocalDynamo, startDynamo } from '../../../local/dynamodb/dynamo.ts';
import {
  createDynamoStreams,
  type DynamoStreams,
  type StreamSource,
} from '../../../local/dynamodb/dynamo-streams.ts';
import type { streamConsumer } from './fixtures/stream-consumer.ts';

/** A chat-like table with a stream, so the tests do not depend on the manifest's tables. */
export const TABLE = {
  name: 'StreamTest',
  partitionKey: { name: 'streamId', type: 'S' },
  sortKey: { name: 'messageId', type: 'S' },
  indexes: [],
  stream: 'NEW_IMAGE',
} as const satisfies TableDef;

export interface StreamRig {
  readonly dynamo: LocalDynamo;
  readonly client: DynamoDBClient;
  readonly streams: DynamoStreams;
  /** What the stand-in logged as errors (drops, handler failures). */
  readonly errors: string[];
  close(): Promise<void>;
}

/** dynalite with `TABLE`, its stream delivered to `consumer` with the source's settings. */
export async function startStreamRig(
  consumer: ReturnType<typeof streamConsumer>,
  source: Partial<Omit<StreamSource, 'table' | 'handler'>> = {},
  before?: (client: DynamoDBClient) => Promise<void>,
): Promise<StreamRig> {
  const dynamo = await startDynamo({ tables: [TABLE] });
  const client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await before?.(client);
  const errors: string[] = [];
  const streams = await createDynamoStreams({
    sources: [{ table: TABLE, handler: 'consumer', batchSize: 100, maxBatchingWindowSeconds: 0, ...source }],
    endpoint: dynamo.endpoint,
    onWrite: dynamo.onWrite,
    invoke: async (_handler, event) => consumer.handler(event),
    logger: { info: () => {}, error: (line) => errors.push(line) },
    retryDelayMs: 10,
  });
  dynamo.calls.reset();
  return {
    dynamo,
    client,
    streams,
    errors,
    close: async () => {
      await streams.close();
      client.destroy();
      await dynamo.close();
    },
  };
}
