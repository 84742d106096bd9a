import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignalingClient } from '../support/signaling-client.ts';
import { harness } from './harness.ts';
import { broadcaster, candidate, liveStream, sdp, settle, viewer } from './signaling-scene.ts';

let h: Awaited<ReturnType<typeof harness>>;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

const view = async (streamId: string) => (await h.call('GET', `/api/livestream/${streamId}`)).body;
const events = (client: SignalingClient, event: string) => client.frames.filter((f) => f.event === event);

/** A live stream started with the stream key alone (an encoder), and that broadcaster's ticket. */
async function keyStarted(owner: string) {
  const { streamId, streamKey, ownerToken } = await h.newStream(owner);
  const started = await h.call('POST', `/api/livestream/${streamId}/start`, {
    headers: { 'X-Stream-Key': streamKey },
  });
  expect(started.status).toBe(200);
  const { url, ticket } = started.body.signaling as { url: string; ticket: string };
  return { streamId, streamKey, ownerToken, url, ticket };
}

describe('a broadcaster connection opened with the stream key alone', () => {
  it('broadcasts, but cannot end the stream or chat as the owner (finding 1)', async () => {
    const live = await keyStarted('encoder-owner');
    const b = await broadcaster(live.url, live.ticket);
    b.send('stream:end', {}, 'end');
    expect((await b.next('stream:error')).data).toMatchObject({ code: 'OWNER_REQUIRED', ref: 'end' });
    b.send('chat:message', { message: 'hi as the owner' }, 'chat');
    expect((await b.next('stream:error')).data).toMatchObject({ code: 'OWNER_REQUIRED', ref: 'chat' });
    expect(await view(live.streamId)).toMatchObject({ status: 'live' });

    // The same through a reissued ticket: a key still proves only "may broadcast".
    const reissued = await h.call('POST', `/api/livestream/${live.streamId}/ticket`, {
      headers: { 'X-Stream-Key': live.streamKey },
      body: {},
    });
    const again = await SignalingClient.connect(reissued.body.signaling.url, reissued.body.signaling.ticket);
    again.send('stream:end', {}, 'end2');
    expect((await again.next('stream:error')).data).toMatchObject({ code: 'OWNER_REQUIRED' });
    expect(await view(live.streamId)).toMatchObject({ status: 'live' });

    // The owner's own ticket still ends it.
    const owner = await h.call('POST', `/api/livestream/${live.streamId}/ticket`, {
      token: live.ownerToken,
      body: {},
    });
    const ownerSocket = await SignalingClient.connect(owner.body.signaling.url, owner.body.signaling.ticket);
    ownerSocket.send('stream:end', {});
    await ownerSocket.next('stream:ended');
    expect(await view(live.streamId)).toMatchObject({ status: 'ended' });
    await Promise.all([b.close(), again.close(), ownerSocket.close()]);
  });

  it('loses every right the moment the key is rotated (finding 2)', async () => {
    const live = await keyStarted('rotator');
    // A second ticket minted with the old key before the rotation, used after it.
    const spare = await h.call('POST', `/api/livestream/${live.streamId}/ticket`, {
      headers: { 'X-Stream-Key': live.streamKey },
      body: {},
    });
    const b = await broadcaster(live.url, live.ticket);
    const v = await viewer(h, live.streamId, 'rotation-watcher');
    await b.next('stream:viewer:joined');

    const rotated = await h.call('POST', `/api/livestream/${live.streamId}/key`, { token: live.ownerToken });
    expect(rotated.status).toBe(200);

    b.send('stream:offer:viewer', { viewerId: v.viewerId, offer: sdp('offer') }, 'offer');
    expect((await b.next('stream:error')).data).toMatchObject({ code: 'KEY_REVOKED', ref: 'offer' });
    b.send('stream:ice-candidate', { viewerId: v.viewerId, candidate }, 'ice');
    expect((await b.next('stream:error')).data).toMatchObject({ code: 'KEY_REVOKED', ref: 'ice' });
    v.client.send('stream:answer', { answer: sdp('answer') }, 'answer');
    expect((await v.client.next('stream:error')).data).toMatchObject({ code: 'BROADCASTER_NOT_CONNECTED' });
    b.send('stream:offer', {}, 're-register');
    expect((await b.next('stream:error')).data).toMatchObject({ code: 'KEY_REVOKED', ref: 're-register' });

    const late = await SignalingClient.connect(spare.body.signaling.url, spare.body.signaling.ticket);
    late.send('stream:offer', {}, 'late');
    expect((await late.next('stream:error')).data).toMatchObject({ code: 'KEY_REVOKED', ref: 'late' });

    // A newcomer is never announced to the revoked connection.
    const newcomer = await viewer(h, live.streamId, 'after-rotation');
    expect(newcomer.client.frames.at(-1)?.data).toMatchObject({ broadcasterConnected: false });
    await settle();
    expect(events(v.client, 'stream:offer:received')).toHaveLength(0);
    expect(events(v.client, 'stream:ice-candidate:received')).toHaveLength(0);
    expect(events(b, 'stream:answer:received')).toHaveLength(0);
    expect(events(b, 'stream:viewer:joined')).toHaveLength(1);

    // The new key works at once.
    const fresh = await h.call('POST', `/api/livestream/${live.streamId}/ticket`, {
      headers: { 'X-Stream-Key': rotated.body.streamKey },
      body: {},
    });
    const b2 = await broadcaster(fresh.body.signaling.url, fresh.body.signaling.ticket);
    const announced = [await b2.next('stream:viewer:joined'), await b2.next('stream:viewer:joined')];
    expect(announced.map((f) => f.data.viewerId).sort()).toEqual([v.viewerId, newcomer.viewerId].sort());
    await Promise.all([b.close(), b2.close(), late.close(), v.client.close(), newcomer.client.close()]);
  });
});

