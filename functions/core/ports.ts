import type { StreamRecord, ViewerSession } from './model.ts';

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
  /** `live -> ended`: revokes the key, leaves the live index, resets the live count. */
  markEnded(streamId: string, endedAt: number, recordingUrl?: string): Promise<WriteResult<StreamRecord>>;
  /** Replaces the key hash, only while the stream has not ended. */
  replaceKeyHash(streamId: string, streamKeyHash: string): Promise<WriteResult<StreamRecord>>;
  /** Atomically counts a viewer in, only while live and below `maxViewers`. */
  addViewer(streamId: string): Promise<WriteResult<StreamRecord>>;
  /** Raises `peakViewers` to `count` unless it is already at least that. */
  raisePeak(streamId: string, count: number): Promise<void>;
  /** Counts a viewer out while live; a no-op once ended or at zero. */
  removeViewer(streamId: string): Promise<void>;
  /** Live streams, newest first. `skip` drops that many from the front (legacy offset paging). */
  listLive(page: { limit: number; skip: number; cursor?: string }): Promise<LivePage>;
}

export interface ViewerStore {
  put(session: ViewerSession): Promise<void>;
  /** Closes the session if it belongs to `userId` and is open; otherwise returns what is stored. */
  close(
    streamId: string,
    viewerId: string,
    userId: string,
    leftAt: number,
  ): Promise<WriteResult<ViewerSession>>;
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
}
