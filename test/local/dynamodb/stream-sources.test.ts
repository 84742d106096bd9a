import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { eventSources, type TableDef, tables } from '../../../functions/manifest.ts';
import { type LocalDynamo, startDynamo } from '../../../local/dynamodb/dynamo.ts';
import { createDynamoStreams, type DynamoStreams } from '../../../local/dynamodb/dynamo-streams.ts';

const MESSAGES = {
  name: 'Messages',
  partitionKey: { name: 'roomId', type: 'S' },
  sortKey: { name: 'messageId', type: 'S' },
  indexes: [],
  stream: 'NEW_IMAGE',
} as const satisfies TableDef;
const ROOMS = {
  name: 'Rooms',
  partitionKey: { name: 'roomId', type: 'S' },
  indexes: [],
  stream: 'NEW_IMAGE',
} as const satisfies TableDef;

describe('DynamoDB Streams stand-in: several tables, several sources on one', () => {
  let dynamo: LocalDynamo | undefined;
  let streams: DynamoStreams | undefined;
  afterEach(async () => {
    await streams?.close();
    await dynamo?.close();
  });

  it('feeds each source its own table, and every source of a table, each with its own filters', async () => {
    dynamo = await startDynamo({ tables: [MESSAGES, ROOMS] });
    const got: Record<string, DynamoDBStreamEvent['Records']> = { all: [], ended: [], rooms: [] };
    streams = await createDynamoStreams({
      sources: [
        { table: MESSAGES, handler: 'all', batchSize: 10, maxBatchingWindowSeconds: 0 },
        { table: ROOMS, handler: 'rooms', batchSize: 10, maxBatchingWindowSeconds: 0 },
        {
          table: ROOMS,
          handler: 'ended',
          batchSize: 10,
          maxBatchingWindowSeconds: 0,
          filters: [{ dynamodb: { NewImage: { status: { S: ['ended'] } } } }],
        },
      ],
      endpoint: dynamo.endpoint,
      onWrite: dynamo.onWrite,
      invoke: async (handler, event) => void got[handler]?.push(...event.Records),
      logger: { info: () => {}, error: () => {} },
    });
    const client = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const put = (table: TableDef, item: Record<string, string>) =>
      client.send(
        new PutItemCommand({
          TableName: table.name,
          Item: Object.fromEntries(Object.entries(item).map(([k, v]) => [k, { S: v }])),
        }),
      );
    await put(MESSAGES, { roomId: 'r1', messageId: 'm1' });
    await put(ROOMS, { roomId: 'r1', status: 'live' });
    await put(ROOMS, { roomId: 'r1', status: 'ended' });
    await streams.idle();
    client.destroy();

    expect(got.all?.map((r) => r.eventSourceARN)).toEqual([
      expect.stringContaining(':table/Messages/stream/'),
    ]);
    expect(got.rooms?.map((r) => [r.eventName, r.dynamodb?.NewImage?.status?.S])).toEqual([
      ['INSERT', 'live'],
      ['MODIFY', 'ended'],
    ]);
    expect(got.ended?.map((r) => r.dynamodb?.NewImage?.status?.S)).toEqual(['ended']);
    // One stream: both sources see the same record (the same sequence number), as separate copies.
    expect(got.ended?.[0]?.dynamodb?.SequenceNumber).toBe(got.rooms?.[1]?.dynamodb?.SequenceNumber);
    expect(got.ended?.[0]).not.toBe(got.rooms?.[1]);
  });

  it("streams the manifest's streams table too (finishRecording), not just chat", () => {
    const streamed = eventSources.flatMap((source) =>
      source.kind === 'dynamodb-stream' ? [source.table] : [],
    );
    expect(new Set(streamed)).toEqual(new Set(['chat', 'streams']));
    expect(tables.streams.stream).toBe('NEW_IMAGE');
  });
});
