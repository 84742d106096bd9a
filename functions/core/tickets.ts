import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * How a broadcaster proved itself when its ticket was minted: the owner's token, or the stream
 * key. A key proves "may broadcast", not "is the owner": it cannot end the stream or post chat as
 * the owner, and rotating it revokes what it opened (`keyId` must still match the stored key).
 */
export type BroadcasterProofKind = { via: 'owner' } | { via: 'key'; keyId: string };

/** What a ticket grants: who a WebSocket connection is, for its whole life. */
export type TicketGrant =
  | ({ streamId: string; role: 'broadcaster'; userId: string } & BroadcasterProofKind)
  | { streamId: string; role: 'viewer'; userId: string; viewerId: string }
  | { streamId: string; role: 'chat'; userId: string };

/** A verified ticket: its grant, its unique id (a ticket opens one connection) and its expiry. */
export type TicketClaims = TicketGrant & { ticketId: string; expiresAt: number };

export type TicketCheck =
  | { ok: true; claims: TicketClaims }
  | { ok: false; reason: 'malformed' | 'signature' | 'expired' };

const VERSION = 'v1';
/** Canonical unpadded base64url: decoding is lenient (a changed last character can decode to the same bytes), so the text itself is checked. */
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const MAX_TICKET_CHARS = 2048;

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(`${VERSION}.${payload}`).digest();
}

/** The bytes of `text` if it is canonical base64url (re-encoding gives the same text), else undefined. */
function strictBase64url(text: string): Buffer | undefined {
  if (!BASE64URL.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

/** The stream key's identity in a ticket: a prefix of its stored hash (reveals nothing of the key). */
export function keyIdOf(streamKeyHash: string): string {
  return streamKeyHash.slice(0, 16);
}

/**
 * A signaling ticket: `v1.<payload>.<HMAC-SHA256>`, base64url, expiring in `ttlSeconds`, with a
 * random id so that it opens one connection only. Short-lived and scoped (stream, role, viewer,
 * proof), so it may travel in a URL where a user token or a stream key never should.
 *
 * @example const ticket = signTicket(secret, { streamId, role: 'viewer', userId, viewerId }, Date.now(), 60);
 */
export function signTicket(secret: string, grant: TicketGrant, nowMs: number, ttlSeconds: number): string {
  const body = {
    ...grant,
    jti: randomBytes(12).toString('base64url'),
    exp: Math.floor(nowMs / 1000) + ttlSeconds,
  };
  const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
  return `${VERSION}.${payload}.${mac(secret, payload).toString('base64url')}`;
}

/** Checks the encoding strictly, the signature in constant time, then the expiry and the claims' shape. */
export function verifyTicket(secret: string, ticket: string, nowMs: number): TicketCheck {
  const [version, payload = '', signature = '', ...rest] = ticket.split('.');
  const given = strictBase64url(signature);
  const bytes = strictBase64url(payload);
  if (version !== VERSION || !given || !bytes || rest.length > 0 || ticket.length > MAX_TICKET_CHARS) {
    return { ok: false, reason: 'malformed' };
  }
  const expected = mac(secret, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'signature' };
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!isRecord(body)) return { ok: false, reason: 'malformed' };
  if (typeof body.exp !== 'number' || body.exp * 1000 <= nowMs) return { ok: false, reason: 'expired' };
  const claims = claimsOf(body);
  return claims ? { ok: true, claims } : { ok: false, reason: 'malformed' };
}

/** Exactly the fields of one role's grant, each a non-empty string; anything else is malformed. */
function claimsOf(body: Record<string, unknown>): TicketClaims | undefined {
  const { streamId, role, userId, viewerId, via, keyId, jti, exp } = body;
  const text = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
  if (!text(streamId) || !text(userId) || !text(jti) || typeof exp !== 'number') return undefined;
  const common = { streamId, userId, ticketId: jti, expiresAt: exp };
  const fields = Object.keys(body).length;
  if (role === 'viewer' && text(viewerId) && fields === 6) return { ...common, role, viewerId };
  if (role === 'chat' && fields === 5) return { ...common, role };
  if (role === 'broadcaster' && via === 'owner' && fields === 6) return { ...common, role, via };
  if (role === 'broadcaster' && via === 'key' && text(keyId) && fields === 7)
    return { ...common, role, via, keyId };
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
