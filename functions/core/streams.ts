import { ConflictError, ForbiddenError, NotFoundError, UnauthorizedError } from './errors.ts';
import type { PublicStream, StreamRecord, User } from './model.ts';
import { toPublicStream } from './model.ts';
import type { Clock, IdSource, StreamStore, WriteResult } from './ports.ts';
import { hashStreamKey, streamKeyMatches } from './stream-key.ts';
import { type BroadcasterProofKind, keyIdOf } from './tickets.ts';

export interface StreamDeps {
  streams: StreamStore;
  clock: Clock;
  ids: IdSource;
}

export interface NewStream {
  title: string;
  description: string;
  recordingEnabled: boolean;
  /** The owner's cap on both tiers, if any. */
  maxViewers?: number;
  peerSeats: number;
}

/** Creates a stream in `created` state. The key is returned once and stored only as a hash. */
export async function createStream(
  deps: StreamDeps,
  owner: User,
  input: NewStream,
): Promise<{ streamId: string; streamKey: string; stream: PublicStream }> {
  const streamKey = deps.ids.streamKey();
  const stream: StreamRecord = {
    streamId: deps.ids.streamId(),
    ownerId: owner.userId,
    ...input,
    status: 'created',
    streamKeyHash: hashStreamKey(streamKey),
    viewerCount: 0,
    peakViewers: 0,
    totalViews: 0,
    createdAt: deps.clock.now(),
  };
  await deps.streams.create(stream);
  return { streamId: stream.streamId, streamKey, stream: toPublicStream(stream, stream.createdAt) };
}

/**
 * A stream, or its id. A REST handler passes the record its route's owner check has read
 * (`route({owner})`), so the use case acts on it without reading it again; others pass the id.
 */
export type StreamRef = string | StreamRecord;

/** The stream: read when given its id, 404 `STREAM_NOT_FOUND` when there is none. */
export async function getStream(
  deps: { streams: Pick<StreamStore, 'get'> },
  ref: StreamRef,
): Promise<StreamRecord> {
  if (typeof ref !== 'string') return ref;
  const stream = await deps.streams.get(ref);
  if (!stream) throw new NotFoundError(`Stream ${ref} does not exist`, 'STREAM_NOT_FOUND');
  return stream;
}

const isAdmin = (user: User) => user.roles.includes('admin');

/**
 * The stream, once `user` is shown to own it (or, with `orAdmin`, to be an admin): 404 for no
 * such stream comes before 403. Route handlers run it before reading what the caller sent.
 */
export async function ownedStream(
  deps: { streams: Pick<StreamStore, 'get'> },
  ref: StreamRef,
  user: User,
  options: { orAdmin?: boolean } = {},
): Promise<StreamRecord> {
  const stream = await getStream(deps, ref);
  if (stream.ownerId !== user.userId && !(options.orAdmin && isAdmin(user))) {
    throw new ForbiddenError('Only the stream owner may do this');
  }
  return stream;
}

/**
 * Runs `step`, which looks a viewing session up by stream and viewer id. Sessions live under
 * their stream, so when none is found because the stream itself does not exist, the precise
 * answer is `STREAM_NOT_FOUND`, not `VIEWER_NOT_FOUND`. The stream is read on that path only.
 *
 * @example
 * await withinStream(deps, streamId, () => assertOpenSession(deps, streamId, viewerId, user));
 */
export async function withinStream<T>(
  deps: { streams: Pick<StreamStore, 'get'> },
  streamId: string,
  step: () => Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof NotFoundError && error.code === 'VIEWER_NOT_FOUND') await getStream(deps, streamId);
    throw error;
  }
}

/** Who may act as the broadcaster: the owner's token, or the stream key (for encoders). */
export type BroadcasterProof = { user: User } | { streamKey: string };

/** The proof a request carries: the stream key (`X-Stream-Key`) first, else the signed-in user; 401 without either. */
export function broadcasterProof(user: User | undefined, streamKey: string | undefined): BroadcasterProof {
  if (streamKey) return { streamKey };
  if (user) return { user };
  throw new UnauthorizedError('Sign in as the owner, or send the stream key in X-Stream-Key');
}

export function assertBroadcaster(stream: StreamRecord, proof: BroadcasterProof): void {
  if ('user' in proof) {
    if (proof.user.userId !== stream.ownerId) throw new ForbiddenError('Only the stream owner may do this');
  } else if (!streamKeyMatches(proof.streamKey, stream.streamKeyHash)) {
    throw new ForbiddenError('The stream key is not valid for this stream');
  }
}

