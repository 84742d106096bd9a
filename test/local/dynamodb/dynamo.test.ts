import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tables } from '../../../functions/manifest.ts';
import { DataDirLockedError } from '../../../local/dev/data-dir-lock.ts';
import { type LocalDynamo, startDynamo } from '../../../local/dynamodb/dynamo.ts';
import { toCreateTableInput } from '../../../local/dynamodb/dynamo-tables.ts';

const clientFor = (dynamo: LocalDynamo) =>
  new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

describe('startDynamo', () => {
  let dir: string;
  const running: LocalDynamo[] = [];
  const start = async (dataDir?: string) => {
    const dynamo = await startDynamo({ dataDir });
    running.push(dynamo);
    return dynamo;
  };
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-dynamo-'));
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((d) => d.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('creates every manifest table with its keys and GSIs (projection ALL)', async () => {
    const client = clientFor(await start());

    const { TableNames } = await client.send(new ListTablesCommand({}));
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tables.streams.name }));

    expect(TableNames?.sort()).toEqual(
      Object.values(tables)
        .map((t) => t.name)
        .sort(),
    );
    expect(Table?.KeySchema).toEqual([{ AttributeName: 'streamId', KeyType: 'HASH' }]);
    expect(Table?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.Projection?.ProjectionType])).toEqual(
      tables.streams.indexes.map((index) => [index.name, 'ALL']),
    );
    expect(Table?.GlobalSecondaryIndexes?.[0]?.KeySchema).toEqual([
      { AttributeName: 'liveShard', KeyType: 'HASH' },
      { AttributeName: 'startedAt', KeyType: 'RANGE' },
    ]);
    client.destroy();
  });

  it('keeps data across a restart on the same data directory', async () => {
    const first = await start(dir);
    const item = { streamId: { S: 's1' }, title: { S: 'kept' } };
    await clientFor(first).send(new PutItemCommand({ TableName: tables.streams.name, Item: item }));
    await first.close();

    const second = await start(dir);
    const { Item } = await clientFor(second).send(
      new GetItemCommand({ TableName: tables.streams.name, Key: { streamId: { S: 's1' } } }),
    );

    expect(Item).toEqual(item);
  });

  it('refuses a data directory another stack is using', async () => {
    await start(dir);

    await expect(startDynamo({ dataDir: dir })).rejects.toBeInstanceOf(DataDirLockedError);
  });

  it('refuses a persisted table whose shape no longer matches the manifest', async () => {
    const old = await start(dir);
    const client = clientFor(old);
    // Simulate an older manifest: the table exists, but without the owner index.
    const { streams } = tables;
    await client.send(new CreateTableCommand(toCreateTableInput({ ...streams, name: 'Scratch' })));
    // dynalite flips CREATING -> ACTIVE a tick later; closing before that persists CREATING.
    while (
      (await client.send(new DescribeTableCommand({ TableName: 'Scratch' }))).Table?.TableStatus !== 'ACTIVE'
    );
    await old.close();

    const changed = { ...streams, indexes: streams.indexes.filter((i) => i.name !== 'owner') };
    await expect(startDynamo({ dataDir: dir, tables: [{ ...changed, name: 'Scratch' }] })).rejects.toThrow(
      /does not match functions\/manifest.ts/,
    );
  });

  it('counts the API calls it receives, by operation, table and index', async () => {
    const dynamo = await start();
    const client = clientFor(dynamo);

    expect(dynamo.calls.count()).toBe(0); // table setup is not counted
    await client.send(
      new QueryCommand({
        TableName: tables.streams.name,
        IndexName: 'live',
        KeyConditionExpression: 'liveShard = :s',
        ExpressionAttributeValues: { ':s': { S: 'live#0' } },
      }),
    );
    await client.send(
      new GetItemCommand({
        TableName: tables.viewers.name,
        Key: { streamId: { S: 's' }, viewerId: { S: 'v' } },
      }),
    );
    await client.send(new ScanCommand({ TableName: tables.chat.name }));

    expect(dynamo.calls.count({ operation: 'Query', table: tables.streams.name, index: 'live' })).toBe(1);
    expect(dynamo.calls.count({ table: tables.viewers.name })).toBe(1);
    expect(dynamo.calls.byOperation()).toEqual({ Query: 1, GetItem: 1, Scan: 1 });

    dynamo.calls.reset();
    expect(dynamo.calls.log).toEqual([]);
    client.destroy();
  });

  it('closes idempotently, even with keep-alive connections open', async () => {
    const dynamo = await start();
    await clientFor(dynamo).send(new ListTablesCommand({}));

    await dynamo.close();
    await expect(dynamo.close()).resolves.toBeUndefined();
  });
});
