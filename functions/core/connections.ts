import type { ConnectionRecord } from './model.ts';
import type { Clock, ConnectionStore } from './ports.ts';
import type { TicketGrant } from './tickets.ts';

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
