import type { RecordingState } from './recording-model.ts';
import { type ReplaySource, replayOf } from './replay.ts';
import type { TicketGrant } from './tickets.ts';

/** The lifecycle of a stream: `created -> live -> ended`, nothing else. */
export type StreamStatus = 'created' | 'live' | 'ended';

/** A Livestreams row as stored. `streamKeyHash` never leaves the service. */
export interface StreamRecord {
  streamId: string;
  ownerId: string;
  title: string;
  description: string;
  recordingEnabled: boolean;
  status: StreamStatus;
  /** SHA-256 of the stream key, hex; absent once the stream has ended (key revoked). */
  streamKeyHash?: string;
  /** The owner's hard cap on viewers of both tiers; absent: no cap (docs/live.md). */
  maxViewers?: number;
  /** Peer-to-peer seats: at most this many viewers get a WebRTC connection from the broadcaster. */
  peerSeats?: number;
  /** Viewers in a peer-to-peer seat now (the `webrtc` tier), counted exactly by core/seats.ts. */
  viewerCount: number;
  peakViewers: number;
  /** Peer-to-peer joins; the `hls` tier's are `hlsViews`. */
  totalViews: number;
  /**
   * The live ladder's bitrate, from the broadcaster's `stream:uplink` reports: present once its
   * browser runs one (docs/live.md), so the stream has an HLS tier under `live/{streamId}/`.
   */
  ladderKbps?: number;
  uplinkKbps?: number;
  /** The HLS tier's audience as of the last roll-up of presence beats (core/audience.ts). */
  hlsViewers?: number;
  hlsViews?: number;
  /** The presence window the roll-up summed, and until when its count stands without a newer one. */
  hlsWindow?: number;
  hlsFreshUntil?: number;
  createdAt: number;
  startedAt?: number;
  endedAt?: number;
  recordingUrl?: string;
  /** Why it ended: `ended` (by its owner) or `broadcaster_disconnected` (grace period over). */
  endReason?: EndReason;
  /** Present only while live: the live index's partition key. */
  liveShard?: string;
  /** The registered broadcaster's WebSocket connection, while it is connected. */
  broadcasterConnectionId?: string;
  /** Set when that connection proved itself with the stream key: the key's id (see `keyIdOf`). */
  broadcasterKeyId?: string;
  /** When the broadcaster's connection dropped without `stream:end` (epoch ms). */
  broadcasterGoneAt?: number;
  /** Joins and leaves under way or interrupted (see core/seats.ts); stored as marker attributes. */
  pendingSeats?: PendingSeat[];
  /** Slow mode: each user may post once per this many seconds (absent or 0: off). */
  chatSlowModeSeconds?: number;
  /** The server-side recording (docs/recording.md); `recordingUrl` is a client-side one. */
  recording?: RecordingState;
  /** Present while the stream has a recording that is not deleted: the `recordings` index key. */
  recordingOwnerId?: string;
  recordingOpenedAt?: number;
}

/** A seat change under way: its counter change is applied, its session write not yet confirmed. */
export type PendingSeat =
  | { kind: 'joining'; viewerId: string; at: number }
  | { kind: 'leaving'; viewerId: string; attempt: string; at: number };

/** `terminated`: an admin ended it at once (moderation). */
export type EndReason = 'ended' | 'broadcaster_disconnected' | 'terminated';

/** What anyone may see of a stream. */
export interface PublicStream {
  streamId: string;
  ownerId: string;
  title: string;
  description: string;
  status: StreamStatus;
  recordingEnabled: boolean;
  /** The owner's hard cap on viewers, or null: no cap. */
  maxViewers: number | null;
  /** Watching now, both tiers (`tiers` splits it). */
  viewerCount: number;
  tiers: { webrtc: number; hls: number };
  peakViewers: number;
  totalViews: number;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  endReason: EndReason | null;
  recordingUrl: string | null;
  /** The server-side recording's state and, once ready, where it plays. */
  recording: RecordingSummary | null;
}

/**
 * The stream's replay at a glance: the server recording's state (`ready` for a live replay with no
 * server recording), and what `playbackUrl` plays (`source`; null while nothing plays).
 */
export interface RecordingSummary {
  status: RecordingState['status'];
  playbackUrl: string | null;
  thumbnailUrl: string | null;
  durationSeconds: number | null;
  source: ReplaySource | null;
}

const iso = (epochMs: number | undefined) => (epochMs === undefined ? null : new Date(epochMs).toISOString());

