import { eachLimited } from './each-limited.ts';
import { ConflictError, ForbiddenError, NotFoundError } from './errors.ts';
import { frame } from './frames.ts';
import type { StreamRecord, ViewerTier } from './model.ts';
import type {
  Clock,
  ConnectionSender,
  ConnectionStore,
  IdSource,
  RelayReads,
  StreamStore,
  ViewerStore,
  WatchdogScheduler,
} from './ports.ts';
import type { ServerFrame } from './protocol.ts';
import { FAN_OUT_CONCURRENCY } from './stream-end.ts';
import { wrongState } from './streams.ts';
import { keyIdOf, type TicketGrant } from './tickets.ts';
import { leaveStream } from './viewers.ts';

export interface SignalingDeps {
  streams: StreamStore;
  viewers: ViewerStore;
  connections: ConnectionStore;
  relay: RelayReads;
  sender: ConnectionSender;
  clock: Clock;
  ids: IdSource;
  /** See core/seats.ts. */
  seatRepairAfterMs: number;
  watchdog: WatchdogScheduler;
  graceSeconds: number;
}

/** The sender of a frame: its connection and what its ticket granted at $connect. */
export type Peer = TicketGrant & { connectionId: string };
export type ViewerPeer = Extract<Peer, { role: 'viewer' }>;
export type BroadcasterPeer = Extract<Peer, { role: 'broadcaster' }>;

async function liveStream(deps: Pick<SignalingDeps, 'streams'>, streamId: string): Promise<StreamRecord> {
  return assertLive(await deps.streams.get(streamId), streamId);
}

function assertLive(stream: StreamRecord | undefined, streamId: string): StreamRecord {
  if (!stream) throw new NotFoundError(`Stream ${streamId} does not exist`, 'STREAM_NOT_FOUND');
  if (stream.status !== 'live') throw wrongState(stream, 'signal on');
  return stream;
}

/**
 * The broadcaster connection that may signal for a live stream: the registered one, and if it
 * proved itself with the stream key, only while that key is still the stream's (a rotation
 * revokes it at once, without waiting for the socket to close).
 */
export function currentBroadcaster(stream: StreamRecord): string | undefined {
  const { broadcasterConnectionId, broadcasterKeyId, streamKeyHash } = stream;
  if (stream.status !== 'live' || !broadcasterConnectionId) return undefined;
  if (broadcasterKeyId && (!streamKeyHash || keyIdOf(streamKeyHash) !== broadcasterKeyId)) return undefined;
  return broadcasterConnectionId;
}

/**
 * Sends to the broadcaster of the viewer's stream. One BatchGetItem (the stream row and the
 * viewer's session), no write: the session must be open and joined on this very connection, so a
 * left viewer, a second socket or a frame before `stream:join` reaches nobody. A vanished
 * broadcaster is dropped as its $disconnect would, and the sender learns `PEER_GONE`.
 */
export async function sendToBroadcaster(
  deps: SignalingDeps,
  me: ViewerPeer,
  message: ServerFrame,
): Promise<void> {
  const { stream, session } = await deps.relay.pair(me.streamId, me.viewerId);
  assertLive(stream, me.streamId);
  if (!session || session.leftAt !== undefined)
    throw new ConflictError('This viewing session is closed; join again', 'SESSION_CLOSED');
  if (session.connectionId !== me.connectionId)
    throw new ConflictError('Send stream:join on this connection first', 'NOT_JOINED');
  const target = stream && currentBroadcaster(stream);
  if (!target)
    throw new ConflictError('No broadcaster is connected to this stream yet', 'BROADCASTER_NOT_CONNECTED');
  if ((await deps.sender.send(target, message)) === 'gone') {
    await broadcasterGone(deps, me.streamId, target);
    throw new ConflictError('The broadcaster has disconnected', 'PEER_GONE');
  }
}

/**
 * Sends to one viewer of the sender's own stream. One BatchGetItem (the stream row and the
 * session row, keyed by this stream, so a viewerId of another stream finds nothing), no write:
 * only the registered broadcaster connection, holding a current key if it used one, may signal.
 */
