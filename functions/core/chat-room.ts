import type { ChatStore } from './chat.ts';
import type { ConnectionStore } from './connections.ts';
import { ConflictError, ForbiddenError } from './errors.ts';
import type { Clock } from './ports.ts';

/** `join-livestream`: a connection enters its own stream's chat room, unless its user is banned. */
export async function joinChatRoom(
  deps: { chat: ChatStore; connections: ConnectionStore; clock: Clock },
  me: { streamId: string; userId: string; connectionId: string },
): Promise<void> {
  const bannedUntil = await deps.chat.bannedUntil(me.streamId, me.userId);
  if (bannedUntil !== undefined && bannedUntil > deps.clock.now()) {
    throw new ForbiddenError('You are banned from this chat', 'BANNED');
  }
  if (!(await deps.connections.joinRoom(me.connectionId, me.streamId))) {
    throw new ConflictError('This connection is closing', 'PEER_GONE');
  }
}
