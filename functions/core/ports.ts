import type { JobInput } from './ladder.ts';
import type {
  ChatMessage,
  ConnectionRecord,
  EndReason,
  PendingSeat,
  RoomMember,
  StreamRecord,
  ViewerSession,
} from './model.ts';
import type { ServerFrame } from './protocol.ts';
import type { RecordingState, RecordingStatus } from './recording-model.ts';

/** Outcome of a conditional write: the new state, or what stopped it (undefined: no such row). */
export type WriteResult<T> = { ok: true; value: T } | { ok: false; current: T | undefined };

/** A page of live streams, newest first, with an opaque cursor for the next page. */
export interface LivePage {
  streams: StreamRecord[];
  nextCursor: string | null;
}

export interface StreamStore {
  create(stream: StreamRecord): Promise<void>;
  get(streamId: string): Promise<StreamRecord | undefined>;
  /** `created -> live`, only while still `created`. */
  markLive(streamId: string, startedAt: number, liveShard: string): Promise<WriteResult<StreamRecord>>;
  /**
   * `live -> ended`: revokes the key, leaves the live index, resets the live count. With
   * `ifBroadcasterGoneAt`, only if the broadcaster has not come back since that drop.
   */
  markEnded(
    streamId: string,
    endedAt: number,
    options: { reason: EndReason; recordingUrl?: string; ifBroadcasterGoneAt?: number },
  ): Promise<WriteResult<StreamRecord>>;
  /** Replaces the key hash, only while the stream has not ended. */
  replaceKeyHash(streamId: string, streamKeyHash: string): Promise<WriteResult<StreamRecord>>;
  /**
   * Counts a viewer into a peer-to-peer seat (viewers and views +1) with its `joining` marker, in
   * one conditional write: only while live and below `peerSeats`.
   */
  addViewer(streamId: string, viewerId: string, at: number): Promise<WriteResult<StreamRecord>>;
  /**
   * The broadcaster's ladder report: its bitrate, its measured uplink and the peer seats they leave;
   * only while live and only from the registered broadcaster's connection.
   */
  setLadder(streamId: string, connectionId: string, ladder: LadderReport): Promise<WriteResult<StreamRecord>>;
  /**
   * Stores the HLS tier's roll-up of presence `window`, only while live and only if no later window
   * was rolled up already (the first of racing roll-ups wins; the others change nothing).
   */
  recordAudience(streamId: string, audience: AudienceRollUp): Promise<WriteResult<StreamRecord>>;
  /** Raises `peakViewers` to `peak` unless it is already at least that; true if it did. */
  raisePeak(streamId: string, peak: number): Promise<boolean>;
  /** Puts a `leaving` marker, only while live (no counter changes yet). */
  markLeaving(streamId: string, seat: PendingSeat & { kind: 'leaving' }): Promise<WriteResult<StreamRecord>>;
  /**
   * Removes a marker and applies `change` (counts to take off, a peak to raise) in one write, only
   * if the marker is still there (and the count high enough); true if this call did it. A peak
   * already at least as high is left alone and the marker still goes.
   */
  settleSeat(streamId: string, seat: PendingSeat, change: SeatChange): Promise<boolean>;
  /**
   * Makes `connectionId` the broadcaster's, only while live and, with `keyId`, only while that is
   * still the stream key's id; a resume clears the drop time.
   */
  registerBroadcaster(
    streamId: string,
    connectionId: string,
    keyId?: string,
  ): Promise<WriteResult<StreamRecord>>;
  /** Forgets the broadcaster's connection if it is still `connectionId`; true if it was. */
  releaseBroadcaster(streamId: string, connectionId: string, goneAt: number): Promise<boolean>;
  /** Sets the chat's slow-mode gap (0: off). */
  setSlowMode(streamId: string, seconds: number): Promise<void>;
  /** Live streams, newest first. `skip` drops that many from the front (legacy offset paging). */
  listLive(page: { limit: number; skip: number; cursor?: string }): Promise<LivePage>;
}

