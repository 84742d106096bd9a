import { eachLimited } from './each-limited.ts';
import { ForbiddenError, NotFoundError } from './errors.ts';
import { frame } from './frames.ts';
import type { EndReason, User } from './model.ts';
import type { Clock, ConnectionSender, ConnectionStore, StreamCheck, StreamStore } from './ports.ts';
import { endStream, type StreamRef, wrongState } from './streams.ts';

/** How many @connections calls run at once when a whole audience is told something. */
export const FAN_OUT_CONCURRENCY = 16;

/**
 * Tells every connection of an ended stream `stream:ended {streamId, reason}` and closes all but
 * the broadcaster's: viewers' (their $disconnect closes their sessions) and chat-only ones, the
 * room being over. The broadcaster's stays open: it may be
 * the one that sent `stream:end` and deserves to read the outcome.
 */
export async function announceEnd(
  deps: { connections: ConnectionStore; sender: ConnectionSender },
  streamId: string,
  reason: EndReason,
  message?: string,
): Promise<void> {
  const connections = await deps.connections.listByStream(streamId);
  const ended = frame('stream:ended', { streamId, reason, ...(message && { message }) });
  await eachLimited(connections, FAN_OUT_CONCURRENCY, async (connection) => {
    const sent = await deps.sender.send(connection.connectionId, ended);
    if (sent === 'gone') await deps.connections.delete(connection.connectionId);
    else if (connection.role !== 'broadcaster') await deps.sender.close(connection.connectionId);
  });
}

/**
 * Its owner ends a live stream (REST `end`, or `stream:end` on the owner's connection): the key is
 * revoked and the stream leaves the live list, then every connection is told.
 */
export async function endByOwner(
  deps: { streams: StreamStore; connections: ConnectionStore; sender: ConnectionSender; clock: Clock },
  stream: StreamRef,
  owner: User,
  recordingUrl?: string,
): Promise<void> {
  const ended = await endStream(deps, stream, owner, recordingUrl);
  await announceEnd(deps, ended.streamId, 'ended');
}

/**
 * The watchdog's check, after a broadcaster's grace period: ends the stream only if it is still
 * live and the broadcaster has not come back since that drop (a conditional write, so a resume
 * racing with the check wins or loses cleanly).
 */
export async function endAbandonedStream(
  deps: { streams: StreamStore; connections: ConnectionStore; sender: ConnectionSender; clock: Clock },
  check: StreamCheck,
): Promise<boolean> {
  const ended = await deps.streams.markEnded(check.streamId, deps.clock.now(), {
    reason: 'broadcaster_disconnected',
    ifBroadcasterGoneAt: check.goneAt,
  });
  if (!ended.ok) return false;
  await announceEnd(deps, check.streamId, 'broadcaster_disconnected');
  return true;
}

/**
 * Quick termination by an admin: any live stream ends at once, whoever owns it, and every
 * connection is told why.
 */
export async function terminateStream(
  deps: { streams: StreamStore; connections: ConnectionStore; sender: ConnectionSender; clock: Clock },
  streamId: string,
  admin: User,
  message: string,
): Promise<void> {
  if (!admin.roles.includes('admin')) throw new ForbiddenError('Only an admin may terminate a stream');
  const ended = await deps.streams.markEnded(streamId, deps.clock.now(), { reason: 'terminated' });
  if (!ended.ok) {
    if (!ended.current) throw new NotFoundError(`Stream ${streamId} does not exist`, 'STREAM_NOT_FOUND');
    throw wrongState(ended.current, 'terminate');
  }
  await announceEnd(deps, streamId, 'terminated', message);
}
