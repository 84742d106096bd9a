import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatFrameKind, connectChatListener } from '../support/chat-listener.ts';
import type { LightSocket } from '../support/light-socket.ts';
import { harness, inBatches } from './harness.ts';
import { liveStream } from './signaling-scene.ts';

/*
 * One live stream's chat room with 1,000 chat-only connections: a single message, then a flood of
 * 200 messages a second from 20 senders for 10 s, all through the local stack (the chat table's
 * stream feeds the fan-out, which posts to every member through @connections). Everything runs in
 * this one process: the stack, its handlers, dynalite and the 1,000 clients.
 *
 * Two kinds of member: most joined with `batch: true` (as the SDK does) and get coalesced
 * `chat:messages`; one in 200 joined as a client written from the spec (no `batch`) and gets the
 * spec's `chat:message`, one frame per message. Few of those: each spec member is sent the flood's
 * 2,000 frames one after another (its order depends on it), which is what makes this flood, with
 * the room's limit lifted, take longer than the coalesced delivery alone would.
 */

const MEMBERS = 1_000;
/** Every 200th member is a spec client: 5 of the 1,000 (their sends overlap; 5 cost hardly more than 1). */
const SPEC_EVERY = 200;
const isSpecMember = (i: number) => i % SPEC_EVERY === 0;
/** Connections opened at a time (token, chat ticket, upgrade, `join-livestream`). */
const OPEN_WIDTH = 50;
const SENDERS = 20;
const FLOOD_SECONDS = 10;
/** Each sender posts every 100 ms, one post at a time: 20 senders make 200 messages a second. */
const SEND_EVERY_MS = 100;
const PER_SENDER = (FLOOD_SECONDS * 1000) / SEND_EVERY_MS;
/**
 * The fan-out batches by a 0.25 s window: at most 4 frames a second reach a member that asked for
 * batches; 5 is the bound. A spec client gets one frame per message instead (its bound is the
 * room's message rate: chat-room-rate.test.ts).
 */
const MAX_FRAMES_PER_SECOND = 5;

/** A chat message as the room pushes it and as POST answers it: the spec's shape. */
interface ChatMessage {
  id: string;
  userId: string;
  message: string;
  timestamp: string;
}

const SPEC_KEYS = ['id', 'message', 'timestamp', 'userId'].join();

function isSpecMessage(value: unknown): value is ChatMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  return (
    Object.keys(m).sort().join() === SPEC_KEYS &&
    typeof m.id === 'string' &&
    typeof m.userId === 'string' &&
    typeof m.message === 'string' &&
    typeof m.timestamp === 'string' &&
    new Date(m.timestamp).toISOString() === m.timestamp
  );
}

/**
 * Every message seen, posted or pushed, numbered once: members keep numbers rather than a thousand
 * copies of each message. The first copy of an id is checked against the spec's shape; a later
 * copy that differs from it in any field (or has other fields) is noted as a conflict.
 */
class Catalog {
  readonly conflicts: string[] = [];
  private readonly numbers = new Map<string, number>();
  private readonly messages: ChatMessage[] = [];

  /** The message's number, or undefined when it is not a chat message in the spec's shape. */
  number(value: unknown): number | undefined {
    const id = (value as { id?: unknown } | null)?.id;
    const known = typeof id === 'string' ? this.numbers.get(id) : undefined;
    if (known === undefined) {
      if (!isSpecMessage(value)) return undefined;
      this.numbers.set(value.id, this.messages.length);
      return this.messages.push(value) - 1;
    }
    const first = this.messages[known] as ChatMessage;
    const m = value as ChatMessage;
    const same =
      m.userId === first.userId &&
      m.message === first.message &&
      m.timestamp === first.timestamp &&
      Object.keys(m).length === 4;
    if (!same) this.conflicts.push(`${JSON.stringify(first)} vs ${JSON.stringify(m)}`);
    return known;
  }
}

/** What one connection received: catalogue numbers in arrival order, and frames counted. */
class Inbox {
  readonly received: number[] = [];
  readonly malformed: unknown[] = [];
  /** Frames that carried chat messages (`chat:message` or `chat:messages`). */
  chatFrames = 0;
  /** Of those, the coalesced ones (`chat:messages`). */
  coalescedFrames = 0;
  /** `performance.now()` at the last of them. */
  lastChatAt = 0;
  /** Chat frames per second of arrival (whole seconds of `performance.now()`). */
  readonly perSecond = new Map<number, number>();

