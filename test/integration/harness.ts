import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../functions/manifest.ts';
import { startLocalStack } from '../../local/stack.ts';

export type Stack = Awaited<ReturnType<typeof startLocalStack>>;

export interface ApiResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests assert response bodies field by field.
  body: any;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Sent as is, for malformed-body cases. */
  rawBody?: string;
  headers?: Record<string, string>;
}

/** A whole local stack (in-memory dynalite, emulator, real handlers) and helpers to drive it. */
export async function harness() {
  const stack = await startLocalStack({ port: 0, quiet: true });
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.dynamo.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );

  async function call(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    let body = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['Content-Type'] ??= 'application/json';
    }
    const res = await fetch(`${stack.url}${path}`, { method, headers, body });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  }

  const token = (userId: string, roles: string[] = []) => stack.issuer.mint({ userId, roles });

  /** Every row of every table, for "nothing changed" assertions (test-only: production never scans). */
  async function snapshot(): Promise<Record<string, unknown[]>> {
    const out: Record<string, unknown[]> = {};
    for (const table of Object.values(tables)) {
      const res = await db.send(new ScanCommand({ TableName: table.name, ConsistentRead: true }));
      out[table.name] = (res.Items ?? []).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    }
    return out;
  }

  /** Creates a stream as `owner` and optionally starts it. */
  async function newStream(owner: string, options: { start?: boolean; body?: Record<string, unknown> } = {}) {
    const ownerToken = await token(owner);
    const created = await call('POST', '/api/livestream/create', {
      token: ownerToken,
      body: { title: `${owner}'s stream`, description: 'd', recordingEnabled: false, ...options.body },
    });
    if (created.status !== 201) throw new Error(`create failed: ${JSON.stringify(created.body)}`);
    if (options.start) {
      const started = await call('POST', `/api/livestream/${created.body.streamId}/start`, {
        token: ownerToken,
      });
      if (started.status !== 200) throw new Error(`start failed: ${JSON.stringify(started.body)}`);
    }
    return {
      streamId: created.body.streamId as string,
      streamKey: created.body.streamKey as string,
      ownerToken,
    };
  }

  return { stack, db, call, token, snapshot, newStream, close: () => stack.close() };
}

/** Runs `tasks` with at most `width` in flight. */
export async function inBatches<T>(tasks: Array<() => Promise<T>>, width: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const workers = Array.from({ length: width }, async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await (tasks[i] as () => Promise<T>)();
    }
  });
  await Promise.all(workers);
  return results;
}