export interface LadderReport {
  ladderKbps: number;
  uplinkKbps?: number;
  peerSeats: number;
}

export interface AudienceRollUp {
  window: number;
  viewers: number;
  views: number;
  /** Until when this count stands without a newer roll-up (epoch ms). */
  freshUntil: number;
}

/** What one write to an audience shard saw (core/audience.ts). */
export interface ShardCount {
  /** The shard's count for the window just written, this write included. */
  windowCount: number;
  /** HLS joins on the shard whose session write is not confirmed yet (or was cut short). */
  pendingJoins: { viewerId: string; at: number }[];
}

/**
 * The HLS tier's counters, spread over shards so that no single item takes a large audience's
 * writes: per shard, total views and one count per presence window (the last few only).
 */
export interface AudienceStore {
  /** views +1 and `window`'s count +1, with a `joining` marker for `viewerId`, in one write. */
  join(
    streamId: string,
    shard: number,
    window: number,
    viewer: { viewerId: string; at: number },
  ): Promise<ShardCount>;
  /** Removes the marker; with `undo`, takes the view back too. True if this call did it. */
  settleJoin(streamId: string, shard: number, viewerId: string, undo: boolean): Promise<boolean>;
  /** `window`'s count +1 (one presence beat). */
  beat(streamId: string, shard: number, window: number): Promise<ShardCount>;
  /** Sums every shard: `window`'s count and the views. */
  total(streamId: string, window: number): Promise<{ viewers: number; views: number }>;
}

/** How much a settled marker takes off the stream's counters. */
export interface SeatChange {
  viewers: 0 | 1;
  views: 0 | 1;
  /** Raise `peakViewers` to this unless it is already at least that. */
  peak?: number;
}

export interface ViewerStore {
  /** Writes a new open session (indexed as open for its user). */
  put(session: ViewerSession): Promise<void>;
  get(streamId: string, viewerId: string): Promise<ViewerSession | undefined>;
  /** The sessions among `viewerIds` that exist (order not kept). */
  getMany(streamId: string, viewerIds: readonly string[]): Promise<ViewerSession[]>;
  /** Binds an open session of `userId` to its WebSocket connection. */
  attachConnection(
    streamId: string,
    viewerId: string,
    userId: string,
    connectionId: string,
  ): Promise<WriteResult<ViewerSession>>;
  /**
   * Closes the session if it is open (and belongs to `userId`, when given), recording which leave
   * `attempt` closed it; otherwise returns what is stored.
   */
  close(
    streamId: string,
    viewerId: string,
    close: { leftAt: number; attempt: string; userId?: string },
  ): Promise<WriteResult<ViewerSession>>;
  /**
   * An HLS session's presence beat: records `window` (and the time), only if the session is open,
   * is `userId`'s, is on the HLS tier and was not counted in `window` yet.
   */
  beat(
    streamId: string,
    viewerId: string,
    beat: { userId: string; window: number; at: number },
  ): Promise<WriteResult<ViewerSession>>;
  /** The ids of `userId`'s open sessions on a stream (the `openSessions` index: eventually consistent). */
  openSessionsOf(streamId: string, userId: string): Promise<string[]>;
}

/** What a relay checks, both sides at once: the stream row and one viewing session (one round trip). */
export interface RelayReads {
  pair(streamId: string, viewerId: string): Promise<{ stream?: StreamRecord; session?: ViewerSession }>;
}

/** One viewing session's timing, as the stats need it. */
export type SessionTiming = Pick<ViewerSession, 'userId' | 'joinedAt' | 'leftAt' | 'tier' | 'seenAt'>;

/** Every viewing session of a stream (the owner's stats). */
export interface SessionHistory {
  sessions(streamId: string): Promise<SessionTiming[]>;
}

export interface Clock {
  now(): number;
}

export interface IdSource {
  streamId(): string;
  viewerId(): string;
  /** A secret: 256 random bits, URL-safe. */
  streamKey(): string;
  /** Picks the live-index shard for a stream going live. */
  liveShard(): string;
  /** A short random id for one attempt at a change (a leave), unique enough to tell attempts apart. */
  attemptId(): string;
}