  constructor(private readonly catalog: Catalog) {}

  readonly take = (messages: unknown[], kind: ChatFrameKind): void => {
    this.chatFrames++;
    if (kind === 'chat:messages') this.coalescedFrames++;
    this.lastChatAt = performance.now();
    const second = Math.floor(this.lastChatAt / 1000);
    this.perSecond.set(second, (this.perSecond.get(second) ?? 0) + 1);
    for (const m of messages) {
      const n = this.catalog.number(m);
      if (n === undefined) this.malformed.push(m);
      else this.received.push(n);
    }
  };
}

interface Member {
  userId: string;
  /** Joined with `batch: true`; the others joined as a spec client. */
  batch: boolean;
  listener: LightSocket;
  inbox: Inbox;
}

/** Where a flood message belongs: its sender and its place in that sender's posts. */
interface Origin {
  sender: number;
  seq: number;
}

/** What a member got wrong during the flood (all zero when right), and how many chat frames it got. */
interface Audit {
  missing: number;
  duplicates: number;
  outOfOrder: number;
  unexpected: number;
  malformed: number;
  frames: number;
  coalescedFrames: number;
}

/**
 * One member's flood, from where its inbox stood when the flood began: every accepted message
 * exactly once, nothing else, each sender's messages in the order that sender posted them.
 */
