import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, inBatches } from './harness.ts';

let h: Awaited<ReturnType<typeof harness>>;
let live: { streamId: string; ownerToken: string };
beforeAll(async () => {
  // Paging needs 250 messages in one room quickly; the room's limit (10 a second) has its own
  // test (chat-room-rate). The per-user limit stays as deployed. Read at cold start.
  process.env.CHAT_ROOM_RATE_LIMIT = '1000';
  h = await harness();
  live = await h.newStream('chat-host', { start: true });
});
afterAll(async () => {
  await h.close();
  delete process.env.CHAT_ROOM_RATE_LIMIT;
});

const chatPath = (streamId: string) => `/api/livestream/${streamId}/chat`;
const post = async (user: string, message: unknown, streamId = live.streamId) =>
  h.call('POST', chatPath(streamId), { token: await h.token(user), body: { message } });

describe('chat over REST', () => {
  it('stores a message with a server timestamp and a time-ordered id, and returns it in the spec shape', async () => {
    const res = await post('ann', '  hello there  ');
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
      userId: 'ann',
      message: 'hello there',
      timestamp: expect.any(String),
    });
    expect(Math.abs(Date.parse(res.body.timestamp) - Date.now())).toBeLessThan(60_000);
    const history = await h.call('GET', `${chatPath(live.streamId)}?limit=1`, {
      token: await h.token('reader'),
    });
    expect(history.body.messages).toEqual([res.body]);
  });

  it('stores markup verbatim: escaping is the renderer’s job, never the store’s', async () => {
    const markup = '<img src=x onerror=alert(1)> & "quotes" \'too\'';
    const res = await post('mallory', markup);
    expect(res.body.message).toBe(markup);
    const history = await h.call('GET', `${chatPath(live.streamId)}?limit=1`, {
      token: await h.token('reader'),
    });
    expect(history.body.messages[0].message).toBe(markup);
  });

  it('pages 250 messages newest first without gaps or repeats', async () => {
    const stream = await h.newStream('busy-host', { start: true });
    // 50 users x 5 messages: everyone stays inside the per-user limit of 5 per 10 s.
    const sent = await inBatches(
      Array.from(
        { length: 250 },
        (_, i) => async () => (await post(`talker${i % 50}`, `m${i}`, stream.streamId)).body.id as string,
      ),
      10,
    );
    const token = await h.token('reader');
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const query: string = cursor ? `limit=100&before=${cursor}` : 'limit=100';
      const res = await h.call('GET', `${chatPath(stream.streamId)}?${query}`, { token });
      seen.push(...res.body.messages.map((m: { id: string }) => m.id));
      cursor = res.body.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
    expect(seen).toEqual([...sent].sort().reverse());
  });

  it('refuses past 5 messages per 10 s with 429 and Retry-After, storing only what it accepted', async () => {
    // Windows are fixed 10 s slots: 11 quick posts span at most two, so at most 10 can pass.
    const results = [];
    for (let i = 0; i < 11; i++) results.push(await post('eager', `n${i}`));
    const refused = results.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused[0]?.body.error.code).toBe('RATE_LIMITED');
    expect(Number(refused[0]?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const accepted = results.filter((r) => r.status === 201).map((r) => r.body.id);
    const history = await h.call('GET', `${chatPath(live.streamId)}?limit=100`, {
      token: await h.token('reader'),
    });
    const stored = history.body.messages
      .filter((m: { userId: string }) => m.userId === 'eager')
      .map((m: { id: string }) => m.id);
    expect(stored.sort()).toEqual(accepted.sort());
  });
});

describe('chat bad input', () => {
  const ended = { streamId: '' };
  beforeAll(async () => {
    const stream = await h.newStream('chat-ender', { start: true });
    await h.call('POST', `/api/livestream/${stream.streamId}/end`, { token: stream.ownerToken });
    ended.streamId = stream.streamId;
  });

  const cases: Array<
    [string, () => Promise<{ status: number; body: { error: { code: string } } }>, number, string]
  > = [
    ['an empty message', () => post('bad', ''), 400, 'VALIDATION_FAILED'],
    ['a whitespace-only message', () => post('bad', ' \n\t '), 400, 'VALIDATION_FAILED'],
    ['501 characters', () => post('bad', 'x'.repeat(501)), 400, 'VALIDATION_FAILED'],
    ['a number', () => post('bad', 42), 400, 'VALIDATION_FAILED'],
    ['an object', () => post('bad', { text: 'hi' }), 400, 'VALIDATION_FAILED'],
    ['a control character', () => post('bad', 'bell\u0007'), 400, 'VALIDATION_FAILED'],
    ['an oversized body', () => post('bad', 'x'.repeat(20_000)), 413, 'PAYLOAD_TOO_LARGE'],
    [
      'a body that is not JSON',
      async () =>
        h.call('POST', chatPath(live.streamId), {
          token: await h.token('bad'),
          rawBody: 'message=hi',
          headers: { 'Content-Type': 'application/json' },
        }),
      400,
      'INVALID_JSON',
    ],
    [
      'no token',
      () => h.call('POST', chatPath(live.streamId), { body: { message: 'hi' } }),
      401,
      'UNAUTHORIZED',
    ],
    ['an ended stream', () => post('bad', 'hello?', ended.streamId), 409, 'STREAM_ENDED'],
    ['an unknown stream', () => post('bad', 'hello?', randomUUID()), 404, 'STREAM_NOT_FOUND'],
    [
      'a forged history cursor',
      async () => h.call('GET', `${chatPath(live.streamId)}?before=abc`, { token: await h.token('bad') }),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'a history limit of 101',
      async () => h.call('GET', `${chatPath(live.streamId)}?limit=101`, { token: await h.token('bad') }),
      400,
      'VALIDATION_FAILED',
    ],
  ];

  it.each(cases)('refuses %s (%i %s) and stores nothing', async (_name, send, status, code) => {
    const before = await h.snapshot();
    const res = await send();
    expect({ status: res.status, code: res.body.error.code }).toEqual({ status, code });
    expect(await h.snapshot()).toEqual(before);
  });

  it('counts an emoji as one character', async () => {
    expect((await post('emoji', '😀'.repeat(500))).status).toBe(201);
  });
});
