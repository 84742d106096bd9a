import { createHmac, timingSafeEqual } from 'node:crypto';

/** `chat`: a connection that only chats (no WebRTC), opened with a chat ticket. */
export type SignalingRole = 'broadcaster' | 'viewer' | 'chat';

/** Who a WebSocket connection is: the claims of its ticket, then of its authorizer context. */
export interface TicketClaims {
  streamId: string;
  role: SignalingRole;
  userId: string;
  /** Set for viewers only: the viewing session this connection belongs to. */
  viewerId?: string;
}

export type TicketCheck =
  | { ok: true; claims: TicketClaims }
  | { ok: false; reason: 'malformed' | 'signature' | 'expired' };

const VERSION = 'v1';

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(`${VERSION}.${payload}`).digest();
}

/**
 * A signaling ticket: `v1.<payload>.<HMAC-SHA256>`, base64url, expiring in `ttlSeconds`.
 * Short-lived and scoped (stream, role, viewer), so it may travel in a URL where a user token
 * or a stream key never should.
 *
 * @example const ticket = signTicket(secret, { streamId, role: 'viewer', userId, viewerId }, Date.now(), 60);
 */
export function signTicket(secret: string, claims: TicketClaims, nowMs: number, ttlSeconds: number): string {
  const body = { ...claims, exp: Math.floor(nowMs / 1000) + ttlSeconds };
  const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
  return `${VERSION}.${payload}.${mac(secret, payload).toString('base64url')}`;
}

/** Checks the signature in constant time, then the expiry, then the claims' shape. */
export function verifyTicket(secret: string, ticket: string, nowMs: number): TicketCheck {
  const [version, payload, signature, ...rest] = ticket.split('.');
  if (version !== VERSION || !payload || !signature || rest.length > 0 || ticket.length > 2048) {
    return { ok: false, reason: 'malformed' };
  }
  const expected = mac(secret, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'signature' };
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof body.exp !== 'number' || body.exp * 1000 <= nowMs) return { ok: false, reason: 'expired' };
  const { streamId, role, userId, viewerId } = body;
  const valid =
    typeof streamId === 'string' &&
    typeof userId === 'string' &&
    (role === 'viewer'
      ? typeof viewerId === 'string'
      : (role === 'broadcaster' || role === 'chat') && viewerId === undefined);
  if (!valid) return { ok: false, reason: 'malformed' };
  const claims: TicketClaims =
    role === 'viewer'
      ? { streamId, role, userId, viewerId: viewerId as string }
      : { streamId, role: role as 'broadcaster' | 'chat', userId };
  return { ok: true, claims };
}
