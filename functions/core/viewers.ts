import { ConflictError, ForbiddenError, NotFoundError } from './errors.ts';
import type { IceServer, TurnConfig } from './ice.ts';
import { iceServersFor } from './ice.ts';
import type { User } from './model.ts';
import type { IdSource } from './ports.ts';
import { MARKER_ONLY, repairStaleSeats, type SeatDeps } from './seats.ts';
import { wrongState } from './streams.ts';

export interface ViewerDeps extends SeatDeps {
  ids: IdSource;
  turn: TurnConfig;
}

export interface JoinResult {
  success: true;
  viewerId: string;
  iceServers: IceServer[];
}

/**
 * Counts a viewer into a live stream and opens a viewing session. The count, the total, the
 * viewer limit and the seat's marker are one conditional update, so concurrent joins can never
 * overshoot `maxViewers`; the session write follows, then the marker goes with the peak raised
 * when it grew (core/seats.ts: a crash between the writes is repaired, not leaked).
 */
export async function joinStream(deps: ViewerDeps, streamId: string, user: User): Promise<JoinResult> {
  const now = deps.clock.now();
  const viewerId = deps.ids.viewerId();
  const added = await deps.streams.addViewer(streamId, viewerId, now);
  if (!added.ok) {
    const current = added.current;
    if (!current) throw new NotFoundError(`Stream ${streamId} does not exist`, 'STREAM_NOT_FOUND');
    if (current.status !== 'live') throw wrongState(current, 'join');
    throw new ConflictError(`Stream is full (${current.maxViewers} viewers)`, 'STREAM_FULL', {
      maxViewers: current.maxViewers,
    });
  }
  const seat = { kind: 'joining' as const, viewerId, at: now };
  try {
    await deps.viewers.put({ streamId, viewerId, userId: user.userId, joinedAt: now });
  } catch (error) {
    // Without a session row nobody could ever leave this seat: give it back.
    await deps.streams.settleSeat(streamId, seat, { viewers: 1, views: 1 });
    throw error;
  }
  const { viewerCount, peakViewers } = added.value;
  const peak = viewerCount > peakViewers ? viewerCount : undefined;
  await Promise.all([
    deps.streams.settleSeat(streamId, seat, { ...MARKER_ONLY, peak }),
    repairStaleSeats(deps, added.value),
  ]);
  return { success: true, viewerId, iceServers: iceServersFor(user.userId, deps.turn, now) };
}

/**
 * Closes a viewing session and counts the viewer out. Idempotent: leaving twice (a retry, a tab
 * closing after an explicit leave) counts the viewer out once. True when this call closed it.
 * Three writes (marker, close, count-and-unmark) so that a crash between them is repaired.
 */
export async function leaveStream(
  deps: Pick<ViewerDeps, 'streams' | 'viewers' | 'clock' | 'ids' | 'seatRepairAfterMs'>,
  streamId: string,
  viewerId: string,
  user: User,
): Promise<boolean> {
  const now = deps.clock.now();
  const seat = { kind: 'leaving' as const, viewerId, attempt: deps.ids.attemptId(), at: now };
  // Once the stream has ended its count is already zero: the session only closes (watch time).
  const marked = await deps.streams.markLeaving(streamId, seat);
  const closed = await deps.viewers.close(streamId, viewerId, {
    leftAt: now,
    attempt: seat.attempt,
    userId: user.userId,
  });
  if (marked.ok) {
    await Promise.all([
      deps.streams.settleSeat(streamId, seat, closed.ok ? { viewers: 1, views: 0 } : MARKER_ONLY),
      repairStaleSeats(deps, marked.value),
    ]);
  }
  if (closed.ok) return true;
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
