import { describe, expect, it } from 'vitest';
import { signTicket, type TicketGrant, verifyTicket } from '../../functions/core/tickets.ts';

const secret = 's'.repeat(40);
const now = 1_800_000_000_000;
const viewer = { streamId: 'st', role: 'viewer' as const, userId: 'bob', viewerId: 'v1' };
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('signaling tickets', () => {
  it.each<TicketGrant>([
    viewer,
    { streamId: 'st', role: 'broadcaster', userId: 'alice', via: 'owner' },
    { streamId: 'st', role: 'broadcaster', userId: 'alice', via: 'key', keyId: '0123456789abcdef' },
    { streamId: 'st', role: 'chat', userId: 'carol' },
  ])('round-trips the grant of a $role ticket, with its id and expiry', (grant) => {
    const check = verifyTicket(secret, signTicket(secret, grant, now, 60), now + 59_000);
    expect(check).toEqual({
      ok: true,
      claims: { ...grant, ticketId: expect.any(String), expiresAt: now / 1000 + 60 },
    });
  });

  it('gives every ticket its own id, so each can open one connection', () => {
    const ids = new Set(
      Array.from({ length: 50 }, () => {
        const check = verifyTicket(secret, signTicket(secret, viewer, now, 60), now);
        return check.ok ? check.claims.ticketId : undefined;
      }),
    );
    expect(ids.size).toBe(50);
  });

  it('refuses an expired ticket', () => {
    expect(verifyTicket(secret, signTicket(secret, viewer, now, 60), now + 60_000)).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('refuses a ticket signed with another secret, or whose payload was changed', () => {
    const ticket = signTicket(secret, viewer, now, 60);
    expect(verifyTicket('x'.repeat(40), ticket, now)).toEqual({ ok: false, reason: 'signature' });
    const [v, , sig] = ticket.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...viewer, streamId: 'other', exp: now / 1000 + 60 }),
    ).toString('base64url');
    expect(verifyTicket(secret, `${v}.${forged}.${sig}`, now)).toEqual({ ok: false, reason: 'signature' });
  });

  // Lenient base64url decoding maps several last characters to the same bytes: the text is checked.
  it.each(['payload', 'signature'] as const)(
    'refuses a ticket with any other last character of its %s',
    (part) => {
      const ticket = signTicket(secret, viewer, now, 60);
      const [v, payload = '', signature = ''] = ticket.split('.');
      const text = part === 'payload' ? payload : signature;
      const tampered = [...BASE64URL]
        .filter((c) => c !== text.at(-1))
        .map((c) => `${text.slice(0, -1)}${c}`)
        .map((t) => (part === 'payload' ? `${v}.${t}.${signature}` : `${v}.${payload}.${t}`));
      const accepted = tampered.filter((t) => verifyTicket(secret, t, now).ok);
      expect(accepted).toEqual([]);
      expect(tampered).toHaveLength(63);
    },
  );

  it.each([
    '',
    'v1',
    'v1.a',
    'v2.a.b',
    'v1.a.b.c',
    'v1..',
    `v1.${'a'.repeat(3000)}.b`,
    'v1.a=.b',
    'v1.a+/.b',
  ])('refuses malformed %j', (t) => {
    expect(verifyTicket(secret, t, now)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it.each([
    ['a viewer without viewerId', { streamId: 'st', role: 'viewer', userId: 'bob' }],
    ['a broadcaster without its proof', { streamId: 'st', role: 'broadcaster', userId: 'alice' }],
    ['a key broadcaster without keyId', { streamId: 'st', role: 'broadcaster', userId: 'a', via: 'key' }],
    ['an extra field', { ...viewer, admin: true }],
    ['an empty user', { ...viewer, userId: '' }],
  ])('refuses a correctly signed ticket whose grant is malformed: %s', (_name, grant) => {
    const ticket = signTicket(secret, grant as TicketGrant, now, 60);
    expect(verifyTicket(secret, ticket, now)).toEqual({ ok: false, reason: 'malformed' });
  });
});
