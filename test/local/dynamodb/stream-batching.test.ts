import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { seq, streamConsumer } from './fixtures/stream-consumer.ts';
import { type StreamRig, startStreamRig, TABLE } from './stream-harness.ts';

const item = (streamId: string, n: number) => ({
  streamId: { S: streamId },
  messageId: { S: `msg#${String(n).padStart(3, '0')}` },
  n: { N: String(n) },
});
const numbers = (records: ReturnType<ReturnType<typeof streamConsumer>['records']>) =>
  records.map((r) => Number(r.dynamodb?.NewImage?.n?.N));

describe('DynamoDB Streams stand-in: batching, order, retries', () => {
  let rig: StreamRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });
  const write = async (...items: ReturnType<typeof item>[]) => {
    for (const Item of items) await rig?.client.send(new PutItemCommand({ TableName: TABLE.name, Item }));
  };

  it('collects records for the batching window, then invokes once with all of them', async () => {
    const consumer = streamConsumer();
    rig = await startStreamRig(consumer, { maxBatchingWindowSeconds: 0.3 });
    const started = Date.now();

    await write(...[1, 2, 3, 4, 5].map((n) => item('s1', n)));
    await rig.streams.idle();

    expect(consumer.batches.map((b) => b.length)).toEqual([5]);
    expect((consumer.times[0] ?? 0) - started).toBeGreaterThanOrEqual(280);
  });

  it('invokes as soon as a batch is full, without waiting out the window', async () => {
    const consumer = streamConsumer();
    rig = await startStreamRig(consumer, { batchSize: 3, maxBatchingWindowSeconds: 1 });
    const started = Date.now();

    await write(...[1, 2, 3, 4, 5, 6, 7].map((n) => item('s1', n)));
    await rig.streams.idle();

    expect(consumer.batches.map((b) => b.length)).toEqual([3, 3, 1]);
    expect((consumer.times[1] ?? 0) - started).toBeLessThan(800);
    // The last one waited for its window: nothing else came to fill the batch.
    expect((consumer.times[2] ?? 0) - started).toBeGreaterThanOrEqual(950);
  });

  it('keeps write order per partition key and never runs two batches at once', async () => {
    const consumer = streamConsumer(undefined, 15);
    rig = await startStreamRig(consumer, { batchSize: 4 });

    for (let n = 1; n <= 20; n++) await write(item(n % 2 ? 'odd' : 'even', n));
    await rig.streams.idle();

    const of = (id: string) => consumer.records().filter((r) => r.dynamodb?.Keys?.streamId?.S === id);
    expect(numbers(of('odd'))).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
    expect(numbers(of('even'))).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
    expect(consumer.maxConcurrent).toBe(1);
  });

  it('retries from the first record the handler reports in batchItemFailures', async () => {
    let failed = false;
    const consumer = streamConsumer((records) => {
      if (failed || records.length < 4) return { batchItemFailures: [] };
      failed = true;
      // Two failures: Lambda resumes from the lower sequence number, whatever the list order.
      return {
        batchItemFailures: [{ itemIdentifier: seq(records[3]) }, { itemIdentifier: seq(records[1]) }],
      };
    });
    rig = await startStreamRig(consumer, { maxBatchingWindowSeconds: 0.2 });

    await write(...[1, 2, 3, 4].map((n) => item('s1', n)));
    await rig.streams.idle();

    expect(consumer.batches.map(numbers)).toEqual([
      [1, 2, 3, 4],
      [2, 3, 4],
    ]);
  });

  it('retries a batch whose handler threw, then drops it after 3 retries and goes on', async () => {
    const consumer = streamConsumer((records) => {
      if (records.some((r) => r.dynamodb?.NewImage?.n?.N === '1')) throw new Error('poison');
      return undefined;
    });
    rig = await startStreamRig(consumer, { batchSize: 1 });

    await write(item('s1', 1), item('s1', 2));
    await rig.streams.idle();

    expect(consumer.batches.map(numbers)).toEqual([[1], [1], [1], [1], [2]]);
    expect(rig.errors.filter((e) => e.includes('dropping 1 stream records'))).toHaveLength(1);
  });

  it('treats an itemIdentifier that is not in the batch as a failure of the whole batch', async () => {
    let calls = 0;
    const consumer = streamConsumer(() => {
      calls += 1;
      return calls === 1 ? { batchItemFailures: [{ itemIdentifier: 'nope' }] } : undefined;
    });
    rig = await startStreamRig(consumer, { maxBatchingWindowSeconds: 0.1 });

    await write(item('s1', 1), item('s1', 2));
    await rig.streams.idle();

    expect(consumer.batches.map(numbers)).toEqual([
      [1, 2],
      [1, 2],
    ]);
  });
});