function audit(
  inbox: Inbox,
  from: { received: number; frames: number; coalesced: number },
  accepted: Map<number, Origin>,
) {
  const seen = new Set<number>();
  const lastSeq = new Array<number>(SENDERS).fill(-1);
  const result: Audit = {
    missing: 0,
    duplicates: 0,
    outOfOrder: 0,
    unexpected: 0,
    malformed: 0,
    frames: 0,
    coalescedFrames: 0,
  };
  for (const n of inbox.received.slice(from.received)) {
    const origin = accepted.get(n);
    if (!origin) result.unexpected++;
    else if (seen.has(n)) result.duplicates++;
    else {
      seen.add(n);
      const last = lastSeq[origin.sender] ?? -1;
      if (origin.seq < last) result.outOfOrder++;
      lastSeq[origin.sender] = Math.max(origin.seq, last);
    }
  }
  result.missing = accepted.size - seen.size;
  result.malformed = inbox.malformed.length;
  result.frames = inbox.chatFrames - from.frames;
  result.coalescedFrames = inbox.coalescedFrames - from.coalesced;
  return result;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** `work`, or a rejection naming `what` after `ms`. */
async function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `done` every 50 ms until it holds or `ms` pass (the assertions after it say what is missing). */
async function until(done: () => boolean, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (!done() && performance.now() < deadline) await sleep(50);
}

const secondsSince = (fromMs: number, toMs = performance.now()) => Math.round(toMs - fromMs) / 1000;

let h: Awaited<ReturnType<typeof harness>>;
let streamId: string;
const catalog = new Catalog();
const members: Member[] = [];
/** What was measured, printed at the end: where the time goes. */
const report: Record<string, unknown> = {};

beforeAll(async () => {
  // The per-user limit (5 messages per 10 s) is tested in chat-rest.test.ts and the room's (10 a
  // second) in chat-room-rate.test.ts; this flood needs 10 messages a second from each sender, 200
  // in the room. Handlers read them at cold start: set before the stack runs.
  process.env.CHAT_RATE_LIMIT = '1000';
  process.env.CHAT_ROOM_RATE_LIMIT = '1000';
  h = await harness();
  ({ streamId } = await liveStream(h, 'scale-host'));
});

afterAll(async () => {
  const closing = performance.now();
  const closed = Promise.all(members.map((m) => m.listener.close()));
  await within(closed, 30_000, 'closing the members').catch(() => {});
  await h?.close();
  delete process.env.CHAT_RATE_LIMIT;
  delete process.env.CHAT_ROOM_RATE_LIMIT;
  report.closeSeconds = secondsSince(closing);
  console.info('chat scale:', JSON.stringify(report));
});

const post = async (token: string, message: string) =>
  h.call('POST', `/api/livestream/${streamId}/chat`, { token, body: { message } });

/**
 * A chat-only connection in the room: chat ticket, upgrade, `join-livestream` (-> `chat:joined`),
 * with `batch: true` or, as a client written from the spec, without it.
 */
async function joinRoom(userId: string, batch: boolean): Promise<{ member: Member; joined: unknown }> {
  const token = await h.token(userId);
  const res = await h.call('POST', `/api/livestream/${streamId}/chat/ticket`, { token, body: {} });
  if (res.status !== 200) {
    throw new Error(`chat ticket for ${userId}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  const inbox = new Inbox(catalog);
  const listener = await connectChatListener(res.body.signaling.url, res.body.signaling.ticket, inbox.take);
  const member = { userId, batch, listener, inbox };
  members.push(member);
  const join = batch ? { streamId, batch: true } : { streamId };
  const { frame: joined } = await listener.request('join-livestream', join, 'join', 10_000);
  return { member, joined };
}

/**
 * 20 senders, each posting every 100 ms for 10 s (staggered 5 ms apart), one post at a time so
 * each sender's own order is defined. A sender that falls behind posts its next at once.
 */
async function flood() {
  const tokens = await Promise.all(Array.from({ length: SENDERS }, (_, i) => h.token(`sender-${i}`)));
  const start = performance.now();
  let maxLagMs = 0;
  const bySender = await Promise.all(
    tokens.map(async (token, sender) => {
      const responses: Array<{ status: number; body: unknown }> = [];
      for (let seq = 0; seq < PER_SENDER; seq++) {
        const due = start + seq * SEND_EVERY_MS + (sender * SEND_EVERY_MS) / SENDERS;
        maxLagMs = Math.max(maxLagMs, performance.now() - due);
        await sleep(due - performance.now());
        const res = await post(token, `sender ${sender} message ${seq}`);
        responses.push({ status: res.status, body: res.body });
      }
      return responses;
    }),
  );
  const end = performance.now();
  /** Each 201's message by number, with its sender and its place in that sender's posts. */
  const accepted = new Map<number, Origin>();
  bySender.forEach((responses, sender) => {
    responses.forEach(({ status, body }, seq) => {
      const n = status === 201 ? catalog.number(body) : undefined;
      if (n !== undefined) accepted.set(n, { sender, seq });
    });
  });
  return { statuses: bySender.flat().map((r) => r.status), accepted, start, end, maxLagMs };
}

describe(`chat at scale: one room, ${MEMBERS} connections`, () => {
  it(`lets ${MEMBERS} chat-only connections of ${MEMBERS} users join one live stream's room`, async () => {
    const started = performance.now();
    const joins = await inBatches(
      Array.from({ length: MEMBERS }, (_, i) => () => joinRoom(`member-${i}`, !isSpecMember(i))),
      OPEN_WIDTH,
    );
    report.joinSeconds = secondsSince(started);

    const joined = { event: 'chat:joined', data: { streamId }, ref: 'join' };
    const refused = joins.filter((j) => !isDeepStrictEqual(j.joined, joined));
    expect(refused.map((j) => ({ userId: j.member.userId, reply: j.joined }))).toEqual([]);
    expect(h.stack.connections.count()).toBe(MEMBERS);
    expect(members.filter((m) => !m.batch)).toHaveLength(MEMBERS / SPEC_EVERY);
  }, 90_000);

  it('pushes one message posted over REST to all of them, exactly once, in the spec shape', async () => {
    expect(members).toHaveLength(MEMBERS);
    const started = performance.now();
    const sent = await post(await h.token('announcer'), 'hello, everyone');
    expect(sent.status).toBe(201);
    expect(isSpecMessage(sent.body)).toBe(true);
    const n = catalog.number(sent.body);

    await within(h.stack.streams.idle(), 30_000, 'the fan-out of one message');
    await until(() => members.every((m) => m.inbox.received.length > 0), 10_000);
    report.oneMessageSeconds = secondsSince(started);
    await sleep(200); // a duplicate would have landed by now

    // A lone message is the spec's `chat:message` for both kinds of member.
    const wrong = members.filter(
      (m) => !isDeepStrictEqual(m.inbox.received, [n]) || m.inbox.malformed.length || m.inbox.coalescedFrames,
    );
    expect(wrong.map((m) => ({ userId: m.userId, received: m.inbox.received.length }))).toEqual([]);
    expect(catalog.conflicts).toEqual([]);
  }, 60_000);

  it(`delivers a flood (${SENDERS} senders x 10 messages/s for ${FLOOD_SECONDS} s) to every member: nothing lost, nothing twice, each sender's order kept; batched members at most ${MAX_FRAMES_PER_SECOND} frames a second, spec members one frame per message`, async () => {
    expect(members).toHaveLength(MEMBERS);
    const before = members.map((m) => ({
      received: m.inbox.received.length,
      frames: m.inbox.chatFrames,
      coalesced: m.inbox.coalescedFrames,
    }));

    const { statuses, accepted, start, end, maxLagMs } = await flood();
    // How far delivery trails the posts (one member's count, for the report).
    const deliveredByFloodEnd = (members[0]?.inbox.received.length ?? 0) - (before[0]?.received ?? 0);
    expect(statuses.filter((s) => s !== 201)).toEqual([]);
    expect(statuses).toHaveLength(SENDERS * PER_SENDER);
    expect(accepted.size).toBe(SENDERS * PER_SENDER);

    // A guard, not a measure: 2,000 frames to each spec member, one at a time, on a busy machine.
    await within(h.stack.streams.idle(), 120_000, 'the fan-out of the flood');
    const idleAt = performance.now();
    const complete = (m: Member, i: number) =>
      m.inbox.received.length >= (before[i]?.received ?? 0) + accepted.size;
    await until(() => members.every(complete), 10_000);
    await sleep(200); // a late duplicate would have landed by now

    const audits = members.map((m, i) => ({
      userId: m.userId,
      batch: m.batch,
      ...audit(m.inbox, before[i] ?? { received: 0, frames: 0, coalesced: 0 }, accepted),
      // Frames in the member's busiest second of arrival (counted per second, not timed).
      busiest: Math.max(0, ...m.inbox.perSecond.values()),
    }));
    const batchedAudits = audits.filter((a) => a.batch);
    const specAudits = audits.filter((a) => !a.batch);
    const frames = batchedAudits.map((a) => a.frames);
    const busiest = batchedAudits.map((a) => a.busiest);
    const specFrames = specAudits.map((a) => a.frames);
    const specBusiest = specAudits.map((a) => a.busiest);
    Object.assign(report, {
      posts: statuses.length,
      floodSeconds: secondsSince(start, end),
      maxSenderLagSeconds: Math.round(maxLagMs) / 1000,
      deliveredByFloodEnd,
      idleSecondsAfterFlood: secondsSince(end, idleAt),
      lastFrameSecondsAfterFloodStart: secondsSince(
        start,
        Math.max(...members.map((m) => m.inbox.lastChatAt)),
      ),
      framesPerMember: { min: Math.min(...frames), max: Math.max(...frames) },
      busiestSecondFrames: Math.max(...busiest),
      specMembers: specAudits.length,
      specFramesPerMember: { min: Math.min(...specFrames), max: Math.max(...specFrames) },
      specBusiestSecondFrames: { min: Math.min(...specBusiest), max: Math.max(...specBusiest) },
      framesPushed: audits.reduce((sum, a) => sum + a.frames, 0),
    });

    const totals = { missing: 0, duplicates: 0, outOfOrder: 0, unexpected: 0, malformed: 0 };
    for (const a of audits) {
      for (const key of Object.keys(totals) as Array<keyof typeof totals>) totals[key] += a[key];
    }
    const firstWrong = audits.find(
      (a) => a.missing || a.duplicates || a.outOfOrder || a.unexpected || a.malformed,
    );
    expect(totals, `first member wrong: ${JSON.stringify(firstWrong)}`).toEqual({
      missing: 0,
      duplicates: 0,
      outOfOrder: 0,
      unexpected: 0,
      malformed: 0,
    });
    expect(catalog.conflicts).toEqual([]);
    // Coalescing, for the members that asked for it: however long delivery runs, none gets more
    // than 5 frames in any second.
    expect(Math.max(...busiest)).toBeLessThanOrEqual(MAX_FRAMES_PER_SECOND);
    // And the flood really was coalesced: far fewer frames than messages.
    expect(Math.max(...frames)).toBeLessThan(accepted.size / 10);
    // A spec client got the spec's frame, one per message: every accepted message (audited
    // above) in exactly as many frames, none of them coalesced.
    const notOnePerMessage = specAudits.filter((a) => a.frames !== accepted.size || a.coalescedFrames);
    expect(notOnePerMessage.map((a) => ({ userId: a.userId, frames: a.frames }))).toEqual([]);
  }, 150_000);
});
