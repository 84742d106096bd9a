import type { TableDef } from '../../functions/manifest.ts';
import { INTERNAL_HEADER } from './dynamo-writes.ts';
import { type AttributeMap, keyId, keyOf } from './stream-changes.ts';

// dynalite checks that a signature is present, never what it signs.
const AUTHORIZATION =
  'AWS4-HMAC-SHA256 Credential=local/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0';

/**
 * One DynamoDB API call from the local stack itself, over plain HTTP: marked with
 * `INTERNAL_HEADER`, so the call counter skips it, and answered in wire JSON, the very form stream
 * records carry (binary as base64; the SDK would turn it into Uint8Array).
 */
export async function internalCall(endpoint: string, operation: string, body: object): Promise<unknown> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.0',
      'X-Amz-Target': `DynamoDB_20120810.${operation}`,
      'X-Amz-Date': new Date().toISOString().replace(/[-:]|\.\d{3}/g, ''),
      Authorization: AUTHORIZATION,
      [INTERNAL_HEADER]: '1',
    },
    body: JSON.stringify(body),
  });
  const answer: unknown = await res.json();
  if (!res.ok) throw new Error(`Internal ${operation} failed (${res.status}): ${JSON.stringify(answer)}`);
  return answer;
}

/** The `keyId`s of the items in the table (a persisted data directory), read without counting. */
export async function existingKeys(endpoint: string, def: TableDef): Promise<Set<string>> {
  const keys = new Set<string>();
  const names = [def.partitionKey.name, ...(def.sortKey ? [def.sortKey.name] : [])];
  const ExpressionAttributeNames = Object.fromEntries(names.map((name, i) => [`#k${i}`, name]));
  const ProjectionExpression = Object.keys(ExpressionAttributeNames).join(', ');
  let ExclusiveStartKey: AttributeMap | undefined;
  do {
    const body = { TableName: def.name, ProjectionExpression, ExpressionAttributeNames, ExclusiveStartKey };
    const page = (await internalCall(endpoint, 'Scan', body)) as ScanPage;
    for (const item of page.Items ?? []) {
      const key = keyOf(def, item);
      if (key) keys.add(keyId(key));
    }
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return keys;
}

interface ScanPage {
  readonly Items?: AttributeMap[];
  readonly LastEvaluatedKey?: AttributeMap;
}
