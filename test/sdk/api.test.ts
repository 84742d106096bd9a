import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, LivestreamApi, LivestreamError } from '../../web/sdk/index.ts';
import { type SdkSession, sdkSession } from './support.ts';

let s: SdkSession;
beforeAll(async () => {
  s = await sdkSession();
});
afterAll(() => s?.close());

/** A rejection, for asserting on the error value itself. */
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );

describe('LivestreamApi against the local stack', () => {
  it('resolves each route with its JSON body', async () => {
    const { streamId, api } = await s.liveStream('alice', { recordingEnabled: true });
    expect((await api.getStream(streamId)).status).toBe('created');

    const { signaling } = await api.start(streamId);
    expect(signaling).toEqual({ url: expect.stringMatching(/^ws:\/\//), ticket: expect.any(String) });
    const listed = await api.listActive({ limit: 10 });
    expect(listed.streams.map((stream) => stream.streamId)).toContain(streamId);
    expect(listed.nextCursor).toBeNull();

    const bob = s.api('bob');
    const joined = await bob.join(streamId);
    expect(Object.keys(joined).sort()).toEqual(['iceServers', 'signaling', 'viewerId']);
    expect(await bob.ticket(streamId, { viewerId: joined.viewerId })).toEqual({
      url: signaling.url,
      ticket: expect.any(String),
    });
    const posted = await bob.postChat(streamId, 'hello');
    expect(posted).toMatchObject({ userId: 'bob', message: 'hello' });
    await until(async () => (await bob.chatHistory(streamId)).messages.length === 1);
    expect((await bob.chatHistory(streamId, { limit: 5 })).messages).toEqual([posted]);
    await expect(bob.leave(streamId, joined.viewerId)).resolves.toBeUndefined();
    const stats = await api.stats(streamId);
    expect(stats).toMatchObject({
      streamId,
      status: 'live',
      currentViewers: 0,
      totalViews: 1,
      uniqueViewers: 1,
    });
    expect(Object.keys(stats).sort()).toEqual(
      [
        'concurrency',
        'currentViewers',
        'endedAt',
        'peakViewers',
        'startedAt',
        'status',
        'streamId',
        'tiers',
        'totalViews',
        'uniqueViewers',
        'watchTime',
      ].sort(),
    );
    await expect(bob.stats(streamId)).rejects.toMatchObject({ status: 403, code: 'FORBIDDEN' });

    const opened = await api.openRecording(streamId, 'video/webm');
    expect(opened.upload.minPartBytes).toBe(5 * 1024 * 1024);
    expect((await api.getRecording(streamId)).recording.status).toBe('uploading');
    await expect(api.end(streamId)).resolves.toBeUndefined();
    expect((await api.getStream(streamId)).status).toBe('ended');
  });

  it('turns a 409 into an ApiError with the documented code, status and details', async () => {
    const { streamId, api } = await s.liveStream('carol');
    await api.start(streamId);

    const error = await failure(api.start(streamId));
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toBeInstanceOf(LivestreamError);
    expect(error).toMatchObject({ status: 409, code: 'STREAM_ALREADY_LIVE', retryAfterMs: undefined });
    expect((error as ApiError).message).toEqual(expect.any(String));
  });

  it('turns a 429 into an ApiError carrying retryAfterMs', async () => {
    const { streamId, api } = await s.liveStream('dave');
    await api.start(streamId);
    const erin = s.api('erin');
    // CHAT_RATE_LIMIT: 5 messages per user per stream per 10 s window.
    for (let i = 0; i < 5; i++) await erin.postChat(streamId, `message ${i}`);

    const error = await failure(erin.postChat(streamId, 'one too many'));
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    const { retryAfterMs, details } = error as ApiError;
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(10_000);
    expect(details).toEqual({ retryAfterMs });
  });

  it('turns a gateway 429 without the error body into THROTTLED, retryAfterMs from Retry-After', async () => {
    const throttled: typeof fetch = async () =>
      new Response('{"message":"Too Many Requests"}', { status: 429, headers: { 'Retry-After': '2' } });
    const api = new LivestreamApi({ baseUrl: 'http://127.0.0.1:1', fetch: throttled });

    const error = await failure(api.listActive());
    expect(error).toMatchObject({ status: 429, code: 'THROTTLED', retryAfterMs: 2000 });
  });

  it('turns a request that gets no answer into code NETWORK (status 0)', async () => {
    // A port that was free a moment ago: the connection is refused on loopback.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as { port: number };
        server.close(() => resolve(free));
      });
    });
    const api = new LivestreamApi({ baseUrl: `http://127.0.0.1:${port}` });

    const error = await failure(api.getStream('00000000-0000-4000-8000-000000000000'));
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 0, code: 'NETWORK' });
    expect((error as ApiError).cause).toBeInstanceOf(Error);
  });

  it('sends the token from a function before every call', async () => {
    let asked = 0;
    const api = new LivestreamApi({
      baseUrl: s.stack.url,
      token: async () => {
        asked++;
        return s.token('frank');
      },
    });
    const { streamId } = await api.createStream({ title: 'token check' });
    await api.start(streamId);
    expect(asked).toBe(2);
    const error = await failure(new LivestreamApi({ baseUrl: s.stack.url }).start(streamId));
    expect(error).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
  });
});

/** Polls an async condition (bounded: 100 tries, 20 ms apart). */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('condition never held');
}
