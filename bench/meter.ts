/**
 * What the bench counts, per handler invocation: every handler the local stack imports is wrapped
 * (bench/handler-hooks.mjs), so each invocation runs in an AsyncLocalStorage context naming it.
 * Everything the handlers do is then attributed to that name:
 * - invocations and their wall time (the stand-in for Lambda's billed duration);
 * - DynamoDB operations, by an SDK middleware on the handlers' shared document client: reads and
 *   writes, the request units dynalite reports (`ReturnConsumedCapacity`), and the global secondary
 *   index writes DynamoDB would bill on top (computed from the item's image: see `indexWrites`);
 * - PostToConnection calls, counted on the @connections client's `send`, with their 32 KB units.
 * The instrumentation asks dynalite for capacity and item images the handlers did not ask for, and
 * strips them from the answers again, so the handlers see exactly what they would have seen.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import { register } from 'node:module';
import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { documentClient } from '../functions/adapters/dynamo.ts';
import { handlers, type TableDef, tables } from '../functions/manifest.ts';

/** Base-client command names (the document client sends through them) that read. */
const READS = new Set(['GetItemCommand', 'QueryCommand', 'BatchGetItemCommand', 'ScanCommand']);
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand']);
/** API Gateway meters WebSocket messages in 32 KB increments. */
export const MESSAGE_UNIT_BYTES = 32 * 1024;
/** Work done outside any handler invocation (the bench's own setup calls, none expected). */
export const OUTSIDE = '(outside handlers)';

/** Everything attributed to one label (a handler name; `wsDefault <action>` for the socket router). */
export interface Usage {
  invocations: number;
  durationsMs: number[];
  /** DynamoDB operations (commands sent), reads and writes. */
  reads: number;
  writes: number;
  commands: Record<string, number>;
  /** Read request units dynalite reported (eventually consistent reads count half). */
  rru: number;
  /** Write request units of the base table, as dynalite reported them. */
  wru: number;
  /** Write request units of global secondary indexes (not reported by dynalite; computed). */
  indexWru: number;
  /** PostToConnection calls and the 32 KB message units they are billed as. */
  posts: number;
  postUnits: number;
  postBytes: number;
}

const emptyUsage = (): Usage => ({
  invocations: 0,
  durationsMs: [],
  reads: 0,
  writes: 0,
  commands: {},
  rru: 0,
  wru: 0,
  indexWru: 0,
  posts: 0,
  postUnits: 0,
  postBytes: 0,
});

type Handler = (event: unknown, context: unknown) => unknown;

declare global {
  var __benchWrapHandler: ((name: string, handler: Handler) => Handler) | undefined;
}

export interface Meter {
  /** Usage by label since the last take (or install), then starts over. */
  take(): Record<string, Usage>;
  /** Handler invocations running now. */
  inFlight(): number;
  /** Resolves once no invocation has been running for `quietMs` (bounded by `timeoutMs`). */
  settle(quietMs?: number, timeoutMs?: number): Promise<void>;
}

let installed: Meter | undefined;

/**
 * Installs the instruments; call once, before the local stack imports any handler (it imports them
 * on first use, so before the first request is enough).
 */
