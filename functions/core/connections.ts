import type { Clock } from './ports.ts';

/** A LivestreamConnections row. Stream, role and user arrive with signaling tickets. */
export interface ConnectionRecord {
  connectionId: string;
  connectedAt: number;
  /** Epoch seconds; DynamoDB's TTL deletes the row if $disconnect never arrives. */
  expiresAt: number;
}

export interface ConnectionStore {
  put(connection: ConnectionRecord): Promise<void>;
  delete(connectionId: string): Promise<void>;
}

/** Records an open connection; `ttlSeconds` should exceed API Gateway's 2 h connection limit. */
export async function openConnection(
  deps: { connections: ConnectionStore; clock: Clock },
  connectionId: string,
  ttlSeconds: number,
): Promise<ConnectionRecord> {
  const now = deps.clock.now();
  const record = { connectionId, connectedAt: now, expiresAt: Math.floor(now / 1000) + ttlSeconds };
  await deps.connections.put(record);
  return record;
}