describe('a viewer connection', () => {
  it('reaches the broadcaster only with its session open and joined on this connection (finding 3)', async () => {
    const live = await liveStream(h, 'session-host');
    const b = await broadcaster(live.url, live.ticket);
    const token = await h.token('early-answerer');
    const joined = await h.call('POST', `/api/livestream/${live.streamId}/join`, { token });
    const socket = await SignalingClient.connect(joined.body.signaling.url, joined.body.signaling.ticket);
    socket.send('stream:answer', { answer: sdp('answer') }, 'before-join');
    expect((await socket.next('stream:error')).data).toMatchObject({
      code: 'NOT_JOINED',
      ref: 'before-join',
    });

    socket.send('stream:join', {});
    await socket.next('stream:join:ack');
    await b.next('stream:viewer:joined');
    const left = await h.call('POST', `/api/livestream/${live.streamId}/leave`, {
      token,
      body: { viewerId: joined.body.viewerId },
    });
    expect(left.status).toBe(200);
    socket.send('stream:answer', { answer: sdp('answer') }, 'after-leave');
    expect((await socket.next('stream:error')).data).toMatchObject({
      code: 'SESSION_CLOSED',
      ref: 'after-leave',
    });
    socket.send('stream:ice-candidate', { candidate }, 'ice-after-leave');
    expect((await socket.next('stream:error')).data).toMatchObject({ code: 'SESSION_CLOSED' });

    // Its ticket cannot reopen a connection, and no fresh one is issued for the closed session.
    await expect(
      SignalingClient.connect(joined.body.signaling.url, joined.body.signaling.ticket),
    ).rejects.toThrow('401');
    const reissue = await h.call('POST', `/api/livestream/${live.streamId}/ticket`, {
      token,
      body: { viewerId: joined.body.viewerId },
    });
    expect(reissue.body.error.code).toBe('SESSION_CLOSED');
    await settle();
    expect(events(b, 'stream:answer:received')).toHaveLength(0);
    expect(events(b, 'stream:ice-candidate:received')).toHaveLength(0);
    await Promise.all([b.close(), socket.close()]);
  });
});

describe('a ticket', () => {
  it('opens one connection: a second connect with it is refused, so its frame budget cannot multiply (finding 4)', async () => {
    const live = await liveStream(h, 'one-socket-host');
    const b = await broadcaster(live.url, live.ticket);
    const v = await viewer(h, live.streamId, 'one-socket');
    const refused = await Promise.allSettled(
      Array.from({ length: 20 }, () => SignalingClient.connect(live.url, v.ticket)),
    );
    expect(refused.map((r) => r.status)).toEqual(Array(20).fill('rejected'));
    const second = await Promise.allSettled([SignalingClient.connect(live.url, live.ticket)]);
    expect(second[0]?.status).toBe('rejected');
    // Two connects racing with one fresh ticket: exactly one wins.
    const fresh = await h.call('POST', `/api/livestream/${live.streamId}/ticket`, {
      token: live.ownerToken,
      body: {},
    });
    const race = await Promise.allSettled([
      SignalingClient.connect(fresh.body.signaling.url, fresh.body.signaling.ticket),
      SignalingClient.connect(fresh.body.signaling.url, fresh.body.signaling.ticket),
    ]);
    expect(race.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of race) if (r.status === 'fulfilled') await r.value.close();
    await Promise.all([b.close(), v.client.close()]);
  });
});