/** The 409 for a stream whose state does not allow `action`. */
export function wrongState(stream: StreamRecord, action: string): ConflictError {
  const code = { created: 'STREAM_NOT_LIVE', live: 'STREAM_ALREADY_LIVE', ended: 'STREAM_ENDED' }[
    stream.status
  ];
  return new ConflictError(`Cannot ${action} a stream that is ${stream.status}`, code, {
    status: stream.status,
  });
}

/** The stream, once `proof` shows its broadcaster is asking: 404 for no such stream, then 403. */
export async function broadcastersStream(
  deps: { streams: Pick<StreamStore, 'get'> },
  ref: StreamRef,
  proof: BroadcasterProof,
): Promise<StreamRecord> {
  const stream = await getStream(deps, ref);
  assertBroadcaster(stream, proof);
  return stream;
}

/**
 * Runs a conditional state change. The early check gives the precise error cheaply; the
 * store's condition settles races (two starts at once), and a lost race is re-classified.
 */
async function transition(
  deps: Pick<StreamDeps, 'streams'>,
  ref: StreamRef,
  proof: BroadcasterProof,
  action: string,
  allowed: (stream: StreamRecord) => boolean,
  write: (stream: StreamRecord) => Promise<WriteResult<StreamRecord>>,
): Promise<StreamRecord> {
  const stream = await broadcastersStream(deps, ref, proof);
  if (!allowed(stream)) throw wrongState(stream, action);
  const result = await write(stream);
  if (result.ok) return result.value;
  if (!result.current) {
    throw new NotFoundError(`Stream ${stream.streamId} does not exist`, 'STREAM_NOT_FOUND');
  }
  throw wrongState(result.current, action);
}

export function startStream(
  deps: StreamDeps,
  ref: StreamRef,
  proof: BroadcasterProof,
): Promise<StreamRecord> {
  return transition(
    deps,
    ref,
    proof,
    'start',
    (s) => s.status === 'created',
    (s) => deps.streams.markLive(s.streamId, deps.clock.now(), deps.ids.liveShard()),
  );
}

/**
 * Ends a live stream: the owner over REST, or the broadcaster's connection (whose ticket
 * speaks for the owner). Ending is irreversible, so a stream key alone is not enough.
 */
export function endStream(
  deps: Pick<StreamDeps, 'streams' | 'clock'>,
  ref: StreamRef,
  owner: User,
  recordingUrl?: string,
): Promise<StreamRecord> {
  return transition(
    deps,
    ref,
    { user: owner },
    'end',
    (s) => s.status === 'live',
    (s) => deps.streams.markEnded(s.streamId, deps.clock.now(), { reason: 'ended', recordingUrl }),
  );
}

/** Issues a new key and invalidates the old one at once. */
export async function rotateStreamKey(deps: StreamDeps, ref: StreamRef, owner: User): Promise<string> {
  const streamKey = deps.ids.streamKey();
  await transition(
    deps,
    ref,
    { user: owner },
    'rotate the key of',
    (s) => s.status !== 'ended',
    (s) => deps.streams.replaceKeyHash(s.streamId, hashStreamKey(streamKey)),
  );
  return streamKey;
}

/** Checks that `proof` may act as the broadcaster of a live stream (to get a ticket). */
export async function assertLiveBroadcaster(
  deps: Pick<StreamDeps, 'streams'>,
  ref: StreamRef,
  proof: BroadcasterProof,
): Promise<StreamRecord> {
  const stream = await broadcastersStream(deps, ref, proof);
  if (stream.status !== 'live') throw wrongState(stream, 'connect to');
  return stream;
}

export async function listActiveStreams(
  deps: Pick<StreamDeps, 'streams' | 'clock'>,
  page: { limit: number; offset: number; cursor?: string },
): Promise<{ streams: PublicStream[]; nextCursor: string | null }> {
  const result = await deps.streams.listLive({ limit: page.limit, skip: page.offset, cursor: page.cursor });
  const now = deps.clock.now();
  return {
    streams: result.streams.map((stream) => toPublicStream(stream, now)),
    nextCursor: result.nextCursor,
  };
}

/**
 * What a broadcaster's ticket records of its proof: the owner, or the stream key by its id, so
 * that rotating the key revokes the connection it opens (see `currentBroadcaster`).
 */
export function broadcasterGrant(stream: StreamRecord, proof: BroadcasterProof): BroadcasterProofKind {
  if ('user' in proof) return { via: 'owner' };
  return { via: 'key', keyId: keyIdOf(stream.streamKeyHash ?? '') };
}
