import { ConflictError, ForbiddenError, NotFoundError } from './errors.ts';
import type { IceServer, TurnConfig } from './ice.ts';
import { iceServersFor } from './ice.ts';
import type { User } from './model.ts';
import type { Clock, IdSource, StreamStore, ViewerStore } from './ports.ts';
import { wrongState } from './streams.ts';

export interface ViewerDeps {
  streams: StreamStore;
  viewers: ViewerStore;
  clock: Clock;
  ids: IdSource;
  turn: TurnConfig;
}

export interface JoinResult {
  success: true;
  viewerId: string;
  iceServers: IceServer[];
}

/**
 * Counts a viewer into a live stream and opens a viewing session. The count, the total and
 * the viewer limit are one conditional update, so concurrent joins can never overshoot
 * `maxViewers`; the peak follows with a second conditional update only when it grows.
 */
export async function joinStream(deps: ViewerDeps, streamId: string, user: User): Promise<JoinResult> {
  const added = await deps.streams.addViewer(streamId);
  if (!added.ok) {
    const current = added.current;
    if (!current) throw new NotFoundError(`Stream ${streamId} does not exist`, 'STREAM_NOT_FOUND');
    if (current.status !== 'live') throw wrongState(current, 'join');
    throw new ConflictError(`Stream is full (${current.maxViewers} viewers)`, 'STREAM_FULL', {
      maxViewers: current.maxViewers,
    });
  }
  const { viewerCount, peakViewers } = added.value;
  if (viewerCount > peakViewers) await deps.streams.raisePeak(streamId, viewerCount);

  const now = deps.clock.now();
  const viewerId = deps.ids.viewerId();
  try {
    await deps.viewers.put({ streamId, viewerId, userId: user.userId, joinedAt: now });
  } catch (error) {
    // Without a session row nobody could ever leave this seat: give it back.
    await deps.streams.removeViewer(streamId);
    throw error;
  }
  return { success: true, viewerId, iceServers: iceServersFor(user.userId, deps.turn, now) };
}

/**
 * Closes a viewing session. Idempotent: leaving twice (a retry, a tab closing after an explicit
 * leave) counts the viewer out once. True when this call is the one that closed it.
 */
export async function leaveStream(
  deps: Pick<ViewerDeps, 'streams' | 'viewers' | 'clock'>,
  streamId: string,
  viewerId: string,
  user: User,
): Promise<boolean> {
  const closed = await deps.viewers.close(streamId, viewerId, user.userId, deps.clock.now());
  if (closed.ok) {
    await deps.streams.removeViewer(streamId);
    return true;
  }
  const session = closed.current;
  if (!session)
    throw new NotFoundError(`No viewer session ${viewerId} on stream ${streamId}`, 'VIEWER_NOT_FOUND');
  if (session.userId !== user.userId) throw new ForbiddenError('This viewer session belongs to another user');
  return false; // already closed: nothing to change
}

/** The caller's own viewing session, still open, on a live stream (to reconnect to it). */
export async function assertOpenSession(
  deps: Pick<ViewerDeps, 'streams' | 'viewers'>,
  streamId: string,
  viewerId: string,
  user: User,
): Promise<void> {
  const session = await deps.viewers.get(streamId, viewerId);
  if (!session)
    throw new NotFoundError(`No viewer session ${viewerId} on stream ${streamId}`, 'VIEWER_NOT_FOUND');
  if (session.userId !== user.userId) throw new ForbiddenError('This viewer session belongs to another user');
  if (session.leftAt !== undefined)
    throw new ConflictError('This viewing session is closed; join again', 'SESSION_CLOSED');
  const stream = await deps.streams.get(streamId);
  if (!stream) throw new NotFoundError(`Stream ${streamId} does not exist`, 'STREAM_NOT_FOUND');
  if (stream.status !== 'live') throw wrongState(stream, 'connect to');
}
