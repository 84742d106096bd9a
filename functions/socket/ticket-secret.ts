import { loadTicketSecret } from '../adapters/ticket-secret.ts';

/**
 * The secret that signs signaling tickets, for the $connect authorizer. Not in wiring.ts on
 * purpose: the authorizer runs before every WebSocket upgrade and needs nothing else, so its
 * bundle stays free of the DynamoDB client (300 KB instead of 820 KB).
 */
export function ticketSecret(): Promise<string> {
  return loadTicketSecret();
}