export function installMeter(): Meter {
  if (installed) return installed;
  const root = new URL('../', import.meta.url);
  const entries = Object.fromEntries(
    Object.entries(handlers).map(([name, def]) => [new URL(def.entry, root).href, name]),
  );
  register(new URL('./handler-hooks.mjs', import.meta.url), { data: { entries } });

  const context = new AsyncLocalStorage<string>();
  let usage = new Map<string, Usage>();
  let running = 0;
  const current = () => {
    const label = context.getStore() ?? OUTSIDE;
    let u = usage.get(label);
    if (!u) {
      u = emptyUsage();
      usage.set(label, u);
    }
    return u;
  };

  globalThis.__benchWrapHandler = (name, handler) => async (event, lambdaContext) => {
    const label = name === 'wsDefault' ? `wsDefault ${actionOf(event)}` : name;
    return context.run(label, async () => {
      const u = current();
      u.invocations++;
      running++;
      const start = performance.now();
      try {
        return await handler(event, lambdaContext);
      } finally {
        running--;
        u.durationsMs.push(performance.now() - start);
      }
    });
  };

  const byName = new Map<string, TableDef>(Object.values(tables).map((t) => [t.name, t]));
  documentClient().middlewareStack.add(
    (next, ctx) => async (args) => {
      const command = String(ctx.commandName);
      const input = args.input as Record<string, unknown>;
      const isWrite = WRITES.has(command);
      const extra: Record<string, unknown> = {};
      if (input.ReturnConsumedCapacity === undefined) extra.ReturnConsumedCapacity = 'TOTAL';
      if (isWrite && input.ReturnValues === undefined) {
        extra.ReturnValues = command === 'UpdateItemCommand' ? 'ALL_NEW' : 'ALL_OLD';
      }
      const u = current();
      u.commands[command] = (u.commands[command] ?? 0) + 1;
      if (READS.has(command)) u.reads++;
      else u.writes++;
      let result: Awaited<ReturnType<typeof next>>;
      try {
        result = await next({ ...args, input: { ...input, ...extra } });
      } catch (error) {
        // A refused conditional write still consumes a write unit; a refused read one read unit.
        if (isWrite) u.wru += 1;
        throw error;
      }
      const output = result.output as Record<string, unknown>;
      const units = capacityUnits(output.ConsumedCapacity);
      if (READS.has(command)) u.rru += units;
      else u.wru += units;
      if (isWrite) {
        const table = byName.get(String(input.TableName));
        const returned = (input.ReturnValues ?? extra.ReturnValues) as string;
        if (table) u.indexWru += indexWrites(table, command, input, output.Attributes, returned);
      }
      if (extra.ReturnConsumedCapacity) delete output.ConsumedCapacity;
      if (extra.ReturnValues) delete output.Attributes;
      return result;
    },
    { step: 'initialize', name: 'benchMeter' },
  );

  const client = ApiGatewayManagementApiClient.prototype as unknown as {
    send: (command: unknown, ...rest: unknown[]) => Promise<unknown>;
  };
  const send = client.send;
  client.send = function (this: unknown, command: unknown, ...rest: unknown[]) {
    if (command instanceof PostToConnectionCommand) {
      const u = current();
      const bytes = byteLength(command.input.Data);
      u.posts++;
      u.postBytes += bytes;
      u.postUnits += Math.max(1, Math.ceil(bytes / MESSAGE_UNIT_BYTES));
    }
    return send.call(this, command, ...rest);
  };

  installed = {
    take() {
      const taken = Object.fromEntries(usage);
      usage = new Map();
      return taken;
    },
    inFlight: () => running,
    async settle(quietMs = 300, timeoutMs = 60_000) {
      const deadline = performance.now() + timeoutMs;
      let quietSince = performance.now();
      while (performance.now() < deadline) {
        if (running > 0) quietSince = performance.now();
        else if (performance.now() - quietSince >= quietMs) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
  return installed;
}

function actionOf(event: unknown): string {
  const body = (event as { body?: unknown } | null)?.body;
  try {
    const action = typeof body === 'string' ? (JSON.parse(body) as { action?: unknown }).action : undefined;
    return typeof action === 'string' ? action : '(no action)';
  } catch {
    return '(not JSON)';
  }
}

function byteLength(data: unknown): number {
  if (typeof data === 'string') return Buffer.byteLength(data);
  if (data instanceof Uint8Array) return data.byteLength;
  return 0;
}

/** `ConsumedCapacity` of one answer: an object, or an array of them for the batch operations. */
function capacityUnits(consumed: unknown): number {
  const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
  return list.reduce(
    (sum: number, c) => sum + (Number((c as { CapacityUnits?: unknown }).CapacityUnits) || 0),
    0,
  );
}

/**
 * Write units the table's global secondary indexes are billed for one write (all of this
 * service's indexes project ALL, so any change to an item in an index writes the index too):
 * - Put: the index holds the new item or held the old one (ALL_OLD): one index write.
 * - Update: the new image (ALL_NEW) is in the index: one write; a key attribute of the index
 *   removed by the update (it left the index): one delete.
 * - Delete: the old image (ALL_OLD) was in the index: one delete.
 * Each write costs the item's size in 1 KB units. A key that changes value (a delete and a put,
 * two writes) is counted once: the service never moves an item between partitions of an index.
 */
export function indexWrites(
  table: TableDef,
  command: string,
  input: Record<string, unknown>,
  attributes: unknown,
  returned: string,
): number {
  const image = (attributes ?? undefined) as Record<string, unknown> | undefined;
  const item = (input.Item ?? undefined) as Record<string, unknown> | undefined;
  const removed = command === 'UpdateItemCommand' ? removedAttributes(input) : new Set<string>();
  let units = 0;
  for (const index of table.indexes) {
    const keys = [
      index.partitionKey.name,
      ...('sortKey' in index && index.sortKey ? [index.sortKey.name] : []),
    ];
    const holds = (i: Record<string, unknown> | undefined) => i !== undefined && keys.every((k) => k in i);
    if (command === 'PutItemCommand') {
      const target = holds(item) ? item : holds(image) && returned === 'ALL_OLD' ? image : undefined;
      if (target) units += writeUnits(target);
    } else if (command === 'UpdateItemCommand') {
      if (returned === 'ALL_NEW' && holds(image)) units += writeUnits(image as Record<string, unknown>);
      else if (keys.some((k) => removed.has(k))) units += 1;
    } else if (command === 'DeleteItemCommand' && returned === 'ALL_OLD' && holds(image)) {
      units += writeUnits(image as Record<string, unknown>);
    }
  }
  return units;
}

/** Attribute names an UpdateExpression's REMOVE clause names (placeholders resolved). */
function removedAttributes(input: Record<string, unknown>): Set<string> {
  const expression = String(input.UpdateExpression ?? '');
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const clause = /\bREMOVE\s+(.*?)(?=\s+\b(?:SET|ADD|DELETE)\b|$)/is.exec(expression)?.[1] ?? '';
  return new Set(
    clause
      .split(',')
      .map((part) => part.trim().split(/[.[]/)[0] ?? '')
      .filter(Boolean)
      .map((name) => names[name] ?? name),
  );
}

const writeUnits = (item: Record<string, unknown>) => Math.max(1, Math.ceil(itemBytes(item) / 1024));

/** DynamoDB's item size (attribute names plus values), for a document-client (native) item. */
export function itemBytes(item: Record<string, unknown>): number {
  return Object.entries(item).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name) + valueBytes(value),
    0,
  );
}

function valueBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number' || typeof value === 'bigint') {
    const digits = String(value)
      .replace(/^-|\.|e.*$/gi, '')
      .replace(/^0+/, '').length;
    return Math.ceil(digits / 2) + 1;
  }
  if (typeof value === 'boolean' || value === null || value === undefined) return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce((sum: number, v) => sum + valueBytes(v), 0);
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + 1 + valueBytes(v), 0);
  if (typeof value === 'object')
    return 3 + itemBytes(value as Record<string, unknown>) + Object.keys(value).length;
  return 0;
}

