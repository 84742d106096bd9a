import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditDelivery,
  type ChatMember,
  chatMember,
  clean,
  frameCounts,
  messagesOf,
  type PostedMessage,
  spread,
  until,
} from '../support/chat-members.ts';
import { harness, inBatches } from './harness.ts';
import { liveStream, settle } from './signaling-scene.ts';

/*
 * Which chat frames a room member gets depends on how it joined: a client written from the spec
 * (`join-livestream` with no `batch`) gets the spec's `chat:message {id, userId, message,
 * timestamp}`, one message per frame, and never anything else; a client that sent
 * `join-livestream {batch: true}` (the SDK) gets runs of messages coalesced into `chat:messages`.
 * Both kinds share one room and one burst here, so the same fan-out batches serve both.
 */

const SPEC_CLIENTS = 50;
const BATCH_CLIENTS = 10;
const SENDERS = 10;
const PER_SENDER = 10;
const BURST = SENDERS * PER_SENDER;

let h: Awaited<ReturnType<typeof harness>>;
beforeAll(async () => {
  // The burst needs 10 posts from each sender and 100 in the room within a second or two; the
  // per-user and per-room limits have their own tests (chat-live, chat-room-rate). Handlers read
  // them at cold start: set before the stack runs.
  process.env.CHAT_RATE_LIMIT = '1000';
  process.env.CHAT_ROOM_RATE_LIMIT = '1000';
  h = await harness();
});
afterAll(async () => {
  await h?.close();
  delete process.env.CHAT_RATE_LIMIT;
  delete process.env.CHAT_ROOM_RATE_LIMIT;
});

const post = (streamId: string, token: string, message: string) =>
  h.call('POST', `/api/livestream/${streamId}/chat`, { token, body: { message } });

describe(`a ${BURST}-message burst into one room of ${SPEC_CLIENTS} spec clients and ${BATCH_CLIENTS} that asked for batches`, () => {
  let streamId: string;
  const spec: ChatMember[] = [];
  const batched: ChatMember[] = [];
  /** What each sender was answered (201 bodies), in its posting order. */
  let bySender: PostedMessage[][] = [];

  beforeAll(async () => {
    ({ streamId } = await liveStream(h, 'frames-host'));
    const joins = await inBatches(
      [
        // A spec client names its stream, or sends no data at all: both are spec-shaped joins.
        ...Array.from(
          { length: SPEC_CLIENTS },
          (_, i) => () => chatMember(h, streamId, `spec-${i}`, i % 2 ? { streamId } : {}),
        ),
        ...Array.from(
          { length: BATCH_CLIENTS },
          (_, i) => () => chatMember(h, streamId, `batched-${i}`, { streamId, batch: true }),
        ),
      ],
      20,
    );
    for (const [i, j] of joins.entries()) {
      expect(j.joined).toMatchObject({ event: 'chat:joined', data: { streamId } });
      (i < SPEC_CLIENTS ? spec : batched).push(j.member);
    }

    // Every sender at once, each one post at a time (so its own order is defined).
    const tokens = await Promise.all(Array.from({ length: SENDERS }, (_, i) => h.token(`burst-${i}`)));
    bySender = await Promise.all(
      tokens.map(async (token, sender) => {
        const answered: PostedMessage[] = [];
        for (let seq = 0; seq < PER_SENDER; seq++) {
          const res = await post(streamId, token, `sender ${sender} message ${seq}`);
          expect(res.status).toBe(201);
          answered.push(res.body);
        }
        return answered;
      }),
    );
    await h.stack.streams.idle();
    await until(() => [...spec, ...batched].every((m) => messagesOf(m).length >= BURST), 15_000);
    await settle(200); // a duplicate would have landed by now
  }, 120_000);

  afterAll(() => Promise.all([...spec, ...batched].map((m) => m.socket.close())));

  it('gives a connection that joined without `batch` exactly one spec `chat:message` frame per message, never `chat:messages`', () => {
    expect(spec).toHaveLength(SPEC_CLIENTS);
    const counts = spec.map(frameCounts);
    console.info('spec clients, 100-message burst:', JSON.stringify(spread(counts)));
    expect(counts.filter((c) => c.frames !== BURST || c.single !== BURST)).toEqual([]);
    expect(counts.filter((c) => c.coalesced > 0 || c.notSpecShaped > 0)).toEqual([]);
    const wrong = spec.map((m) => ({ userId: m.userId, ...auditDelivery(messagesOf(m), bySender) }));
    expect(wrong.filter((a) => !clean(a))).toEqual([]);
  });

  it('gives a connection that joined with `batch: true` the same messages in fewer frames (`chat:messages`)', () => {
    expect(batched).toHaveLength(BATCH_CLIENTS);
    const counts = batched.map(frameCounts);
    console.info('batched clients, 100-message burst:', JSON.stringify(spread(counts)));
    // Coalesced: each got at least one `chat:messages`, and fewer frames than messages.
    expect(counts.filter((c) => c.coalesced === 0 || c.frames >= BURST)).toEqual([]);
    const wrong = batched.map((m) => ({ userId: m.userId, ...auditDelivery(messagesOf(m), bySender) }));
    expect(wrong.filter((a) => !clean(a))).toEqual([]);
  });
});

describe('the `batch` preference', () => {
  it('is the last join’s: joining again without it brings back one frame per message', async () => {
    const { streamId } = await liveStream(h, 'rejoin-host');
    const { member } = await chatMember(h, streamId, 'rejoiner', { streamId, batch: true });
    const again = await member.socket.request('join-livestream', { streamId }, 'again');
    expect(again.frame).toMatchObject({ event: 'chat:joined', data: { streamId } });

    // Posted at once, so the fan-out sees them together: a batched member would get one frame.
    const token = await h.token('rejoin-poster');
    const posted = await Promise.all(['one', 'two', 'three'].map((text) => post(streamId, token, text)));
    await h.stack.streams.idle();
    await until(() => messagesOf(member).length >= 3, 5_000);
    await settle();
    expect(member.frames.map((f) => f.event)).toEqual(['chat:message', 'chat:message', 'chat:message']);
    expect(new Set(messagesOf(member).map((m) => m.id))).toEqual(new Set(posted.map((p) => p.body.id)));
    await member.socket.close();
  });

  it('must be a boolean: anything else is INVALID_FRAME', async () => {
    const { streamId } = await liveStream(h, 'bad-batch-host');
    const { member } = await chatMember(h, streamId, 'bad-batcher', { streamId });
    const reply = await member.socket.request('join-livestream', { streamId, batch: 'yes' }, 'bad');
    expect(reply.frame).toMatchObject({ event: 'stream:error', data: { code: 'INVALID_FRAME' } });
    expect(reply.frame.data.message).toContain('batch');
    await member.socket.close();
  });
});
