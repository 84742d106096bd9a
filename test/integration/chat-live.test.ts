import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignalingClient } from '../support/signaling-client.ts';
import { harness } from './harness.ts';
import { broadcaster, liveStream, settle, viewer } from './signaling-scene.ts';

let h: Awaited<ReturnType<typeof harness>>;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

const chat = (streamId: string) => `/api/livestream/${streamId}/chat`;
const post = async (streamId: string, user: string, message: string, roles: string[] = []) =>
  h.call('POST', chat(streamId), { token: await h.token(user, roles), body: { message } });

/** A chat-only connection: chat ticket, connect, join-livestream. */
async function chatter(streamId: string, user: string) {
  const token = await h.token(user);
  const res = await h.call('POST', `${chat(streamId)}/ticket`, { token, body: {} });
  const client = await SignalingClient.connect(res.body.signaling.url, res.body.signaling.ticket);
  const joined = await client.request('join-livestream', { streamId }, 'join');
  return { client, joined, token };
}

/** Every chat message `client` has received, single or coalesced, in arrival order. */
const received = (client: SignalingClient) =>
  client.frames.flatMap((f) =>
    f.event === 'chat:message' ? [f.data] : f.event === 'chat:messages' ? f.data.messages : [],
  ) as Array<{ id: string; userId: string; message: string; timestamp: string }>;

describe('live chat rooms', () => {
  it('pushes a message posted over REST to every room member: broadcaster, viewer and chat-only', async () => {
    const live = await liveStream(h, 'room-host');
    const b = await broadcaster(live.url, live.ticket);
    const v = await viewer(h, live.streamId, 'room-viewer');
    const c = await chatter(live.streamId, 'room-chatter');
    expect(c.joined).toMatchObject({ event: 'chat:joined', data: { streamId: live.streamId } });
    for (const client of [b, v.client])
      await client.request('join-livestream', { streamId: live.streamId }, 'j');

    const sent = await post(live.streamId, 'room-chatter', '<b>hello</b> room');
    expect(sent.status).toBe(201);
    await h.stack.streams.idle();
    for (const client of [b, v.client, c.client]) {
      await client.waitFor(
        (f) => f.event === 'chat:message' || f.event === 'chat:messages',
        'chat',
        5000,
        false,
      );
      expect(received(client)).toEqual([sent.body]);
    }
    await Promise.all([b.close(), v.client.close(), c.client.close()]);
  });

  it('stops pushing to a connection that left the room', async () => {
    const live = await liveStream(h, 'leaver-host');
    const stays = await chatter(live.streamId, 'stays');
    const goes = await chatter(live.streamId, 'goes');
    await goes.client.request('leave-livestream', { streamId: live.streamId }, 'bye');
    await post(live.streamId, 'stays', 'after you left');
    await h.stack.streams.idle();
    await settle();
    expect(received(stays.client)).toHaveLength(1);
    expect(received(goes.client)).toHaveLength(0);
    await Promise.all([stays.client.close(), goes.client.close()]);
  });

  it('takes posts over the socket too, under the same limits: stream:error RATE_LIMITED past them', async () => {
    const live = await liveStream(h, 'ws-poster-host');
    const listener = await chatter(live.streamId, 'ws-listener');
    const poster = await chatter(live.streamId, 'ws-poster');
    const sent = await poster.client.request('chat:message', { message: 'from the socket' }, 'p0');
    expect(sent).toMatchObject({
      event: 'chat:sent',
      data: { userId: 'ws-poster', message: 'from the socket' },
    });
    await h.stack.streams.idle();
    await listener.client.waitFor((f) => f.event.startsWith('chat:message'), 'chat', 5000, false);
    expect(received(listener.client).map((m) => m.id)).toEqual([sent.data.id]);

    const invalid = await poster.client.request('chat:message', { message: 'x'.repeat(501) }, 'p1');
    expect(invalid.data.code).toBe('INVALID_FRAME');
    // Fixed 10 s windows: 11 quick posts span at most two, so at least one is refused.
    const replies = [];
    for (let i = 0; i < 11; i++)
      replies.push(await poster.client.request('chat:message', { message: `n${i}` }, `q${i}`));
    const limited = replies.find((r) => r.event === 'stream:error');
    expect(limited?.data).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
    await Promise.all([listener.client.close(), poster.client.close()]);
  });

  it('refuses joining another stream’s room', async () => {
    const live = await liveStream(h, 'own-room');
    const other = await liveStream(h, 'other-room');
    const c = await chatter(live.streamId, 'wanderer');
    const reply = await c.client.request('join-livestream', { streamId: other.streamId }, 'x');
    expect(reply.data.code).toBe('WRONG_STREAM');
    await c.client.close();
  });
});

