import { ConflictError, ForbiddenError, NotFoundError } from './errors.ts';
import { hlsViewersAt, type StreamRecord, type User } from './model.ts';
import type { AudienceStore, Clock, IdSource, ShardCount, StreamStore, ViewerStore } from './ports.ts';

/**
 * Counting the HLS tier at CDN scale (docs/live.md, "Counting").
 *
 * An HLS viewer needs no socket, and a large audience must not write one DynamoDB item, so this
 * tier is counted in presence windows over sharded counters instead of on the stream row:
 *
 * - a join puts the viewer's session and counts it on a random shard: views +1 and the current
 *   window +1, with a `joining` marker removed once the session is written (a crash between the
 *   two is repaired from the session row, as core/seats.ts does for seats);
 * - each viewer beats once per window (`POST /presence`, at a random point in the next window);
 *   the session row's conditional update makes a beat count once per window, then the shard +1;
 * - the first write of a window on any shard rolls up the window before (sum of the shards) into
 *   the stream row; the racing roll-ups of the other shards change nothing.
 *
 * Accuracy: the count shown is the viewers who beat in the last complete window, so it trails by
 * one to two windows; a viewer who leaves or vanishes drops out within two windows. A crash between
 * a beat's two writes undercounts one viewer for one window. Views are exact.
 */
export const AUDIENCE_SHARDS = 10;

export interface AudienceDeps {
  streams: StreamStore;
  viewers: ViewerStore;
  audience: AudienceStore;
  clock: Clock;
  ids: IdSource;
  /** Length of a presence window (PRESENCE_WINDOW_SECONDS). */
  windowMs: number;
  /** A `joining` marker older than this is an interrupted join (SEAT_REPAIR_AFTER_SECONDS). */
  seatRepairAfterMs: number;
}

export const windowOf = (at: number, windowMs: number) => Math.floor(at / windowMs);

const randomShard = () => Math.floor(Math.random() * AUDIENCE_SHARDS);

/** When to beat next: somewhere in the middle of the next window, spread so beats do not bunch. */
export function nextBeatInMs(now: number, windowMs: number): number {
  const nextWindowStart = (windowOf(now, windowMs) + 1) * windowMs;
  return nextWindowStart - now + Math.floor(windowMs * (0.1 + 0.8 * Math.random()));
}

/**
 * Opens an HLS session on `stream` (live, with a ladder, past its peer seats). The owner's
 * `maxViewers`, if set, holds against both tiers as last rolled up (docs/live.md: within a window).
 */
export async function joinHls(deps: AudienceDeps, stream: StreamRecord, user: User): Promise<string> {
  const now = deps.clock.now();
  const { streamId, maxViewers } = stream;
  if (maxViewers !== undefined && stream.viewerCount + hlsViewersAt(stream, now) >= maxViewers) {
    throw new ConflictError(`Stream is full (${maxViewers} viewers)`, 'STREAM_FULL', { maxViewers });
  }
  const viewerId = deps.ids.viewerId();
  const shard = randomShard();
  const window = windowOf(now, deps.windowMs);
  const counted = await deps.audience.join(streamId, shard, window, { viewerId, at: now });
  try {
    await deps.viewers.put({
      streamId,
      viewerId,
      userId: user.userId,
      joinedAt: now,
      tier: 'hls',
      seenWindow: window,
      seenAt: now,
    });
  } catch (error) {
    // Without a session the view never happened: take it back.
    await deps.audience.settleJoin(streamId, shard, viewerId, true);
    throw error;
  }
  await Promise.all([
    deps.audience.settleJoin(streamId, shard, viewerId, false),
    repairJoins(deps, streamId, shard, counted),
    rollUpIfFirst(deps, streamId, window, counted),
  ]);
  return viewerId;
}

/**
 * One presence beat of an HLS viewer. Counted once per window; a second beat in the same window
 * changes nothing. Returns when to beat next.
 */
export async function beat(
  deps: Pick<AudienceDeps, 'streams' | 'viewers' | 'audience' | 'clock' | 'windowMs'>,
  streamId: string,
  viewerId: string,
  user: User,
): Promise<{ nextBeatInMs: number }> {
  const now = deps.clock.now();
  const window = windowOf(now, deps.windowMs);
  const marked = await deps.viewers.beat(streamId, viewerId, { userId: user.userId, window, at: now });
  if (marked.ok) {
    const counted = await deps.audience.beat(streamId, randomShard(), window);
    await rollUpIfFirst(deps, streamId, window, counted);
  } else {
    const session = marked.current;
    if (!session) {
      // Only on this failure path is the stream read: a beat itself never touches its row.
      if (!(await deps.streams.get(streamId)))
        throw new NotFoundError(`Stream ${streamId} does not exist`, 'STREAM_NOT_FOUND');
      throw new NotFoundError(`No viewer session ${viewerId} on stream ${streamId}`, 'VIEWER_NOT_FOUND');
    }
    if (session.userId !== user.userId)
      throw new ForbiddenError('This viewer session belongs to another user');
    if (session.tier !== 'hls')
      throw new ConflictError('This session has a peer-to-peer seat: its socket keeps it', 'NOT_HLS');
    if (session.leftAt !== undefined)
      throw new ConflictError('This viewing session is closed; join again', 'SESSION_CLOSED');
    // Already counted in this window: nothing to add.
  }
  return { nextBeatInMs: nextBeatInMs(now, deps.windowMs) };
}

/**
 * The first write of `window` on a shard rolls up the window before into the stream row, and
 * raises the peak when both tiers together passed it.
 */
async function rollUpIfFirst(
  deps: Pick<AudienceDeps, 'streams' | 'audience' | 'windowMs'>,
  streamId: string,
  window: number,
  counted: ShardCount,
): Promise<void> {
  if (counted.windowCount !== 1) return;
  const previous = window - 1;
  const { viewers, views } = await deps.audience.total(streamId, previous);
  const freshUntil = (window + 2) * deps.windowMs;
  const rolled = await deps.streams.recordAudience(streamId, {
    window: previous,
    viewers,
    views,
    freshUntil,
  });
  if (!rolled.ok) return;
  const together = rolled.value.viewerCount + viewers;
  if (together > rolled.value.peakViewers) await deps.streams.raisePeak(streamId, together);
}

/** Finishes joins on `shard` cut short by a crash: kept if their session exists, undone if not. */
async function repairJoins(
  deps: Pick<AudienceDeps, 'viewers' | 'audience' | 'clock' | 'seatRepairAfterMs'>,
  streamId: string,
  shard: number,
  counted: ShardCount,
): Promise<void> {
  const cutoff = deps.clock.now() - deps.seatRepairAfterMs;
  for (const join of counted.pendingJoins.filter((pending) => pending.at <= cutoff)) {
    try {
      const session = await deps.viewers.get(streamId, join.viewerId);
      await deps.audience.settleJoin(streamId, shard, join.viewerId, !session);
    } catch {
      // Left for the next write to this shard; the marker is still there.
    }
  }
}