/** One-off checks of a stream whose broadcaster dropped (EventBridge Scheduler on AWS). */
export interface WatchdogScheduler {
  scheduleCheck(check: StreamCheck, atMs: number): Promise<void>;
}

/** The watchdog's event: end `streamId` if its broadcaster is still gone since `goneAt`. */
export interface StreamCheck {
  streamId: string;
  goneAt: number;
}

/** A change to a stream's recording, applied only if it is still in one of the `from` states. */
export interface RecordingChange {
  from: readonly RecordingStatus[];
  /** Only if the recording's job is this one (job events), or has none yet (`null`). */
  jobId?: string | null;
  /** Only if the stored progress is below this (job progress never goes back). */
  progressBelow?: number;
  set: Partial<RecordingState>;
  remove?: readonly (keyof RecordingState)[];
  /** Takes the stream out of its owner's recordings list (a deleted recording). */
  unlist?: boolean;
}

/** A page of one owner's recordings, newest first. */
export interface RecordingPage {
  streams: StreamRecord[];
  nextCursor: string | null;
}

/** A stream's recording, kept on its Livestreams row. */
export interface RecordingStore {
  /** Attaches a first recording to a stream (only if it has none) and lists it under its owner. */
  open(streamId: string, ownerId: string, recording: RecordingState): Promise<WriteResult<StreamRecord>>;
  /** The stream as changed, or undefined when the change's preconditions did not hold (no read then). */
  change(streamId: string, change: RecordingChange): Promise<StreamRecord | undefined>;
  listByOwner(ownerId: string, page: { limit: number; cursor?: string }): Promise<RecordingPage>;
}

/** One part S3 holds of a multipart upload. */
export interface StoredPart {
  partNumber: number;
  etag: string;
  sizeBytes: number;
}

/** The recordings bucket, as the upload and archive flows need it. */
export interface RecordingBucket {
  readonly name: string;
  createUpload(key: string, contentType: string): Promise<string>;
  /** A URL that lets its holder PUT exactly `sizeBytes` as part `partNumber`, until it expires. */
  presignPart(
    key: string,
    uploadId: string,
    part: { partNumber: number; sizeBytes: number },
    expiresInSeconds: number,
  ): Promise<string>;
  /** The parts S3 holds, in order; undefined if the upload no longer exists. */
  listParts(key: string, uploadId: string): Promise<StoredPart[] | undefined>;
  completeUpload(key: string, uploadId: string, parts: readonly StoredPart[]): Promise<void>;
  /** Aborts the upload; an upload that no longer exists is not an error. */
  abortUpload(key: string, uploadId: string): Promise<void>;
  /** Deletes every object under `prefix`; returns how many. */
  deletePrefix(prefix: string): Promise<number>;
}

/** A presigned POST (S3 POST Object): the form to send to `url`, good until `expiresAt` (epoch ms). */
export interface UploadCredential {
  url: string;
  fields: Record<string, string>;
  expiresAt: number;
}

/** The bucket's live prefix as the broadcaster writes to it: browser uploads, no function in the way. */
export interface LiveUploads {
  /**
   * A credential for any key that starts with `keyPrefix`, of 1 to `maxBytes` bytes each, with any
   * Content-Type, for `expiresInSeconds`. The caller picks each key (a `key` field it adds).
   */
  credential(
    keyPrefix: string,
    limits: { maxBytes: number; expiresInSeconds: number },
  ): Promise<UploadCredential>;
}

/** One text object of the live ladder as stored: its content and version. */
export interface LiveText {
  text: string;
  /** S3's ETag, quotes included: what a conditional write names. */
  etag: string;
  /** Kept on a rewrite, so the CDN caches the finished playlist as the broadcaster asked. */
  cacheControl?: string;
}

