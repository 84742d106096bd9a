import { ForbiddenError, NotFoundError, RateLimitedError } from './errors.ts';
import type { ChatMessage, StreamRecord, User } from './model.ts';
import type { ChatStore, Clock, StreamStore } from './ports.ts';
import type { PublicChatMessage } from './protocol.ts';
import { wrongState } from './streams.ts';

export interface ChatDeps {
  streams: StreamStore;
  chat: ChatStore;
  clock: Clock;
  newMessageId(): string;
}

export interface ChatLimits {
  /** Posts per user per stream per window. */
  perWindow: number;
  windowMs: number;
  /**
   * Posts per stream per second, all users together: what bounds the frames a client that did
   * not ask for batches gets (one per message) and the fan-out's @connections posts per second.
   */
  roomPerSecond: number;
  retentionDays: number;
}

/** The API's view of a message. */
export const publicMessage = (m: ChatMessage): PublicChatMessage => ({
  id: m.id,
  userId: m.userId,
  message: m.message,
  timestamp: new Date(m.createdAt).toISOString(),
});

async function chatStream(deps: ChatDeps, streamId: string): Promise<StreamRecord> {
  const stream = await deps.streams.get(streamId);
  if (!stream) throw new NotFoundError(`Stream ${streamId} does not exist`, 'STREAM_NOT_FOUND');
  return stream;
}

/**
 * Stores a message from a signed-in user on a live stream, after the ban, the per-user window
 * and slow mode allow it. A refused message is not stored.
 */
export async function postMessage(
  deps: ChatDeps,
  limits: ChatLimits,
  streamId: string,
  user: User,
  text: string,
) {
  const [stream, bannedUntil] = await Promise.all([
    chatStream(deps, streamId),
    deps.chat.bannedUntil(streamId, user.userId),
  ]);
  if (stream.status !== 'live') throw wrongState(stream, 'chat on');
  const now = deps.clock.now();
  if (bannedUntil !== undefined && bannedUntil > now) {
    const until = Number.isFinite(bannedUntil) ? ` until ${new Date(bannedUntil).toISOString()}` : '';
    throw new ForbiddenError(`You are banned from this chat${until}`, 'BANNED');
  }
  const index = Math.floor(now / limits.windowMs);
  const windowEnd = (index + 1) * limits.windowMs;
  const window = { index, max: limits.perWindow, expiresAt: Math.ceil(windowEnd / 1000) + 60 };
  if (!(await deps.chat.countPost(streamId, user.userId, window))) {
    throw new RateLimitedError(
      `At most ${limits.perWindow} messages per ${limits.windowMs / 1000} s`,
      windowEnd - now,
    );
  }
  const gapMs = (stream.chatSlowModeSeconds ?? 0) * 1000;
  if (gapMs > 0 && !(await deps.chat.takeSlot(streamId, user.userId, now, gapMs))) {
    throw new RateLimitedError(`Slow mode: one message every ${gapMs / 1000} s`, gapMs, 'SLOW_MODE');
  }
  // The room's window last, so only posts every other rule let through take its slots: a user
  // over their own limit cannot use up the room's.
  const second = Math.floor(now / 1000);
  const room = { index: second, max: limits.roomPerSecond, expiresAt: second + 61 };
  if (!(await deps.chat.countRoomPost(streamId, room))) {
    throw new RateLimitedError(
      `This chat is busy: at most ${limits.roomPerSecond} messages a second in the room`,
      (second + 1) * 1000 - now,
      'CHAT_BUSY',
    );
  }
  const message: ChatMessage = {
    id: deps.newMessageId(),
    streamId,
    userId: user.userId,
    message: text,
    createdAt: now,
  };
  await deps.chat.put(message, Math.floor(now / 1000) + limits.retentionDays * 86_400);
  return publicMessage(message);
}

/** History, newest first, `limit` at a time; `nextCursor` continues strictly before the last one. */
export async function listMessages(deps: ChatDeps, streamId: string, limit: number, before?: string) {
  await chatStream(deps, streamId);
  const { messages, more } = await deps.chat.list(streamId, limit, before);
  const last = messages.at(-1);
  return { messages: messages.map(publicMessage), nextCursor: more && last ? last.id : null };
}
