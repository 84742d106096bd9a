import { ForbiddenError, NotFoundError } from './errors.ts';
import type { StreamRecord, User } from './model.ts';
import type { Clock, ModerationStore, StreamStore } from './ports.ts';
import { getStream, type StreamRef, wrongState } from './streams.ts';

export interface ModerationDeps {
  streams: StreamStore;
  chat: ModerationStore;
  clock: Clock;
}

const isPlatformModerator = (user: User) => user.roles.includes('moderator') || user.roles.includes('admin');

/** The stream's owner, or anyone the identity provider made a moderator or admin: 404, then 403. */
export async function moderatedStream(
  deps: Pick<ModerationDeps, 'streams'>,
  ref: StreamRef,
  user: User,
): Promise<StreamRecord> {
  const stream = await getStream(deps, ref);
  if (stream.ownerId !== user.userId && !isPlatformModerator(user)) {
    throw new ForbiddenError('Only the stream owner or a moderator may moderate this chat');
  }
  return stream;
}

export async function deleteMessage(deps: ModerationDeps, ref: StreamRef, id: string, user: User) {
  const { streamId } = await moderatedStream(deps, ref, user);
  if (!(await deps.chat.markDeleted(streamId, id, deps.clock.now()))) {
    throw new NotFoundError(`No message ${id} in this chat`, 'MESSAGE_NOT_FOUND');
  }
}

/** Bans `userId` from posting and joining the room, for `seconds` or (without) for good. */
export async function banUser(
  deps: ModerationDeps,
  ref: StreamRef,
  user: User,
  target: string,
  seconds?: number,
) {
  const stream = await moderatedStream(deps, ref, user);
  if (target === stream.ownerId)
    throw new ForbiddenError('The stream owner cannot be banned from their own chat');
  const until = seconds === undefined ? Number.POSITIVE_INFINITY : deps.clock.now() + seconds * 1000;
  await deps.chat.ban(stream.streamId, target, until, user.userId);
  return { userId: target, bannedUntil: Number.isFinite(until) ? new Date(until).toISOString() : null };
}

export async function unbanUser(deps: ModerationDeps, ref: StreamRef, user: User, target: string) {
  const { streamId } = await moderatedStream(deps, ref, user);
  await deps.chat.unban(streamId, target);
}

/** Slow mode: each user may post once per `seconds` (0 turns it off). */
export async function setSlowMode(deps: ModerationDeps, ref: StreamRef, user: User, seconds: number) {
  const stream = await moderatedStream(deps, ref, user);
  if (stream.status === 'ended') throw wrongState(stream, 'moderate');
  await deps.streams.setSlowMode(stream.streamId, seconds);
  return { slowModeSeconds: seconds };
}
