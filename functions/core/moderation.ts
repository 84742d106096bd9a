import type { ChatStore } from './chat.ts';
import { ForbiddenError, NotFoundError } from './errors.ts';
import type { StreamRecord, User } from './model.ts';
import type { Clock, StreamStore } from './ports.ts';
import { getStream, wrongState } from './streams.ts';

export interface ModerationStore extends ChatStore {
  /** Marks a message deleted (history hides it; the fan-out tells the room). False: no such message. */
  markDeleted(streamId: string, id: string, at: number): Promise<boolean>;
  /** `until`: epoch ms, or `Infinity` for good. */
  ban(streamId: string, userId: string, until: number, by: string): Promise<void>;
  unban(streamId: string, userId: string): Promise<void>;
}

export interface ModerationDeps {
  streams: StreamStore;
  chat: ModerationStore;
  clock: Clock;
}

const isPlatformModerator = (user: User) => user.roles.includes('moderator') || user.roles.includes('admin');

/** The stream's owner, or anyone the identity provider made a moderator or admin. */
export async function moderatedStream(deps: Pick<ModerationDeps, 'streams'>, streamId: string, user: User) {
  const stream = await getStream(deps, streamId);
  if (stream.ownerId !== user.userId && !isPlatformModerator(user)) {
    throw new ForbiddenError('Only the stream owner or a moderator may moderate this chat');
  }
  return stream;
}

export async function deleteMessage(deps: ModerationDeps, streamId: string, id: string, user: User) {
  await moderatedStream(deps, streamId, user);
  if (!(await deps.chat.markDeleted(streamId, id, deps.clock.now()))) {
    throw new NotFoundError(`No message ${id} in this chat`, 'MESSAGE_NOT_FOUND');
  }
}

/** Bans `userId` from posting and joining the room, for `seconds` or (without) for good. */
export async function banUser(
  deps: ModerationDeps,
  streamId: string,
  user: User,
  target: string,
  seconds?: number,
) {
  const stream = await moderatedStream(deps, streamId, user);
  if (target === stream.ownerId)
    throw new ForbiddenError('The stream owner cannot be banned from their own chat');
  const until = seconds === undefined ? Number.POSITIVE_INFINITY : deps.clock.now() + seconds * 1000;
  await deps.chat.ban(streamId, target, until, user.userId);
  return { userId: target, bannedUntil: Number.isFinite(until) ? new Date(until).toISOString() : null };
}

export async function unbanUser(deps: ModerationDeps, streamId: string, user: User, target: string) {
  await moderatedStream(deps, streamId, user);
  await deps.chat.unban(streamId, target);
}

/** Slow mode: each user may post once per `seconds` (0 turns it off). */
export async function setSlowMode(deps: ModerationDeps, streamId: string, user: User, seconds: number) {
  const stream: StreamRecord = await moderatedStream(deps, streamId, user);
  if (stream.status === 'ended') throw wrongState(stream, 'moderate');
  await deps.streams.setSlowMode(streamId, seconds);
  return { slowModeSeconds: seconds };
}
