import type { PendingSeat, StreamRecord } from './model.ts';
import type { Clock, StreamStore, ViewerStore } from './ports.ts';

/**
 * Seat bookkeeping that survives a crash between two writes, without transactions.
 *
 * A join and a leave each change two rows: the stream's counters and a session. DynamoDB
 * transactions would make that atomic, but every join of a stream writes the same stream row,
 * and transactions on one hot item cancel each other (TransactionConflict) exactly when an
 * audience arrives. Instead each change leaves a marker on the stream row *in the same write*
 * as its counter change, and removes it when the session write is done:
 *
 * - join:  `+1 viewer, +1 view, joining#<viewerId>` -> put session -> remove marker
 * - leave: `leaving#<viewerId>#<attempt>` -> close session (records the attempt) -> `-1 viewer`, remove marker
 *
 * A marker older than any invocation can live is an interrupted change; the next join or leave
 * of the stream finds it on the row it just wrote and finishes or undoes it from the session
 * row, each step conditional on the marker, so two repairers cannot apply it twice.
 */
export interface SeatDeps {
  streams: StreamStore;
  viewers: ViewerStore;
  clock: Clock;
  /** A marker older than this is an interrupted change (well past the functions' timeout). */
  seatRepairAfterMs: number;
}

/** No counter change: only the marker goes. */
export const MARKER_ONLY = { viewers: 0, views: 0 } as const;

/**
 * Finishes or undoes the interrupted changes among `stream`'s markers. Best effort: a repair that
 * fails is retried by the next join or leave, so it never fails the caller's own request.
 */
export async function repairStaleSeats(deps: SeatDeps, stream: StreamRecord): Promise<number> {
  const cutoff = deps.clock.now() - deps.seatRepairAfterMs;
  const stale = (stream.pendingSeats ?? []).filter((seat) => seat.at <= cutoff);
  let repaired = 0;
  for (const seat of stale) {
    try {
      if (await repairSeat(deps, stream.streamId, seat)) repaired++;
    } catch {
      // Left for the next caller; the marker is still there.
    }
  }
  return repaired;
}

async function repairSeat(deps: SeatDeps, streamId: string, seat: PendingSeat): Promise<boolean> {
  const session = await deps.viewers.get(streamId, seat.viewerId);
  if (seat.kind === 'joining') {
    // The session row is what a join leaves behind: with it the seat is real, without it not.
    return deps.streams.settleSeat(streamId, seat, session ? MARKER_ONLY : { viewers: 1, views: 1 });
  }
  if (session && session.leftAt === undefined) {
    // The leave never closed the session: finish it (a leave cannot be taken back by its caller).
    const closed = await deps.viewers.close(streamId, seat.viewerId, {
      leftAt: deps.clock.now(),
      attempt: seat.attempt,
    });
    if (!closed.ok) return deps.streams.settleSeat(streamId, seat, MARKER_ONLY);
    return deps.streams.settleSeat(streamId, seat, { viewers: 1, views: 0 });
  }
  // Closed: counted out only if this attempt is the one that closed it.
  const closedByThis = session?.closedBy === seat.attempt;
  return deps.streams.settleSeat(streamId, seat, closedByThis ? { viewers: 1, views: 0 } : MARKER_ONLY);
}
