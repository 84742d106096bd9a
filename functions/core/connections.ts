import type { Clock } from './ports.ts';
import type { ServerFrame } from './protocol.ts';
import type { TicketGrant } from './tickets.ts';

/** A LivestreamConnections row: who is on the other end of one WebSocket. */
export type ConnectionRecord = TicketGrant & {
  connectionId: string;
  connectedAt: number;
  /** Epoch seconds; DynamoDB's TTL deletes the row if $disconnect never arrives. */
  expiresAt: number;
};

/** A chat room member as the fan-out lists it: the connection, and which frames it asked for. */
export interface RoomMember {
  connectionId: string;
  /** Joined with `batch: true`: runs of messages come coalesced (`chat:messages`). */
  batch: boolean;
}

export interface ConnectionStore {
  /**
   * Marks a ticket used until `expiresAt` (epoch seconds); false if it already was. A conditional
   * write, so two connects racing with one ticket cannot both win.
   */
  claimTicket(ticketId: string, expiresAt: number): Promise<boolean>;
  put(connection: ConnectionRecord): Promise<void>;
  delete(connectionId: string): Promise<void>;
  /** Every open connection of a stream (the `byStream` index). */
  listByStream(streamId: string): Promise<ConnectionRecord[]>;
  /**
   * Puts the connection in its stream's chat room, with its frame preference, on its own row, so
   * listing the room tells the fan-out both (false if the connection is gone). Joining again
   * replaces the preference.
   */
  joinRoom(connectionId: string, streamId: string, options: { batch: boolean }): Promise<boolean>;
  leaveRoom(connectionId: string): Promise<void>;
  /** The members of a stream's chat room (the sparse `byRoom` index), preferences included. */
  listRoom(streamId: string): Promise<RoomMember[]>;
}

/** Pushes frames to WebSocket clients by connection id (API Gateway's @connections API). */
export interface ConnectionSender {
  /** `gone` when the connection no longer exists (API Gateway answers 410). */
  send(connectionId: string, frame: ServerFrame): Promise<'sent' | 'gone'>;
  /** Closes the connection; its $disconnect follows. A connection already gone is fine. */
  close(connectionId: string): Promise<void>;
}

/**
 * Records an open connection, unless its ticket already opened one: a ticket opens one connection,
 * once (a reconnect asks for a fresh ticket), so one ticket cannot multiply sockets and their
 * frame budgets. `ttlSeconds` should exceed API Gateway's 2 h connection limit. Undefined: refused.
 */
export async function openConnection(
  deps: { connections: ConnectionStore; clock: Clock },
  connectionId: string,
  grant: TicketGrant,
  ticket: { ticketId: string; expiresAt: number },
  ttlSeconds: number,
): Promise<ConnectionRecord | undefined> {
  if (!(await deps.connections.claimTicket(ticket.ticketId, ticket.expiresAt))) return undefined;
  const now = deps.clock.now();
  const record: ConnectionRecord = {
    ...grant,
    connectionId,
    connectedAt: now,
    expiresAt: Math.floor(now / 1000) + ttlSeconds,
  };
  await deps.connections.put(record);
  return record;
}
