import {
  type AttributeDefinition,
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  type KeySchemaElement,
  ListTablesCommand,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import type { KeyDef, TableDef } from '../../functions/manifest.ts';

/**
 * Creates every table that is missing and checks that the existing ones still have the
 * manifest's keys and indexes. A persisted `.data/` from an older manifest would otherwise
 * fail later as a confusing ValidationException on a query against an index that is not there.
 */
export async function ensureTables(client: DynamoDBClient, defs: readonly TableDef[]): Promise<void> {
  const existing = new Set<string>();
  let start: string | undefined;
  do {
    const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    for (const name of page.TableNames ?? []) existing.add(name);
    start = page.LastEvaluatedTableName;
  } while (start);

  for (const def of defs) {
    if (!existing.has(def.name)) await client.send(new CreateTableCommand(toCreateTableInput(def)));
    const table = await waitUntilActive(client, def.name);
    assertSameShape(def, table);
  }
}

/**
 * The manifest table as a CreateTable request: on-demand, every index projecting ALL, as the
 * CDK stack builds it. TTL (`ttlAttribute`) is left out on purpose: dynalite has no
 * UpdateTimeToLive and never expires items, so expired rows stay until deleted. Code must not
 * rely on TTL for correctness anyway (DynamoDB deletes expired items up to days late).
 */
export function toCreateTableInput(def: TableDef): CreateTableCommandInput {
  const attributes = new Map<string, AttributeDefinition>();
  const keySchema = (partition: KeyDef, sort?: KeyDef): KeySchemaElement[] => {
    for (const key of sort ? [partition, sort] : [partition]) {
      attributes.set(key.name, { AttributeName: key.name, AttributeType: key.type });
    }
    return [
      { AttributeName: partition.name, KeyType: 'HASH' },
      ...(sort ? [{ AttributeName: sort.name, KeyType: 'RANGE' } as const] : []),
    ];
  };
  const KeySchema = keySchema(def.partitionKey, def.sortKey);
  const indexes = def.indexes.map((index) => ({
    IndexName: index.name,
    KeySchema: keySchema(index.partitionKey, index.sortKey),
    Projection: { ProjectionType: 'ALL' as const },
  }));
  return {
    TableName: def.name,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema,
    AttributeDefinitions: [...attributes.values()],
    ...(indexes.length > 0 ? { GlobalSecondaryIndexes: indexes } : {}),
  };
}

async function waitUntilActive(client: DynamoDBClient, name: string): Promise<TableDescription> {
  // With createTableMs: 0 dynalite flips CREATING -> ACTIVE on the next tick; the bound only
  // turns a dynalite bug into an error instead of a hang.
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === 'ACTIVE') return Table;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`Table ${name} did not become ACTIVE; delete the data directory (DATA_DIR) to recreate it`);
}

const describeKeys = (schema: readonly KeySchemaElement[] | undefined) =>
  (schema ?? []).map((k) => `${k.KeyType}:${k.AttributeName}`).join(',');

function assertSameShape(def: TableDef, table: TableDescription): void {
  const want = toCreateTableInput(def);
  const shape = (
    keys: KeySchemaElement[] | undefined,
    indexes: { IndexName?: string; KeySchema?: KeySchemaElement[] }[],
  ) =>
    [describeKeys(keys), ...indexes.map((i) => `${i.IndexName}=${describeKeys(i.KeySchema)}`).sort()].join(
      ' ',
    );
  const expected = shape(want.KeySchema, want.GlobalSecondaryIndexes ?? []);
  const actual = shape(table.KeySchema, table.GlobalSecondaryIndexes ?? []);
  if (expected !== actual) {
    throw new Error(
      `Local table ${def.name} does not match functions/manifest.ts (have "${actual}", want "${expected}"). ` +
        'Delete the data directory (DATA_DIR, default .data/) to recreate it.',
    );
  }
}