/**
 * Projects a stored stream onto its public fields; the key hash and shard never appear. `now`
 * decides whether the HLS tier's last roll-up still stands (core/audience.ts); with
 * `mediaBaseUrl`, an ended stream's live replay is found too (see `replayOf`).
 */
export function toPublicStream(stream: StreamRecord, now: number, mediaBaseUrl?: string): PublicStream {
  const hls = hlsViewersAt(stream, now);
  return {
    streamId: stream.streamId,
    ownerId: stream.ownerId,
    title: stream.title,
    description: stream.description,
    status: stream.status,
    recordingEnabled: stream.recordingEnabled,
    maxViewers: stream.maxViewers ?? null,
    viewerCount: stream.viewerCount + hls,
    tiers: { webrtc: stream.viewerCount, hls },
    peakViewers: stream.peakViewers,
    totalViews: stream.totalViews + (stream.hlsViews ?? 0),
    createdAt: new Date(stream.createdAt).toISOString(),
    startedAt: iso(stream.startedAt),
    endedAt: iso(stream.endedAt),
    endReason: stream.endReason ?? null,
    recordingUrl: stream.recordingUrl ?? null,
    recording: recordingSummary(stream, mediaBaseUrl),
  };
}

function recordingSummary(stream: StreamRecord, mediaBaseUrl: string | undefined): RecordingSummary | null {
  const { recording } = stream;
  const replay = replayOf(stream, mediaBaseUrl);
  if (!recording && !replay) return null;
  return {
    status: recording?.status ?? 'ready',
    playbackUrl: replay?.playbackUrl ?? null,
    thumbnailUrl: recording?.thumbnailUrl ?? null,
    durationSeconds: recording?.durationSeconds ?? null,
    source: replay?.source ?? null,
  };
}

/**
 * The HLS tier's viewers at `now`: the last roll-up's count while it stands; none once no beat has
 * rolled one up for a whole window (everyone left, or the stream ended).
 */
export function hlsViewersAt(
  stream: Pick<StreamRecord, 'hlsViewers' | 'hlsFreshUntil' | 'status'>,
  now: number,
): number {
  if (stream.status !== 'live' || now >= (stream.hlsFreshUntil ?? 0)) return 0;
  return stream.hlsViewers ?? 0;
}

/**
 * Whether the broadcaster's live ladder runs now: its last report named a bitrate. A ladder that
 * failed reports 0, and the stream falls back to peer seats alone (its segments stay, for the replay).
 */
export const ladderRunning = (stream: Pick<StreamRecord, 'ladderKbps'>) => (stream.ladderKbps ?? 0) > 0;

/** How a viewer watches: a peer connection from the broadcaster, or the live ladder from the CDN. */
export type ViewerTier = 'webrtc' | 'hls';

/** One viewing session: a row per successful join. */
export interface ViewerSession {
  streamId: string;
  viewerId: string;
  userId: string;
  joinedAt: number;
  leftAt?: number;
  watchMs?: number;
  /** Which leave attempt closed it (see core/seats.ts). */
  closedBy?: string;
  /** The stream's id while the session is open: the sparse `openSessions` index finds a user's open sessions. */
  openStreamId?: string;
  /** The viewer's WebSocket connection, once it has sent `stream:join`. */
  connectionId?: string;
  /** `hls` for the live ladder's viewers; absent on a peer-to-peer seat (and on older rows). */
  tier?: 'hls';
  /** HLS only: the last presence window the viewer was counted in, and when it last beat. */
  seenWindow?: number;
  seenAt?: number;
}

/** The authenticated caller, from a verified JWT. */
export interface User {
  userId: string;
  roles: readonly string[];
}

/** A chat message as stored and as the API shows it (the spec's `{id, userId, message, timestamp}`). */
export interface ChatMessage {
  id: string;
  streamId: string;
  userId: string;
  /** Trimmed, otherwise exactly as sent: clients must render it as text, never as HTML. */
  message: string;
  /** Epoch ms, set by the server. */
  createdAt: number;
  deletedAt?: number;
}

/** A LivestreamConnections row: who is on the other end of one WebSocket. */
export type ConnectionRecord = TicketGrant & {
  connectionId: string;
  connectedAt: number;
  /** Epoch seconds; DynamoDB's TTL deletes the row if $disconnect never arrives. */
  expiresAt: number;
};

/** A chat room member as the fan-out lists it: the connection, and which frames it asked for. */
export interface RoomMember {
  connectionId: string;
  /** Joined with `batch: true`: runs of messages come coalesced (`chat:messages`). */
  batch: boolean;
}
