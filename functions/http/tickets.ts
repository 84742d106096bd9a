import { loadTicketSecret } from '../adapters/ticket-secret.ts';
import { requireEnv, tunable } from '../config.ts';
import { signTicket, type TicketGrant } from '../core/tickets.ts';

/** `{url, ticket}`: where to connect, and the short-lived pass to do it with. */
export interface SignalingAccess {
  url: string;
  ticket: string;
}

/** Reads the ticket configuration once (cold start) and mints tickets from it. */
export async function ticketIssuer(): Promise<(grant: TicketGrant) => SignalingAccess> {
  const secret = await loadTicketSecret();
  const url = requireEnv('SIGNALING_URL');
  const ttlSeconds = tunable('SIGNALING_TICKET_TTL_SECONDS');
  return (grant) => ({ url, ticket: signTicket(secret, grant, Date.now(), ttlSeconds) });
}
