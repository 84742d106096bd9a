import { NotFoundError } from './errors.ts';
import type { StreamRecord } from './model.ts';
import type { LadderReport } from './ports.ts';
import {
  type BroadcasterPeer,
  currentBroadcaster,
  notTheBroadcaster,
  type SignalingDeps,
} from './signaling.ts';
import { wrongState } from './streams.ts';

/** How a broadcaster's uplink becomes peer-to-peer seats (the PEER_SEAT* tunables). */
export interface PeerSeatConfig {
  /** Seats before the broadcaster has measured its uplink. */
  fallback: number;
  /** Seats no uplink goes past. */
  max: number;
  /** What one peer takes of the uplink. */
  seatKbps: number;
}

/**
 * Only this share of the measured headroom is promised to peers: `availableOutgoingBitrate` is
 * the congestion controller's estimate, and a send queue that fills stalls every peer at once.
 */
const HEADROOM = 0.8;

/**
 * The seats an uplink leaves once the ladder is sent: `(uplink - ladder) * 0.8 / seatKbps`, within
 * `max`, and within the owner's `maxViewers`. Unmeasured: the fallback.
 */
export function peerSeatsFor(
  report: { ladderKbps: number; uplinkKbps?: number },
  config: PeerSeatConfig,
  maxViewers?: number,
): number {
  const earned =
    report.uplinkKbps === undefined
      ? config.fallback
      : Math.floor((Math.max(0, report.uplinkKbps - report.ladderKbps) * HEADROOM) / config.seatKbps);
  return Math.min(earned, config.max, maxViewers ?? Number.POSITIVE_INFINITY);
}

/**
 * `stream:uplink`: the registered broadcaster reports its ladder and uplink; the stream gains an
 * HLS tier (if it had none) and its seats follow the uplink. Viewers already seated keep their
 * seats when the budget shrinks; only new joins see it.
 */
export async function reportLadder(
  deps: Pick<SignalingDeps, 'streams'> & { seats: PeerSeatConfig },
  me: BroadcasterPeer,
  report: { ladderKbps: number; uplinkKbps?: number },
): Promise<StreamRecord> {
  const stream = await deps.streams.get(me.streamId);
  if (!stream) throw new NotFoundError(`Stream ${me.streamId} does not exist`, 'STREAM_NOT_FOUND');
  if (stream.status !== 'live') throw wrongState(stream, 'report on');
  // A connection opened with a key since rotated is no longer the broadcaster, registered or not.
  if (currentBroadcaster(stream) !== me.connectionId) throw notTheBroadcaster(stream, me);
  const ladder: LadderReport = { ...report, peerSeats: peerSeatsFor(report, deps.seats, stream.maxViewers) };
  const set = await deps.streams.setLadder(me.streamId, me.connectionId, ladder);
  if (set.ok) return set.value;
  const current = set.current ?? stream;
  if (current.status !== 'live') throw wrongState(current, 'report on');
  throw notTheBroadcaster(current, me);
}
