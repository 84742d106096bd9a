import { describe, expect, it } from 'vitest';
import { signTicket, verifyTicket } from '../../functions/core/tickets.ts';

const secret = 's'.repeat(40);
const now = 1_800_000_000_000;
const viewer = { streamId: 'st', role: 'viewer' as const, userId: 'bob', viewerId: 'v1' };

describe('signaling tickets', () => {
  it('round-trips the claims of a viewer and of a broadcaster', () => {
    expect(verifyTicket(secret, signTicket(secret, viewer, now, 60), now + 59_000)).toEqual({
      ok: true,
      claims: viewer,
    });
    const broadcaster = { streamId: 'st', role: 'broadcaster' as const, userId: 'alice' };
    expect(verifyTicket(secret, signTicket(secret, broadcaster, now, 60), now)).toEqual({
      ok: true,
      claims: broadcaster,
    });
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

  it.each(['', 'v1', 'v1.a', 'v2.a.b', 'v1.a.b.c', 'v1..', `v1.${'a'.repeat(3000)}.b`])(
    'refuses malformed %j',
    (t) => {
      expect(verifyTicket(secret, t, now)).toMatchObject({ ok: false });
    },
  );
});