/** The live ladder's objects under `live/` (docs/live.md), as the server finishes them. */
export interface LiveObjects {
  /** The object as text, or undefined when there is none. */
  read(key: string): Promise<LiveText | undefined>;
  /**
   * Replaces the object only if it is still the version read (`ifMatch`: its ETag); false when it
   * changed or went meanwhile, so a segment the broadcaster listed in between is never dropped.
   */
  writeIfUnchanged(
    key: string,
    text: string,
    options: { ifMatch: string; contentType: string; cacheControl?: string },
  ): Promise<boolean>;
  /** The names of the folders right under `prefix` (`{prefix}{name}/`), at most `limit`. */
  listFolders(prefix: string, limit: number): Promise<string[]>;
}

/** What MediaConvert's Probe says of a source: its video size, or nothing it can decode. */
export interface ProbedSource {
  video?: { width: number; height: number };
  durationSeconds?: number;
}

export interface Transcoder {
  probe(fileUrl: string): Promise<ProbedSource>;
  /** Submits the recording's transcode; returns the job's id. */
  submit(job: JobInput): Promise<string>;
}

/** The chat table: messages, and the windows and bans posting checks. */
export interface ChatStore {
  put(message: ChatMessage, expiresAt: number): Promise<void>;
  /** Newest first, deleted ones left out, strictly older than `before` when given. */
  list(streamId: string, limit: number, before?: string): Promise<{ messages: ChatMessage[]; more: boolean }>;
  /** Until when `userId` is banned from this stream's chat (`Infinity` for good), if at all. */
  bannedUntil(streamId: string, userId: string): Promise<number | undefined>;
  /** Counts a post in the user's current window; false when the window is full. */
  countPost(
    streamId: string,
    userId: string,
    window: { index: number; max: number; expiresAt: number },
  ): Promise<boolean>;
  /** Counts a post in the room's current window (all users together); false when it is full. */
  countRoomPost(
    streamId: string,
    window: { index: number; max: number; expiresAt: number },
  ): Promise<boolean>;
  /** Takes the user's slow-mode slot if its last post is at least `gapMs` old. */
  takeSlot(streamId: string, userId: string, now: number, gapMs: number): Promise<boolean>;
}

/** The chat table as moderation changes it. */
export interface ModerationStore extends ChatStore {
  /** Marks a message deleted (history hides it; the fan-out tells the room). False: no such message. */
  markDeleted(streamId: string, id: string, at: number): Promise<boolean>;
  /** `until`: epoch ms, or `Infinity` for good. */
  ban(streamId: string, userId: string, until: number, by: string): Promise<void>;
  unban(streamId: string, userId: string): Promise<void>;
}

/** The LivestreamConnections table: who is on the other end of each WebSocket, and chat rooms. */
export interface ConnectionStore {
  /**
   * Marks a ticket used until `expiresAt` (epoch seconds); false if it already was. A conditional
   * write, so two connects racing with one ticket cannot both win.
   */
  claimTicket(ticketId: string, expiresAt: number): Promise<boolean>;
  put(connection: ConnectionRecord): Promise<void>;
  delete(connectionId: string): Promise<void>;
  /** Every open connection of a stream (the `byStream` index). */
  listByStream(streamId: string): Promise<ConnectionRecord[]>;
  /**
   * Puts the connection in its stream's chat room, with its frame preference, on its own row, so
   * listing the room tells the fan-out both (false if the connection is gone). Joining again
   * replaces the preference.
   */
  joinRoom(connectionId: string, streamId: string, options: { batch: boolean }): Promise<boolean>;
  leaveRoom(connectionId: string): Promise<void>;
  /** The members of a stream's chat room (the sparse `byRoom` index), preferences included. */
  listRoom(streamId: string): Promise<RoomMember[]>;
}

/** Pushes frames to WebSocket clients by connection id (API Gateway's @connections API). */
export interface ConnectionSender {
  /** `gone` when the connection no longer exists (API Gateway answers 410). */
  send(connectionId: string, frame: ServerFrame): Promise<'sent' | 'gone'>;
  /** Closes the connection; its $disconnect follows. A connection already gone is fine. */
  close(connectionId: string): Promise<void>;
}
