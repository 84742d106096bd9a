import { ConflictError, ForbiddenError } from './errors.ts';
import type { ChatStore, Clock, ConnectionStore } from './ports.ts';

/**
 * `join-livestream`: a connection enters its own stream's chat room, unless its user is banned.
 * `batch` is the frames it wants: the spec's `chat:message`, one message per frame (false, what a
 * client that does not ask gets), or runs coalesced into `chat:messages` (true).
 *
 * @example
 * await joinChatRoom(deps, me, { batch: data.batch === true });
 */
export async function joinChatRoom(
  deps: { chat: ChatStore; connections: ConnectionStore; clock: Clock },
  me: { streamId: string; userId: string; connectionId: string },
  options: { batch: boolean },
): Promise<void> {
  const bannedUntil = await deps.chat.bannedUntil(me.streamId, me.userId);
  if (bannedUntil !== undefined && bannedUntil > deps.clock.now()) {
    throw new ForbiddenError('You are banned from this chat', 'BANNED');
  }
  if (!(await deps.connections.joinRoom(me.connectionId, me.streamId, options))) {
    throw new ConflictError('This connection is closing', 'PEER_GONE');
  }
}
