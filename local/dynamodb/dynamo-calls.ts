import type { IncomingMessage } from 'node:http';
import { INTERNAL_HEADER } from './dynamo-writes.ts';

/** One DynamoDB API request as dynalite received it. */
export interface DynamoCall {
  /** The operation from `x-amz-target`, e.g. `Query`, `Scan`, `TransactWriteItems`. */
  readonly operation: string;
  /** Tables the request names (several for the batch operations); filled once the body has arrived. */
  tables: string[];
  /** `IndexName` of a Query or Scan. */
  index?: string;
}

/** What to count: every field given must match. */
export interface DynamoCallFilter {
  readonly operation?: string;
  readonly table?: string;
  readonly index?: string;
}

/**
 * The DynamoDB requests the local stack actually received. Tests use it to pin access
 * patterns that a wrong implementation would still pass functionally, e.g. "GET /active is a
 * Query on the live index and never a Scan".
 */
export interface DynamoCallCounter {
  /** Every call since the last reset, oldest first. */
  readonly log: readonly DynamoCall[];
  /** How many calls match `filter` (all calls when omitted). */
  count(filter?: DynamoCallFilter): number;
  /** Calls per operation name, e.g. `{ Query: 2, GetItem: 1 }`. */
  byOperation(): Record<string, number>;
  reset(): void;
}

/** The counter plus the hook that feeds it; only `dynamo.ts` needs the hook. */
export interface RecordingCounter extends DynamoCallCounter {
  record(req: IncomingMessage): void;
}

export function createCallCounter(): RecordingCounter {
  let log: DynamoCall[] = [];

  const matches = (call: DynamoCall, f: DynamoCallFilter) =>
    (f.operation === undefined || call.operation === f.operation) &&
    (f.table === undefined || call.tables.includes(f.table)) &&
    (f.index === undefined || call.index === f.index);

  return {
    get log() {
      return log;
    },
    count: (filter = {}) => log.filter((call) => matches(call, filter)).length,
    byOperation: () => {
      const out: Record<string, number> = {};
      for (const { operation } of log) out[operation] = (out[operation] ?? 0) + 1;
      return out;
    },
    reset: () => {
      log = [];
    },
    record: (req) => {
      // `DynamoDB_20120810.Query`; anything else (health checks, OPTIONS) is not an API call.
      const target = req.headers['x-amz-target'];
      const operation = typeof target === 'string' ? target.split('.')[1] : undefined;
      // The stack's own reads (stream records) are not the handlers' doing.
      if (!operation || req.headers[INTERNAL_HEADER] !== undefined) return;
      const call: DynamoCall = { operation, tables: [] };
      // Recorded now, so the order of the log is the order of arrival; the body only adds detail.
      log.push(call);
      // A second 'data' listener beside dynalite's own sees the same chunks; both are attached
      // in the same tick, so nothing is missed. The request is small JSON, parsing twice is cheap.
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => describeBody(call, Buffer.concat(chunks).toString('utf8')));
    },
  };
}

function describeBody(call: DynamoCall, body: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return; // dynalite answers SerializationException; the call still counts.
  }
  if (typeof parsed !== 'object' || parsed === null) return;
  const { TableName, IndexName, RequestItems, TransactItems } = parsed as Record<string, unknown>;
  if (typeof TableName === 'string') call.tables.push(TableName);
  if (typeof IndexName === 'string') call.index = IndexName;
  if (typeof RequestItems === 'object' && RequestItems !== null)
    call.tables.push(...Object.keys(RequestItems));
  if (Array.isArray(TransactItems)) {
    // dynalite rejects transactions, but a handler that tries one should still show up by table.
    for (const item of TransactItems) {
      for (const op of Object.values((item ?? {}) as Record<string, { TableName?: unknown }>)) {
        if (typeof op?.TableName === 'string' && !call.tables.includes(op.TableName))
          call.tables.push(op.TableName);
      }
    }
  }
}