export async function sendToViewer(
  deps: SignalingDeps,
  me: BroadcasterPeer,
  viewerId: string,
  message: ServerFrame,
): Promise<void> {
  const { stream, session } = await deps.relay.pair(me.streamId, viewerId);
  const live = assertLive(stream, me.streamId);
  if (currentBroadcaster(live) !== me.connectionId) throw notTheBroadcaster(live, me);
  if (!session?.connectionId || session.leftAt !== undefined) {
    throw new NotFoundError(`No connected viewer ${viewerId} on this stream`, 'VIEWER_NOT_FOUND');
  }
  if ((await deps.sender.send(session.connectionId, message)) === 'gone') {
    await deps.connections.delete(session.connectionId);
    const viewer = { streamId: me.streamId, role: 'viewer' as const, userId: session.userId, viewerId };
    await viewerLeft(deps, viewer, { tier: 'webrtc', exceptConnectionId: me.connectionId });
    throw new ConflictError(`Viewer ${viewerId} has disconnected`, 'PEER_GONE');
  }
}

/**
 * The spec's broadcaster candidate, `{streamId, candidate}` with no viewer named: to every viewer
 * connection of the stream. One GetItem (the sender must be the current broadcaster) and one Query,
 * no write; sends grow with the audience, so the SDK always names the viewer instead.
 */
export async function sendToEveryViewer(deps: SignalingDeps, me: BroadcasterPeer, message: ServerFrame) {
  const live = await liveStream(deps, me.streamId);
  if (currentBroadcaster(live) !== me.connectionId) throw notTheBroadcaster(live, me);
  await tellEveryViewer(deps, me.streamId, message);
}

/**
 * Sends one frame to every viewer connection of a stream, a bounded number at a time. A viewer
 * found gone is left to its own $disconnect: these are notices, not relays.
 */
async function tellEveryViewer(
  deps: Pick<SignalingDeps, 'connections' | 'sender'>,
  streamId: string,
  message: ServerFrame,
): Promise<void> {
  const viewers = (await deps.connections.listByStream(streamId)).filter((c) => c.role === 'viewer');
  await eachLimited(viewers, FAN_OUT_CONCURRENCY, async (viewer) => {
    await deps.sender.send(viewer.connectionId, message);
  });
}

/** Why a broadcaster connection may not signal: its key was replaced, or it never registered. */
export function notTheBroadcaster(stream: StreamRecord, me: BroadcasterPeer): ForbiddenError {
  if (me.via === 'key' && stream.streamKeyHash && keyIdOf(stream.streamKeyHash) !== me.keyId) {
    return new ForbiddenError(
      'The stream key this connection was opened with has been replaced',
      'KEY_REVOKED',
    );
  }
  return new ForbiddenError(
    "This connection is not the stream's broadcaster: send stream:offer first",
    'NOT_BROADCASTER',
  );
}

/** `stream:join`: binds the session to this connection and tells the broadcaster, if any. */
export async function joinAsViewer(deps: SignalingDeps, me: ViewerPeer): Promise<ServerFrame> {
  const attached = await deps.viewers.attachConnection(me.streamId, me.viewerId, me.userId, me.connectionId);
  if (!attached.ok) throw new NotFoundError('This viewing session is closed; join again', 'VIEWER_NOT_FOUND');
  const broadcaster = currentBroadcaster(await liveStream(deps, me.streamId));
  let broadcasterConnected = false;
  if (broadcaster) {
    const sent = await deps.sender.send(
      broadcaster,
      frame('stream:viewer:joined', { viewerId: me.viewerId }),
    );
    if (sent === 'gone') await broadcasterGone(deps, me.streamId, broadcaster);
    broadcasterConnected = sent === 'sent';
  }
  return frame('stream:join:ack', { streamId: me.streamId, viewerId: me.viewerId, broadcasterConnected });
}

/**
 * `stream:offer`: registers (or, after a drop, resumes) the broadcaster, acknowledges, then
 * announces every viewer already waiting, in that order.
 */
