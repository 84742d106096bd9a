import type { AttributeValue } from 'aws-lambda';
import type { TableDef } from '../../functions/manifest.ts';
import type { WriteOperation } from './dynamo-writes.ts';

/** An item or key in DynamoDB JSON, as both the wire protocol and stream records carry it. */
export type AttributeMap = Record<string, AttributeValue>;

/** One item changed by a write: what a stream record is made from. */
export interface TableChange {
  readonly table: TableDef;
  readonly kind: 'put' | 'update' | 'delete';
  /** The primary key attributes only, as `dynamodb.Keys` carries them. */
  readonly key: AttributeMap;
  /** The whole new item, known from the request for a put only. */
  readonly item?: AttributeMap;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The table's key attributes of `item` (an item or a `Key`), undefined if one is missing. */
export function keyOf(table: TableDef, item: AttributeMap): AttributeMap | undefined {
  const names = [table.partitionKey.name, ...(table.sortKey ? [table.sortKey.name] : [])];
  const key: AttributeMap = {};
  for (const name of names) {
    const value = item[name];
    if (value === undefined) return undefined;
    key[name] = value;
  }
  return key;
}

/** A string naming the item, for the set of keys that exist (key order fixed by the table). */
export const keyId = (key: AttributeMap): string => JSON.stringify(Object.entries(key));

/**
 * The changes a successful write made to the tables in `streamed` (by physical name), in request
 * order. BatchWriteItem is taken as fully applied: dynalite never returns UnprocessedItems.
 */
export function changesOf(
  operation: WriteOperation,
  body: unknown,
  streamed: ReadonlyMap<string, TableDef>,
): TableChange[] {
  if (!isObject(body)) return [];
  const one = (tableName: unknown, kind: TableChange['kind'], source: unknown, whole: boolean) => {
    const table = typeof tableName === 'string' ? streamed.get(tableName) : undefined;
    const key = table && isObject(source) ? keyOf(table, source as AttributeMap) : undefined;
    if (!table || !key) return [];
    return [{ table, kind, key, ...(whole && { item: source as AttributeMap }) }];
  };
  switch (operation) {
    case 'PutItem':
      return one(body.TableName, 'put', body.Item, true);
    case 'UpdateItem':
      return one(body.TableName, 'update', body.Key, false);
    case 'DeleteItem':
      return one(body.TableName, 'delete', body.Key, false);
    case 'BatchWriteItem':
      return Object.entries(isObject(body.RequestItems) ? body.RequestItems : {}).flatMap(([name, list]) =>
        (Array.isArray(list) ? (list as unknown[]) : []).flatMap((request) => {
          const { PutRequest: put, DeleteRequest: del } = isObject(request) ? request : {};
          if (isObject(put)) return one(name, 'put', put.Item, true);
          return one(name, 'delete', isObject(del) ? del.Key : undefined, false);
        }),
      );
  }
}
