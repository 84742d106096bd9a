import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness } from './harness.ts';

let h: Awaited<ReturnType<typeof harness>>;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

describe('stream lifecycle through the local API Gateway emulator', () => {
  it('runs the spec flow: create, start, active, join, leave, end', async () => {
    const alice = await h.token('alice');
    const bob = await h.token('bob');

    const created = await h.call('POST', '/api/livestream/create', {
      token: alice,
      body: { title: 'Morning run', description: 'Live from the park', recordingEnabled: true },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      streamId: expect.any(String),
      streamKey: expect.stringMatching(/^sk_/),
    });
    const { streamId } = created.body;

    const view = await h.call('GET', `/api/livestream/${streamId}`);
    expect(view.body).toMatchObject({ streamId, ownerId: 'alice', status: 'created', title: 'Morning run' });
    expect(JSON.stringify(view.body)).not.toMatch(/streamKey|sk_|liveShard/);

    expect(await h.call('POST', `/api/livestream/${streamId}/start`, { token: alice })).toMatchObject({
      status: 200,
      body: { success: true },
    });

    const active = await h.call('GET', '/api/livestream/active?limit=50&offset=0');
    expect(active.status).toBe(200);
    expect(active.body.streams.map((s: { streamId: string }) => s.streamId)).toContain(streamId);
    expect(JSON.stringify(active.body)).not.toMatch(/streamKey|sk_/);

    const joined = await h.call('POST', `/api/livestream/${streamId}/join`, { token: bob });
    expect(joined.status).toBe(200);
    expect(joined.body).toMatchObject({
      success: true,
      viewerId: expect.any(String),
      iceServers: [{ urls: 'stun:stun.l.google.com:19302' }, { urls: 'stun:stun1.l.google.com:19302' }],
    });
    expect((await h.call('GET', `/api/livestream/${streamId}`)).body).toMatchObject({
      viewerCount: 1,
      peakViewers: 1,
      totalViews: 1,
    });

    const leave = { token: bob, body: { viewerId: joined.body.viewerId } };
    expect(await h.call('POST', `/api/livestream/${streamId}/leave`, leave)).toMatchObject({
      status: 200,
      body: { success: true },
    });
    expect((await h.call('GET', `/api/livestream/${streamId}`)).body).toMatchObject({
      viewerCount: 0,
      peakViewers: 1,
    });

    const ended = await h.call('POST', `/api/livestream/${streamId}/end`, {
      token: alice,
      body: { recordingUrl: 'https://cdn.example.com/r/1.m3u8' },
    });
    expect(ended).toMatchObject({ status: 200, body: { success: true } });
    const after = await h.call('GET', `/api/livestream/${streamId}`);
    expect(after.body).toMatchObject({ status: 'ended', recordingUrl: 'https://cdn.example.com/r/1.m3u8' });
    expect(after.body.endedAt).toEqual(expect.any(String));

    const stillActive = await h.call('GET', '/api/livestream/active');
    expect(stillActive.body.streams.map((s: { streamId: string }) => s.streamId)).not.toContain(streamId);
  });

  it('ends on the spec body with recordingUrl null, as with no URL at all', async () => {
    const { streamId, ownerToken } = await h.newStream('gina', { start: true });
    const ended = await h.call('POST', `/api/livestream/${streamId}/end`, {
      token: ownerToken,
      body: { recordingUrl: null },
    });
    expect(ended).toMatchObject({ status: 200, body: { success: true } });
    expect((await h.call('GET', `/api/livestream/${streamId}`)).body).toMatchObject({
      status: 'ended',
      recordingUrl: null,
    });
  });

  it('records a viewing session per join with its watch time, and a second leave changes nothing', async () => {
    const { streamId } = await h.newStream('carol', { start: true });
    const dave = await h.token('dave');
    const { body } = await h.call('POST', `/api/livestream/${streamId}/join`, { token: dave });
    await h.call('POST', `/api/livestream/${streamId}/leave`, {
      token: dave,
      body: { viewerId: body.viewerId },
    });
    const once = await h.snapshot();
    const again = await h.call('POST', `/api/livestream/${streamId}/leave`, {
      token: dave,
      body: { viewerId: body.viewerId },
    });
    expect(again).toMatchObject({ status: 200, body: { success: true } });
    expect(await h.snapshot()).toEqual(once);
    const session = once.LivestreamViewers?.find(
      (row) => (row as { viewerId: string }).viewerId === body.viewerId,
    );
    expect(session).toMatchObject({
      streamId,
      userId: 'dave',
      joinedAt: expect.any(Number),
      watchMs: expect.any(Number),
    });
  });

  it('lets the stream key start a stream in place of the owner token, until it is rotated', async () => {
    const { streamId, streamKey, ownerToken } = await h.newStream('erin');
    const rotated = await h.call('POST', `/api/livestream/${streamId}/key`, { token: ownerToken });
    expect(rotated.status).toBe(200);
    expect(rotated.body.streamKey).not.toBe(streamKey);

    const withOldKey = await h.call('POST', `/api/livestream/${streamId}/start`, {
      headers: { 'X-Stream-Key': streamKey },
    });
    expect(withOldKey).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    const withNewKey = await h.call('POST', `/api/livestream/${streamId}/start`, {
      headers: { 'X-Stream-Key': rotated.body.streamKey },
    });
    expect(withNewKey).toMatchObject({ status: 200, body: { success: true } });
  });

  it('revokes the stream key when the stream ends', async () => {
    const { streamId, streamKey, ownerToken } = await h.newStream('frank', { start: true });
    await h.call('POST', `/api/livestream/${streamId}/end`, { token: ownerToken });
    const rows = await h.snapshot();
    const row = rows.Livestreams?.find((r) => (r as { streamId: string }).streamId === streamId);
    expect(row).not.toHaveProperty('streamKeyHash');
    const withKey = await h.call('POST', `/api/livestream/${streamId}/start`, {
      headers: { 'X-Stream-Key': streamKey },
    });
    expect(withKey.status).toBe(403);
    const rotate = await h.call('POST', `/api/livestream/${streamId}/key`, { token: ownerToken });
    expect(rotate).toMatchObject({ status: 409, body: { error: { code: 'STREAM_ENDED' } } });
  });

  it('pages through live streams newest first with a cursor, without gaps or repeats', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await h.newStream(`pager${i}`, { start: true })).streamId);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `limit=3&cursor=${encodeURIComponent(cursor)}` : 'limit=3';
      const page = await h.call('GET', `/api/livestream/active?${query}`);
      expect(page.status).toBe(200);
      expect(page.body.streams.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.streams.map((s: { streamId: string }) => s.streamId));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    expect(new Set(seen).size).toBe(seen.length);
    const started = await Promise.all(
      ids.map(async (id) => ({
        id,
        at: Date.parse((await h.call('GET', `/api/livestream/${id}`)).body.startedAt),
      })),
    );
    const newestFirst = started.sort((a, b) => b.at - a.at || a.id.localeCompare(b.id)).map((s) => s.id);
    expect(seen.filter((id) => ids.includes(id))).toEqual(newestFirst);

    const offset = await h.call('GET', '/api/livestream/active?limit=2&offset=1');
    expect(offset.body.streams.map((s: { streamId: string }) => s.streamId)).toEqual(seen.slice(1, 3));
  });
});
