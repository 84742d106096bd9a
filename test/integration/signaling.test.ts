import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
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

describe('signaling relay through the local WebSocket emulator', () => {
  it('relays offers, answers and candidates between a broadcaster and viewers who joined before and after it', async () => {
    const live = await liveStream(h, 'alice');
    const early1 = await viewer(h, live.streamId, 'early1');
    const early2 = await viewer(h, live.streamId, 'early2');
    expect(early1.client.frames.at(-1)?.data).toMatchObject({
      viewerId: early1.viewerId,
      broadcasterConnected: false,
    });

    const b = await SignalingClient.connect(live.url, live.ticket);
    b.send('stream:offer', {}, 'reg');
    const ack = await b.next('stream:offer:ack');
    expect(ack).toMatchObject({ data: { streamId: live.streamId }, ref: 'reg' });
    const waiting = [await b.next('stream:viewer:joined'), await b.next('stream:viewer:joined')];
    expect(waiting.map((f) => f.data.viewerId).sort()).toEqual([early1.viewerId, early2.viewerId].sort());
    expect(b.frames.findIndex((f) => f.event === 'stream:offer:ack')).toBe(0);

    const late = await viewer(h, live.streamId, 'late');
    expect((await b.next('stream:viewer:joined')).data).toEqual({ viewerId: late.viewerId });
    expect(late.client.frames.at(-1)?.data.broadcasterConnected).toBe(true);

    for (const v of [early1, early2, late]) {
      b.send('stream:offer:viewer', { viewerId: v.viewerId, offer: sdp('offer') });
      expect((await v.client.next('stream:offer:received')).data).toEqual({ offer: sdp('offer') });
      v.client.send('stream:answer', { streamId: live.streamId, answer: sdp('answer') });
      expect((await b.next('stream:answer:received')).data).toEqual({
        viewerId: v.viewerId,
        answer: sdp('answer'),
      });
      b.send('stream:ice-candidate', { viewerId: v.viewerId, candidate });
      expect((await v.client.next('stream:ice-candidate:received')).data).toEqual({ candidate });
      v.client.send('stream:ice-candidate', { candidate });
      expect((await b.next('stream:ice-candidate:received')).data).toEqual({
        viewerId: v.viewerId,
        candidate,
      });
    }
    expect(await view(live.streamId)).toMatchObject({ viewerCount: 3, peakViewers: 3 });

    early2.client.send('stream:leave', {});
    expect((await b.next('stream:viewer:left')).data).toEqual({ viewerId: early2.viewerId });
    await early1.client.close();
    expect((await b.next('stream:viewer:left')).data).toEqual({ viewerId: early1.viewerId });
    expect(await view(live.streamId)).toMatchObject({ viewerCount: 1 });

    b.send('stream:end', {});
    for (const client of [late.client, early2.client, b]) {
      expect((await client.next('stream:ended')).data).toEqual({ streamId: live.streamId, reason: 'ended' });
    }
    expect((await late.client.closed).code).toBeGreaterThan(0);
    expect(await view(live.streamId)).toMatchObject({ status: 'ended', endReason: 'ended', viewerCount: 0 });
    const rows = await h.snapshot();
    const sessions = rows.LivestreamViewers?.filter(
      (r) => (r as { streamId: string }).streamId === live.streamId,
    );
    expect(sessions?.every((s) => typeof (s as { leftAt?: number }).leftAt === 'number')).toBe(true);
    await b.close();
  });

  it('tells the broadcaster once when a viewer leaves over REST and then closes its socket', async () => {
    const live = await liveStream(h, 'rest-leaver-host');
    const b = await broadcaster(live.url, live.ticket);
    const v = await viewer(h, live.streamId, 'rest-leaver');
    await b.next('stream:viewer:joined');
    const left = await h.call('POST', `/api/livestream/${live.streamId}/leave`, {
      token: v.token,
      body: { viewerId: v.viewerId },
    });
    expect(left.status).toBe(200);
    expect((await b.next('stream:viewer:left')).data).toEqual({ viewerId: v.viewerId });
    await v.client.close();
    await settle();
    expect(b.frames.filter((f) => f.event === 'stream:viewer:left')).toHaveLength(1);
    expect(await view(live.streamId)).toMatchObject({ viewerCount: 0 });
    await b.close();
  });

  it('tells every viewer when the owner ends the stream over REST, and disconnects them', async () => {
    const live = await liveStream(h, 'rest-ender');
    const b = await broadcaster(live.url, live.ticket);
    const v = await viewer(h, live.streamId, 'watcher');
    await h.call('POST', `/api/livestream/${live.streamId}/end`, { token: live.ownerToken });
    expect((await v.client.next('stream:ended')).data).toEqual({ streamId: live.streamId, reason: 'ended' });
    await v.client.closed;
    await b.close();
  });

  it('refuses the upgrade without a ticket, with a tampered, expired or other-stream one, storing nothing', async () => {
    const live = await liveStream(h, 'gatekeeper');
    const before = await h.snapshot();
    await expect(SignalingClient.connect(live.url)).rejects.toThrow('401');
    const [v, payload, sig] = live.ticket.split('.');
    const tampered = `${v}.${payload}x.${sig}`;
    await expect(SignalingClient.connect(live.url, tampered)).rejects.toThrow('401');
    const { signTicket } = await import('../../functions/core/tickets.ts');
    const claims = {
      streamId: live.streamId,
      role: 'broadcaster' as const,
      userId: 'gatekeeper',
      via: 'owner' as const,
    };
    const expired = signTicket(process.env.SIGNALING_SECRET ?? '', claims, Date.now() - 120_000, 60);
    await expect(SignalingClient.connect(live.url, expired)).rejects.toThrow('401');
    const elsewhere = await liveStream(h, 'elsewhere');
    const otherStream = `${live.url}?streamId=${elsewhere.streamId}&ticket=${encodeURIComponent(live.ticket)}`;
    await expect(SignalingClient.connect(otherStream)).rejects.toThrow('401');
    const sameStream = `${live.url}?streamId=${live.streamId}&ticket=${encodeURIComponent(live.ticket)}`;
    await (await SignalingClient.connect(sameStream)).close();
    const rows = await h.snapshot();
    // The one accepted connect left its used-ticket row (a ticket opens one connection); its own
    // row goes with its $disconnect, which may still be under way.
    const added = rows.LivestreamConnections?.filter(
      (r) =>
        !('role' in (r as object)) &&
        !before.LivestreamConnections?.some((b) => JSON.stringify(b) === JSON.stringify(r)),
    );
    expect(added).toEqual([
      { connectionId: expect.stringMatching(/^ticket#/), expiresAt: expect.any(Number) },
    ]);
    expect(rows.LivestreamViewers).toEqual(before.LivestreamViewers);
  });
});

describe('a target that is gone (its $disconnect was lost)', () => {
  const point = (table: string, key: Record<string, string>, field: string) =>
    h.db.send(
      new UpdateCommand({
        TableName: table,
        Key: key,
        UpdateExpression: `SET ${field} = :dead`,
        ExpressionAttributeValues: { ':dead': 'ZGVhZGRlYWQ=' },
      }),
    );

  it('drops a gone viewer (counted out, session closed) and tells the broadcaster PEER_GONE', async () => {
    const live = await liveStream(h, 'gone-viewer-host');
    const b = await broadcaster(live.url, live.ticket);
    const v = await viewer(h, live.streamId, 'ghost');
    await point('LivestreamViewers', { streamId: live.streamId, viewerId: v.viewerId }, 'connectionId');

    const reply = await b.request('stream:offer:viewer', { viewerId: v.viewerId, offer: sdp('offer') }, 'g1');
    expect(reply.data.code).toBe('PEER_GONE');
    expect(await view(live.streamId)).toMatchObject({ viewerCount: 0 });
    const again = await b.request('stream:offer:viewer', { viewerId: v.viewerId, offer: sdp('offer') }, 'g2');
    expect(again.data.code).toBe('VIEWER_NOT_FOUND');
    await Promise.all([b.close(), v.client.close()]);
  });

  it('drops a gone broadcaster as if it had disconnected, and tells the viewer PEER_GONE', async () => {
    const live = await liveStream(h, 'gone-host');
    const b = await broadcaster(live.url, live.ticket);
    const v = await viewer(h, live.streamId, 'orphan');
    await point('Livestreams', { streamId: live.streamId }, 'broadcasterConnectionId');

    const reply = await v.client.request('stream:answer', { answer: sdp('answer') }, 'g3');
    expect(reply.data.code).toBe('PEER_GONE');
    expect((await v.client.next('stream:broadcaster:left')).data.graceSeconds).toBeGreaterThan(0);
    const next = await v.client.request('stream:answer', { answer: sdp('answer') }, 'g4');
    expect(next.data.code).toBe('BROADCASTER_NOT_CONNECTED');
    await Promise.all([b.close(), v.client.close()]);
  });
});

describe('who may reach whom', () => {
  it('answers every forbidden or malformed frame with a precise error and relays nothing', async () => {
    const a = await liveStream(h, 'owner-a');
    const other = await liveStream(h, 'owner-b');
    const b = await broadcaster(a.url, a.ticket);
    const bOther = await broadcaster(other.url, other.ticket);
    const v1 = await viewer(h, a.streamId, 'v-one');
    const v2 = await viewer(h, a.streamId, 'v-two');
    const foreign = await viewer(h, other.streamId, 'v-foreign');
    await settle();
    const before = await h.snapshot();
    const counts = [b, bOther, v1.client, v2.client, foreign.client].map((c) => c.frames.length);

    const cases: Array<[SignalingClient, string, unknown, string]> = [
      [v1.client, 'stream:offer:viewer', { viewerId: v2.viewerId, offer: sdp('offer') }, 'WRONG_ROLE'],
      [v1.client, 'stream:ice-candidate', { viewerId: v2.viewerId, candidate }, 'WRONG_PEER'],
      [v1.client, 'stream:end', {}, 'WRONG_ROLE'],
      [b, 'stream:answer', { answer: sdp('answer') }, 'WRONG_ROLE'],
      [b, 'stream:offer:viewer', { viewerId: foreign.viewerId, offer: sdp('offer') }, 'VIEWER_NOT_FOUND'],
      [b, 'stream:ice-candidate', { viewerId: crypto.randomUUID(), candidate }, 'VIEWER_NOT_FOUND'],
      [v1.client, 'stream:answer', { streamId: other.streamId, answer: sdp('answer') }, 'WRONG_STREAM'],
      [v1.client, 'stream:answer', { answer: { type: 'offer', sdp: 'x' } }, 'INVALID_FRAME'],
      [v1.client, 'stream:answer', {}, 'INVALID_FRAME'],
      [b, 'stream:offer:viewer', { viewerId: v1.viewerId, offer: sdp('offer', 17_000) }, 'SDP_TOO_LARGE'],
      [b, 'stream:teleport', {}, 'UNKNOWN_ACTION'],
    ];
    for (const [i, [client, action, data, code]] of cases.entries()) {
      const reply = await client.request(action, data, `case-${i}`);
      expect({ action, event: reply.event, code: reply.data.code }).toEqual({
        action,
        event: 'stream:error',
        code,
      });
      expect(reply.data.message.length).toBeGreaterThan(5);
    }
    // Refused before it is parsed, so its ref cannot be echoed.
    v1.client.send('stream:answer', { answer: sdp('answer', 33_000) }, 'big');
    const tooBig = await v1.client.waitFor(
      (f) => f.data.code === 'FRAME_TOO_LARGE',
      'FRAME_TOO_LARGE',
      5000,
      false,
    );
    expect(tooBig.event).toBe('stream:error');

    await settle();
    // Nobody but the senders received anything (their replies); nothing stored changed.
    const replies = [b, bOther, v1.client, v2.client, foreign.client].map(
      (c, i) => c.frames.length - (counts[i] ?? 0),
    );
    expect(replies).toEqual([5, 0, 7, 0, 0]);
    expect(await h.snapshot()).toEqual(before);
    await Promise.all([b, bOther, v1.client, v2.client, foreign.client].map((c) => c.close()));
  });

  it("relays the spec's broadcaster candidate with no viewerId to every viewer of the stream, only from the registered broadcaster", async () => {
    const live = await liveStream(h, 'unnamed-candidates');
    const b = await broadcaster(live.url, live.ticket);
    const viewers = [await viewer(h, live.streamId, 'u-one'), await viewer(h, live.streamId, 'u-two')];
    const elsewhere = await liveStream(h, 'unnamed-elsewhere');
    const outsider = await viewer(h, elsewhere.streamId, 'u-outsider');
    b.send('stream:ice-candidate', { streamId: live.streamId, candidate });
    for (const v of viewers) {
      expect((await v.client.next('stream:ice-candidate:received')).data).toEqual({ candidate });
    }
    // A second broadcaster socket of the same owner that never registered reaches nobody.
    const spare = await h.call('POST', `/api/livestream/${live.streamId}/ticket`, {
      token: live.ownerToken,
      body: {},
    });
    const unregistered = await SignalingClient.connect(spare.body.signaling.url, spare.body.signaling.ticket);
    const refused = await unregistered.request('stream:ice-candidate', { candidate }, 'unregistered');
    expect(refused.data.code).toBe('NOT_BROADCASTER');
    await settle();
    for (const v of viewers)
      expect(v.client.frames.filter((f) => f.event === 'stream:ice-candidate:received')).toHaveLength(1);
    expect(outsider.client.frames.filter((f) => f.event === 'stream:ice-candidate:received')).toHaveLength(0);
    await Promise.all(
      [b, unregistered, outsider.client, ...viewers.map((v) => v.client)].map((c) => c.close()),
    );
  });

  it('limits a connection to its frame budget with RATE_LIMITED and a retry time', async () => {
    const live = await liveStream(h, 'limits');
    const v = await viewer(h, live.streamId, 'chatty');
    const replies = await Promise.all(
      Array.from({ length: 15 }, (_, i) =>
        v.client.request('stream:answer', { answer: sdp('answer') }, `r${i}`),
      ),
    );
    const limited = replies.filter((r) => r.data.code === 'RATE_LIMITED');
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]?.data.retryAfterMs).toBeGreaterThan(0);
    await v.client.close();
  });
});