export async function registerBroadcaster(
  deps: SignalingDeps,
  me: BroadcasterPeer,
  ref?: string,
): Promise<void> {
  const keyId = me.via === 'key' ? me.keyId : undefined;
  const registered = await deps.streams.registerBroadcaster(me.streamId, me.connectionId, keyId);
  if (!registered.ok) {
    const current = registered.current;
    if (!current) throw new NotFoundError(`Stream ${me.streamId} does not exist`, 'STREAM_NOT_FOUND');
    if (current.status !== 'live') throw wrongState(current, 'broadcast on');
    throw notTheBroadcaster(current, me);
  }
  await deps.sender.send(me.connectionId, frame('stream:offer:ack', { streamId: me.streamId }, ref));
  const connected = (await deps.connections.listByStream(me.streamId)).filter((c) => c.role === 'viewer');
  const ids = connected.flatMap((c) => (c.viewerId ? [c.viewerId] : []));
  const sessions = await deps.viewers.getMany(me.streamId, ids);
  // Waiting: sent stream:join (session bound to a connection) on a connection still open, not left.
  const open = new Set(connected.map((c) => c.connectionId));
  const waiting = sessions.filter(
    (s) => s.leftAt === undefined && s.connectionId && open.has(s.connectionId),
  );
  for (const session of waiting) {
    await deps.sender.send(me.connectionId, frame('stream:viewer:joined', { viewerId: session.viewerId }));
  }
}

/**
 * A viewer's leave or disconnect: the session closes and counts out (idempotent, the REST
 * code path), and the broadcaster, unless it is the one that found the viewer gone, is told.
 * A viewer's socket is a seat's (the HLS tier's tickets only chat): socket paths say so, and the
 * leave needs no read to find out.
 */
export async function viewerLeft(
  deps: Pick<SignalingDeps, 'streams' | 'viewers' | 'clock' | 'sender' | 'ids' | 'seatRepairAfterMs'>,
  viewer: Pick<ViewerPeer, 'streamId' | 'userId' | 'viewerId'>,
  known: { tier?: ViewerTier; exceptConnectionId?: string } = {},
): Promise<void> {
  // A leave followed by the socket closing is one departure: tell the broadcaster once, and only
  // of a seat's viewer (it never heard of the HLS tier's).
  const user = { userId: viewer.userId, roles: [] };
  const closed = await leaveStream(deps, viewer.streamId, viewer.viewerId, user, known.tier);
  if (closed !== 'webrtc') return;
  const stream = await deps.streams.get(viewer.streamId);
  const broadcaster = stream && currentBroadcaster(stream);
  if (broadcaster && broadcaster !== known.exceptConnectionId) {
    await deps.sender.send(broadcaster, frame('stream:viewer:left', { viewerId: viewer.viewerId }));
  }
}

/** A relay found the broadcaster's connection gone: drop it as its $disconnect would. */
async function broadcasterGone(deps: SignalingDeps, streamId: string, connectionId: string): Promise<void> {
  await deps.connections.delete(connectionId);
  await broadcasterLeft(deps, streamId, connectionId);
}

/**
 * The broadcaster's connection dropped without `stream:end`: viewers are told, and a check is
 * scheduled to end the stream after the grace period unless the broadcaster resumes. Only the
 * first report of a drop (its $disconnect, or a relay that found it gone) does anything.
 */
export async function broadcasterLeft(
  deps: SignalingDeps,
  streamId: string,
  connectionId: string,
): Promise<void> {
  const goneAt = deps.clock.now();
  if (!(await deps.streams.releaseBroadcaster(streamId, connectionId, goneAt))) return;
  await deps.watchdog.scheduleCheck({ streamId, goneAt }, goneAt + deps.graceSeconds * 1000);
  await tellEveryViewer(
    deps,
    streamId,
    frame('stream:broadcaster:left', { graceSeconds: deps.graceSeconds }),
  );
}

/**
 * The spec's leave, with no body: every open session of the caller on the stream departs as
 * `viewerLeft` would. Found on an eventually consistent index, so a session opened a moment ago
 * may be missed. Idempotent: nothing open is not an error.
 */
export async function viewerLeftAll(
  deps: Pick<SignalingDeps, 'streams' | 'viewers' | 'clock' | 'sender' | 'ids' | 'seatRepairAfterMs'>,
  streamId: string,
  userId: string,
): Promise<void> {
  const open = await deps.viewers.openSessionsOf(streamId, userId);
  // Nothing open: the stream is read only to tell a 404 from an idempotent success.
  if (open.length === 0 && !(await deps.streams.get(streamId)))
    throw new NotFoundError(`Stream ${streamId} does not exist`, 'STREAM_NOT_FOUND');
  for (const viewerId of open) await viewerLeft(deps, { streamId, userId, viewerId });
}
