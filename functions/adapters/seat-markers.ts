import type { PendingSeat, StreamRecord } from '../core/model.ts';

/**
 * Seat markers (core/seats.ts) as top-level attributes of the Livestreams row, named
 * `joining#<viewerId>` and `leaving#<viewerId>#<attempt>`, valued with their time. Top-level, not
 * a map, so no row needs one created first: a stream that went live before markers existed works.
 */
const JOINING = 'joining#';
const LEAVING = 'leaving#';

export function markerName(seat: PendingSeat): string {
  return seat.kind === 'joining'
    ? `${JOINING}${seat.viewerId}`
    : `${LEAVING}${seat.viewerId}#${seat.attempt}`;
}

/** A stored row as the core sees it: marker attributes gathered into `pendingSeats`. */
export function toStreamRecord(item: Record<string, unknown> | undefined): StreamRecord | undefined {
  if (!item) return undefined;
  const record: Record<string, unknown> = {};
  const pendingSeats: PendingSeat[] = [];
  for (const [name, value] of Object.entries(item)) {
    const seat = typeof value === 'number' ? seatOf(name, value) : undefined;
    if (seat) pendingSeats.push(seat);
    else if (!name.startsWith(JOINING) && !name.startsWith(LEAVING)) record[name] = value;
  }
  if (pendingSeats.length > 0) record.pendingSeats = pendingSeats;
  return record as unknown as StreamRecord;
}

function seatOf(name: string, at: number): PendingSeat | undefined {
  if (name.startsWith(JOINING)) return { kind: 'joining', viewerId: name.slice(JOINING.length), at };
  if (!name.startsWith(LEAVING)) return undefined;
  const [viewerId, attempt] = name.slice(LEAVING.length).split('#');
  return viewerId && attempt ? { kind: 'leaving', viewerId, attempt, at } : undefined;
}
