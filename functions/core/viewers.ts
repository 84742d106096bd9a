import { type AudienceDeps, joinHls, nextBeatInMs } from './audience.ts';
import { ConflictError, ForbiddenError, NotFoundError } from './errors.ts';
import type { IceServer, TurnConfig } from './ice.ts';
import { iceServersFor } from './ice.ts';
import { hlsViewersAt, ladderRunning, type User, type ViewerSession, type ViewerTier } from './model.ts';
import type { WriteResult } from './ports.ts';
import { MARKER_ONLY, repairStaleSeats, type SeatDeps } from './seats.ts';
import { wrongState } from './streams.ts';

export interface ViewerDeps extends SeatDeps, AudienceDeps {
  turn: TurnConfig;
  /** Where the stream's live ladder plays (its multivariant playlist on the CDN). */
  livePlaybackUrl(streamId: string): string;
}

export interface JoinResult {
  success: true;
  viewerId: string;
  iceServers: IceServer[];
  /** `webrtc`: a peer-to-peer seat (signal with the ticket); `hls`: play `playback.hls`. */
  mode: ViewerTier;
  /** The live ladder, when the stream has one: the `hls` tier's player, and a failed peer's fallback. */
  playback: { hls: string } | null;
  /** `hls` only: when to send the first presence beat (`POST /presence`). */
  presence: { nextBeatInMs: number } | null;
}

/**
 * Places a viewer on a live stream and opens a viewing session (docs/live.md). A peer-to-peer seat
 * while the broadcaster's seats last: the count, the total, the seat limit and the seat's marker are
 * one conditional update, so concurrent joins never overshoot `peerSeats`; the session write
 * follows, then the marker goes with the peak raised when it grew (core/seats.ts: a crash between
 * the writes is repaired, not leaked). Past the seats, the live ladder's HLS tier (core/audience.ts);
 * a stream whose broadcaster runs no ladder has only seats, and refuses past them.
 */
export async function joinStream(deps: ViewerDeps, streamId: string, user: User): Promise<JoinResult> {
  const now = deps.clock.now();
  const viewerId = deps.ids.viewerId();
  const added = await deps.streams.addViewer(streamId, viewerId, now);
  if (!added.ok) {
    const current = added.current;
    if (!current) throw new NotFoundError(`Stream ${streamId} does not exist`, 'STREAM_NOT_FOUND');
    if (current.status !== 'live') throw wrongState(current, 'join');
    if (!ladderRunning(current)) {
      const seats = current.peerSeats ?? current.maxViewers;
      throw new ConflictError(`Stream is full (${seats} viewers)`, 'STREAM_FULL', { maxViewers: seats });
    }
    const hlsViewerId = await joinHls(deps, current, user);
    return joined(deps, streamId, user, now, { viewerId: hlsViewerId, mode: 'hls', ladder: true });
  }
  const seat = { kind: 'joining' as const, viewerId, at: now };
  try {
    await deps.viewers.put({ streamId, viewerId, userId: user.userId, joinedAt: now });
  } catch (error) {
    // Without a session row nobody could ever leave this seat: give it back.
    await deps.streams.settleSeat(streamId, seat, { viewers: 1, views: 1 });
    throw error;
  }
  const together = added.value.viewerCount + hlsViewersAt(added.value, now);
  const peak = together > added.value.peakViewers ? together : undefined;
  await Promise.all([
    deps.streams.settleSeat(streamId, seat, { ...MARKER_ONLY, peak }),
    repairStaleSeats(deps, added.value),
  ]);
  const ladder = ladderRunning(added.value);
  return joined(deps, streamId, user, now, { viewerId, mode: 'webrtc', ladder });
}

function joined(
  deps: Pick<ViewerDeps, 'turn' | 'livePlaybackUrl' | 'windowMs'>,
  streamId: string,
  user: User,
  now: number,
  placed: { viewerId: string; mode: ViewerTier; ladder: boolean },
): JoinResult {
  return {
    success: true,
    viewerId: placed.viewerId,
    iceServers: iceServersFor(user.userId, deps.turn, now),
    mode: placed.mode,
    playback: placed.ladder ? { hls: deps.livePlaybackUrl(streamId) } : null,
    presence: placed.mode === 'hls' ? { nextBeatInMs: nextBeatInMs(now, deps.windowMs) } : null,
  };
}

/**
 * Closes a viewing session and counts the viewer out. Idempotent: leaving twice (a retry, a tab
 * closing after an explicit leave) counts the viewer out once. The tier of the session this call
 * closed; undefined when it was closed already. A seat's leave is three writes (marker, close,
 * count-and-unmark) so that a crash between them is repaired; an HLS session's is one.
 */
export async function leaveStream(
  deps: Pick<ViewerDeps, 'streams' | 'viewers' | 'clock' | 'ids' | 'seatRepairAfterMs'>,
  streamId: string,
  viewerId: string,
  user: User,
  tier?: ViewerTier,
): Promise<ViewerTier | undefined> {
  const now = deps.clock.now();
  const attempt = deps.ids.attemptId();
  // Only a seat has counters to take back; an HLS session just closes (it stops beating). A
  // caller that does not know the session's tier (a REST leave) reads it.
  const hls =
    tier === undefined ? (await deps.viewers.get(streamId, viewerId))?.tier === 'hls' : tier === 'hls';
  if (hls) {
    const closed = await deps.viewers.close(streamId, viewerId, {
      leftAt: now,
      attempt,
      userId: user.userId,
    });
    return closedOrWhy(closed, streamId, viewerId, user) ? 'hls' : undefined;
  }
  const seat = { kind: 'leaving' as const, viewerId, attempt, at: now };
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
  return closedOrWhy(closed, streamId, viewerId, user) ? 'webrtc' : undefined;
}

/** True when this call closed the session; false when it was closed already; why not otherwise. */
function closedOrWhy(
  closed: WriteResult<ViewerSession>,
  streamId: string,
  viewerId: string,
  user: User,
): boolean {
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
  if (session.tier === 'hls')
    throw new ConflictError(
      'This session plays the live ladder (HLS): it has no peer to connect to',
      'NOT_WEBRTC',
    );
  const stream = await deps.streams.get(streamId);
  if (!stream) throw new NotFoundError(`Stream ${streamId} does not exist`, 'STREAM_NOT_FOUND');
  if (stream.status !== 'live') throw wrongState(stream, 'connect to');
}
