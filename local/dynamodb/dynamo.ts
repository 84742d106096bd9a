import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { type TableDef, tables } from '../../functions/manifest.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../constants.ts';
import { lockDataDir } from '../dev/data-dir-lock.ts';
import { createCallCounter, type DynamoCallCounter } from './dynamo-calls.ts';
import { ensureTables } from './dynamo-tables.ts';
import { type ObservedWrite, observeWrites } from './dynamo-writes.ts';

export interface StartDynamoOptions {
  /** Persist under `<dataDir>/dynamodb`; in memory (gone on close) when absent. */
  readonly dataDir?: string;
  /** Tables to ensure; the manifest's by default. */
  readonly tables?: readonly TableDef[];
}

/** A running dynalite: the DynamoDB stand-in of the local stack. */
export interface LocalDynamo {
  /** `http://127.0.0.1:<port>`, for the SDK's `endpoint`. */
  readonly endpoint: string;
  /** The API calls received since start (table setup excluded) or the last `reset()`. */
  readonly calls: DynamoCallCounter;
  /** Calls `listener` with every write dynalite answers with 200, in commit order (the streams' source). */
  onWrite(listener: (write: ObservedWrite) => void): void;
  /** Stops the server and closes the LevelDB store (flushing it when persisted). Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts dynalite in this process on a random loopback port and makes sure every table exists.
 * Existing tables are reused, so a persisted store keeps its data across restarts.
 *
 * Not DynamoDB: no transactions, no TTL expiry (see `toCreateTableInput`), no throttling, and
 * GSIs are updated synchronously (DynamoDB's are eventually consistent).
 *
 * @example
 * const dynamo = await startDynamo({});
 * const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials });
 */
export async function startDynamo(options: StartDynamoOptions = {}): Promise<LocalDynamo> {
  const path = options.dataDir === undefined ? undefined : join(options.dataDir, 'dynamodb');
  // Throws DataDirLockedError when another stack is using the directory.
  const unlock = options.dataDir === undefined ? async () => {} : await lockDataDir(options.dataDir);
  if (path) await mkdir(path, { recursive: true });
  // Zero delays: real DynamoDB takes seconds to create a table; nobody wants that at startup.
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const calls = createCallCounter();
  // dynalite's own handler is the first 'request' listener; ours runs right after it.
  server.on('request', calls.record);
  const writeListeners: ((write: ObservedWrite) => void)[] = [];
  server.on(
    'request',
    observeWrites((write) => {
      for (const listener of writeListeners) listener(write);
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (err) => {
    await unlock();
    throw err;
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= new Promise<void>((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      // Keep-alive sockets from SDK clients would hold close() open forever.
      server.closeAllConnections();
    }).finally(unlock);
    return closing;
  };

  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    await ensureTables(client, options.tables ?? Object.values(tables));
  } catch (err) {
    await close().catch(() => {});
    throw err;
  } finally {
    client.destroy();
  }
  calls.reset();
  return { endpoint, calls, onWrite: (listener) => void writeListeners.push(listener), close };
}
