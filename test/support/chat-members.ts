import type { harness } from '../integration/harness.ts';
import { type Frame, LightSocket } from './light-socket.ts';

type Harness = Awaited<ReturnType<typeof harness>>;

/** A chat message as POST answers it and as the room pushes it: the spec's shape. */
export interface PostedMessage {
  id: string;
  userId: string;
  message: string;
  timestamp: string;
}

/** The spec's fields, sorted: a pushed `chat:message` has exactly these. */
export const SPEC_KEYS = ['id', 'message', 'timestamp', 'userId'].join();

/** One room member: every chat frame it got, in order, and how many arrived in each whole second. */
export interface ChatMember {
  userId: string;
  socket: LightSocket;
  frames: Frame[];
  perSecond: Map<number, number>;
}

const replies = new Set(['chat:joined', 'chat:left', 'chat:sent']);

/**
 * A chat-only connection of `userId` in `streamId`'s room: chat ticket, upgrade, then
 * `join-livestream` with `join` as its data (`{}` or `{streamId}` as a spec client, `{batch: true}`
 * to opt in to coalesced frames). Resolves with the member and the join's reply.
 */
export async function chatMember(
  h: Harness,
  streamId: string,
  userId: string,
  join: Record<string, unknown>,
) {
  const token = await h.token(userId);
  const res = await h.call('POST', `/api/livestream/${streamId}/chat/ticket`, { token, body: {} });
  if (res.status !== 200)
    throw new Error(`chat ticket for ${userId}: ${res.status} ${JSON.stringify(res.body)}`);
  const socket = await LightSocket.connect(res.body.signaling.url, res.body.signaling.ticket);
  const member: ChatMember = { userId, socket, frames: [], perSecond: new Map() };
  socket.onFrame = (frame) => {
    if (!frame.event.startsWith('chat:') || replies.has(frame.event)) return;
    member.frames.push(frame);
    const second = Math.floor(performance.now() / 1000);
    member.perSecond.set(second, (member.perSecond.get(second) ?? 0) + 1);
  };
  const { frame: joined } = await socket.request('join-livestream', join, 'join');
  return { member, joined };
}

/** The messages a member's frames carried, in arrival order, whichever kind of frame. */
export const messagesOf = (m: ChatMember): PostedMessage[] =>
  m.frames.flatMap((f) =>
    f.event === 'chat:message' ? [f.data] : f.event === 'chat:messages' ? f.data.messages : [],
  );

/** A member's frames counted: by kind, spec-shaped or not, and in its busiest second of arrival. */
export function frameCounts(m: ChatMember) {
  const single = m.frames.filter((f) => f.event === 'chat:message');
  return {
    frames: m.frames.length,
    single: single.length,
    coalesced: m.frames.filter((f) => f.event === 'chat:messages').length,
    notSpecShaped: single.filter((f) => Object.keys(f.data).sort().join() !== SPEC_KEYS).length,
    busiestSecond: Math.max(0, ...m.perSecond.values()),
  };
}

/**
 * What a member got wrong (all zero and `inOrder` when right): each accepted message exactly once,
 * exactly as POST answered it, nothing else, each sender's in the order that sender posted them.
 * `bySender` holds each sender's accepted messages in its posting order.
 */
export function auditDelivery(received: PostedMessage[], bySender: PostedMessage[][]) {
  const expected = new Map(bySender.flat().map((m) => [m.id, m]));
  const seen = new Set<string>();
  const wrong = { missing: 0, duplicates: 0, unexpected: 0, changed: 0 };
  for (const m of received) {
    const posted = expected.get(m.id);
    if (!posted) wrong.unexpected++;
    else if (seen.has(m.id)) wrong.duplicates++;
    else {
      seen.add(m.id);
      if (JSON.stringify(m) !== JSON.stringify(posted)) wrong.changed++;
    }
  }
  wrong.missing = expected.size - seen.size;
  const inOrder = bySender.every((posts) => {
    const mine = new Set(posts.map((p) => p.id));
    const got = [...new Set(received.filter((m) => mine.has(m.id)).map((m) => m.id))];
    return got.join() === posts.map((p) => p.id).join();
  });
  return { ...wrong, inOrder };
}

/** Whether an audit found nothing wrong. */
export const clean = (a: ReturnType<typeof auditDelivery>) =>
  a.inOrder && !a.missing && !a.duplicates && !a.unexpected && !a.changed;

/** Min and max of each count over the members, for the log. */
export function spread(rows: Array<Record<string, number>>) {
  const keys = Object.keys(rows[0] ?? {});
  return Object.fromEntries(
    keys.map((k) => {
      const values = rows.map((r) => r[k] ?? 0);
      return [k, { min: Math.min(...values), max: Math.max(...values) }];
    }),
  );
}

/** Polls every 50 ms until `done` holds or `ms` pass (the assertions after it say what is missing). */
export async function until(done: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}
