import {
  BatchWriteItemCommand,
  DeleteItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { seq, streamConsumer } from './fixtures/stream-consumer.ts';
import { type StreamRig, startStreamRig, TABLE } from './stream-harness.ts';

const key = (messageId: string) => ({ streamId: { S: 's1' }, messageId: { S: messageId } });
const message = (messageId: string, text: string, kind = 'message') => ({
  ...key(messageId),
  kind: { S: kind },
  text: { S: text },
  at: { N: '1700000000' },
});

describe('DynamoDB Streams stand-in: records', () => {
  let rig: StreamRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('delivers INSERT, MODIFY and REMOVE records shaped like Lambda hands them over', async () => {
    const consumer = streamConsumer();
    rig = await startStreamRig(consumer);
    const { client } = rig;

    await client.send(new PutItemCommand({ TableName: TABLE.name, Item: message('m1', 'hi') }));
    await client.send(
      new UpdateItemCommand({
        TableName: TABLE.name,
        Key: key('m1'),
        UpdateExpression: 'SET #t = :t',
        ExpressionAttributeNames: { '#t': 'text' },
        ExpressionAttributeValues: { ':t': { S: 'edited' } },
      }),
    );
    await client.send(new PutItemCommand({ TableName: TABLE.name, Item: message('m1', 'replaced') }));
    await client.send(new DeleteItemCommand({ TableName: TABLE.name, Key: key('m1') }));
    await client.send(new DeleteItemCommand({ TableName: TABLE.name, Key: key('never') })); // no record
    await rig.streams.idle();

    const records = consumer.records();
    expect(records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'MODIFY', 'REMOVE']);
    const [insert, update, put, remove] = records;
    expect(insert).toEqual({
      eventID: expect.stringMatching(/^[0-9a-f]{32}$/),
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      eventSourceARN: expect.stringMatching(
        /^arn:aws:dynamodb:us-east-1:000000000000:table\/StreamTest\/stream\/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/,
      ),
      dynamodb: {
        ApproximateCreationDateTime: expect.any(Number),
        Keys: key('m1'),
        NewImage: message('m1', 'hi'),
        SequenceNumber: expect.stringMatching(/^\d{21}$/),
        SizeBytes: expect.any(Number),
        StreamViewType: 'NEW_IMAGE',
      },
    });
    expect(update?.dynamodb?.NewImage).toEqual({ ...message('m1', 'hi'), text: { S: 'edited' } });
    expect(put?.dynamodb?.NewImage).toEqual(message('m1', 'replaced'));
    expect(remove?.dynamodb).toMatchObject({ Keys: key('m1') });
    expect(remove?.dynamodb?.NewImage).toBeUndefined();
    const numbers = records.map((r) => BigInt(seq(r)));
    expect(numbers).toEqual([...numbers].sort((a, b) => (a < b ? -1 : 1)));
    expect(new Set(records.map((r) => r.eventID)).size).toBe(4);
  });

  it('makes no record of a write that failed its condition', async () => {
    const consumer = streamConsumer();
    rig = await startStreamRig(consumer);
    const put = () =>
      rig?.client.send(
        new PutItemCommand({
          TableName: TABLE.name,
          Item: message('m1', 'hi'),
          ConditionExpression: 'attribute_not_exists(messageId)',
        }),
      );

    await put();
    await expect(put()).rejects.toThrow(/conditional/i);
    await rig.streams.idle();

    expect(consumer.records().map((r) => r.eventName)).toEqual(['INSERT']);
  });

  it('turns a BatchWriteItem into one record per put and per delete of an existing item', async () => {
    const consumer = streamConsumer();
    rig = await startStreamRig(consumer);
    await rig.client.send(new PutItemCommand({ TableName: TABLE.name, Item: message('m0', 'old') }));
    await rig.client.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [TABLE.name]: [
            { PutRequest: { Item: message('m1', 'a') } },
            { PutRequest: { Item: message('m2', 'b') } },
            { DeleteRequest: { Key: key('m0') } },
          ],
        },
      }),
    );
    await rig.streams.idle();

    expect(consumer.records().map((r) => `${r.eventName} ${r.dynamodb?.Keys?.messageId?.S}`)).toEqual([
      'INSERT m0',
      'INSERT m1',
      'INSERT m2',
      'REMOVE m0',
    ]);
  });

  it('knows the items that existed before it started (a persisted table): a put over one is a MODIFY', async () => {
    const consumer = streamConsumer();
    rig = await startStreamRig(consumer, {}, async (client) => {
      await client.send(new PutItemCommand({ TableName: TABLE.name, Item: message('m1', 'before') }));
    });

    await rig.client.send(new PutItemCommand({ TableName: TABLE.name, Item: message('m1', 'after') }));
    await rig.streams.idle();

    expect(consumer.records().map((r) => r.eventName)).toEqual(['MODIFY']);
  });

  it("applies the source's filter patterns before batching", async () => {
    const consumer = streamConsumer();
    rig = await startStreamRig(consumer, {
      maxBatchingWindowSeconds: 0.5,
      filters: [{ dynamodb: { NewImage: { kind: { S: ['message'] } } } }],
    });

    for (const [id, kind] of [
      ['m1', 'message'],
      ['ban#u1', 'ban'],
      ['m2', 'message'],
    ] as const) {
      await rig.client.send(new PutItemCommand({ TableName: TABLE.name, Item: message(id, 'x', kind) }));
    }
    await rig.client.send(new DeleteItemCommand({ TableName: TABLE.name, Key: key('m1') }));
    await rig.streams.idle();

    // The REMOVE has no NewImage, so the pattern does not match it either.
    expect(consumer.batches.map((b) => b.map((r) => r.dynamodb?.Keys?.messageId?.S))).toEqual([['m1', 'm2']]);
  });

  it("does not count its own reads in dynamo.calls: only the handlers' calls are there", async () => {
    const consumer = streamConsumer();
    rig = await startStreamRig(consumer);

    await rig.client.send(new PutItemCommand({ TableName: TABLE.name, Item: message('m1', 'hi') }));
    await rig.client.send(
      new UpdateItemCommand({
        TableName: TABLE.name,
        Key: key('m1'),
        UpdateExpression: 'SET seen = :y',
        ExpressionAttributeValues: { ':y': { BOOL: true } },
      }),
    );
    await rig.streams.idle();

    expect(consumer.records()).toHaveLength(2);
    expect(rig.dynamo.calls.byOperation()).toEqual({ PutItem: 1, UpdateItem: 1 });
  });

  it('idle() resolves at once with nothing pending, and after delivery otherwise', async () => {
    const consumer = streamConsumer(undefined, 50);
    rig = await startStreamRig(consumer, { maxBatchingWindowSeconds: 0.1 });
    await rig.streams.idle();

    await rig.client.send(new PutItemCommand({ TableName: TABLE.name, Item: message('m1', 'hi') }));
    await rig.streams.idle();

    expect(consumer.records()).toHaveLength(1);
  });

  it('close() discards queued records and releases idle() waiters', async () => {
    const consumer = streamConsumer();
    rig = await startStreamRig(consumer, { maxBatchingWindowSeconds: 10 });
    await rig.client.send(new PutItemCommand({ TableName: TABLE.name, Item: message('m1', 'hi') }));
    const idle = rig.streams.idle();

    await rig.streams.close();

    await expect(idle).resolves.toBeUndefined();
    expect(consumer.batches).toEqual([]);
  });
});