/** Main-thread CPU milliseconds (Linux: /proc, 10 ms ticks; elsewhere the whole process). */
export function mainThreadCpuMs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  }
}

/** Sums usage over labels (all, or those `include` accepts). */
export function total(usage: Record<string, Usage>, include: (label: string) => boolean = () => true): Usage {
  const sum = emptyUsage();
  for (const [label, u] of Object.entries(usage)) {
    if (!include(label)) continue;
    sum.invocations += u.invocations;
    sum.durationsMs.push(...u.durationsMs);
    sum.reads += u.reads;
    sum.writes += u.writes;
    sum.rru += u.rru;
    sum.wru += u.wru;
    sum.indexWru += u.indexWru;
    sum.posts += u.posts;
    sum.postUnits += u.postUnits;
    sum.postBytes += u.postBytes;
    for (const [c, n] of Object.entries(u.commands)) sum.commands[c] = (sum.commands[c] ?? 0) + n;
  }
  return sum;
}

/** DynamoDB and @connections figures of `u`, per `n` (a join, a message, a request). */
export function per(u: Usage, n: number) {
  const r = (value: number) => Number((value / Math.max(1, n)).toFixed(3));
  return {
    ops: r(u.reads + u.writes),
    reads: r(u.reads),
    writes: r(u.writes),
    rru: r(u.rru),
    wru: r(u.wru + u.indexWru),
    indexWru: r(u.indexWru),
    invocations: r(u.invocations),
    posts: r(u.posts),
  };
}

/** Invocations, their p50 wall time and the DynamoDB commands of each label: where the work went. */
export function byLabel(usage: Record<string, Usage>, n = 1) {
  return Object.fromEntries(
    Object.entries(usage)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([label, u]) => {
        const sorted = [...u.durationsMs].sort((a, b) => a - b);
        const p50 = sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
        return [label, { ...per(u, n), durationMsP50: Number(p50.toFixed(2)), commands: u.commands }];
      }),
  );
}