describe('moderation', () => {
  it('lets the owner delete a message: the room is told, history no longer has it; others may not', async () => {
    const live = await liveStream(h, 'mod-owner');
    const c = await chatter(live.streamId, 'mod-watcher');
    const sent = await post(live.streamId, 'troll', 'spam spam');
    const path = `${chat(live.streamId)}/${sent.body.id}`;

    const refused = await h.call('DELETE', path, { token: await h.token('troll') });
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    const deleted = await h.call('DELETE', path, { token: live.ownerToken });
    expect(deleted).toMatchObject({ status: 200, body: { success: true } });
    await h.stack.streams.idle();
    await c.client.waitFor((f) => f.event === 'chat:deleted', 'chat:deleted', 5000, false);
    expect(c.client.frames.find((f) => f.event === 'chat:deleted')?.data).toEqual({ id: sent.body.id });
    const history = await h.call('GET', chat(live.streamId), { token: await h.token('reader') });
    expect(history.body.messages.map((m: { id: string }) => m.id)).not.toContain(sent.body.id);
    await c.client.close();
  });

  it('lets a moderator ban a user: their posts and joins are refused until unbanned', async () => {
    const live = await liveStream(h, 'ban-owner');
    const bans = `${chat(live.streamId)}/bans`;
    expect(
      (await h.call('POST', bans, { token: await h.token('nobody'), body: { userId: 'pest' } })).status,
    ).toBe(403);
    const banned = await h.call('POST', bans, {
      token: await h.token('mod', ['moderator']),
      body: { userId: 'pest' },
    });
    expect(banned).toMatchObject({ status: 201, body: { userId: 'pest', bannedUntil: null } });

    const before = await h.snapshot();
    expect(await post(live.streamId, 'pest', 'let me in')).toMatchObject({
      status: 403,
      body: { error: { code: 'BANNED' } },
    });
    expect((await h.snapshot()).LivestreamChat).toEqual(before.LivestreamChat);
    const token = await h.token('pest');
    const ticket = await h.call('POST', `${chat(live.streamId)}/ticket`, { token, body: {} });
    const client = await SignalingClient.connect(ticket.body.signaling.url, ticket.body.signaling.ticket);
    expect((await client.request('join-livestream', {}, 'j')).data.code).toBe('BANNED');

    await h.call('DELETE', `${bans}/pest`, { token: live.ownerToken });
    expect((await post(live.streamId, 'pest', 'sorry')).status).toBe(201);
    await client.close();
  });

  it('turns on slow mode: one message per user per N seconds', async () => {
    const live = await liveStream(h, 'slow-owner');
    const slow = `${chat(live.streamId)}/slow-mode`;
    expect(
      (await h.call('POST', slow, { token: await h.token('nobody'), body: { seconds: 30 } })).status,
    ).toBe(403);
    expect(await h.call('POST', slow, { token: live.ownerToken, body: { seconds: 30 } })).toMatchObject({
      status: 200,
      body: { slowModeSeconds: 30 },
    });
    expect((await post(live.streamId, 'sloth', 'one')).status).toBe(201);
    const second = await post(live.streamId, 'sloth', 'two');
    expect(second).toMatchObject({ status: 429, body: { error: { code: 'SLOW_MODE' } } });
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await post(live.streamId, 'other-sloth', 'mine')).status).toBe(201);
  });

  it('lets an admin terminate any live stream at once; every viewer is told why', async () => {
    const live = await liveStream(h, 'doomed');
    const v = await viewer(h, live.streamId, 'witness');
    const c = await chatter(live.streamId, 'bystander');
    const path = `/api/livestream/${live.streamId}/terminate`;
    const reason = { reason: 'Violates the community rules' };
    expect((await h.call('POST', path, { token: live.ownerToken, body: reason })).status).toBe(403);
    expect(
      (await h.call('POST', path, { token: await h.token('mod', ['moderator']), body: reason })).status,
    ).toBe(403);
    expect(
      await h.call('POST', path, { token: await h.token('root', ['admin']), body: reason }),
    ).toMatchObject({
      status: 200,
    });
    expect((await v.client.next('stream:ended')).data).toEqual({
      streamId: live.streamId,
      reason: 'terminated',
      message: 'Violates the community rules',
    });
    expect((await h.call('GET', `/api/livestream/${live.streamId}`)).body).toMatchObject({
      status: 'ended',
      endReason: 'terminated',
    });
    // The room is over too: the chat-only connection is told and closed.
    expect((await c.client.next('stream:ended')).data.reason).toBe('terminated');
    await c.client.closed;
  });
});
