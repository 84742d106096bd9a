import type { ConnectionSender, ConnectionStore } from './connections.ts';
import { eachLimited } from './each-limited.ts';
import { ConflictError, NotFoundError } from './errors.ts';
import type { ServerFrame } from './frames.ts';
import type { StreamRecord } from './model.ts';
import type { Clock, StreamStore, ViewerStore, WatchdogScheduler } from './ports.ts';
import { FAN_OUT_CONCURRENCY } from './stream-end.ts';
import { wrongState } from './streams.ts';
import type { TicketClaims } from './tickets.ts';
import { leaveStream } from './viewers.ts';

export interface SignalingDeps {
  streams: StreamStore;
  viewers: ViewerStore;
  connections: ConnectionStore;
  sender: ConnectionSender;
  clock: Clock;
  watchdog: WatchdogScheduler;
  graceSeconds: number;
}

/** The sender of a frame: its connection and the identity its ticket proved at $connect. */
export interface Peer extends TicketClaims {
  connectionId: string;
}

const frame = (event: string, data: Record<string, unknown>): ServerFrame => ({ event, data });

async function liveStream(deps: SignalingDeps, streamId: string): Promise<StreamRecord> {
  const stream = await deps.streams.get(streamId);
  if (!stream) throw new NotFoundError(`Stream ${streamId} does not exist`, 'STREAM_NOT_FOUND');
  if (stream.status !== 'live') throw wrongState(stream, 'signal on');
  return stream;
}

/**
 * Sends to the broadcaster of the sender's stream. One read (the stream row), no write; a
 * vanished broadcaster is dropped as its $disconnect would, and the sender learns `PEER_GONE`.
 */
export async function sendToBroadcaster(deps: SignalingDeps, me: Peer, message: ServerFrame): Promise<void> {
  const stream = await liveStream(deps, me.streamId);
  const target = stream.broadcasterConnectionId;
  if (!target)
    throw new ConflictError('No broadcaster is connected to this stream yet', 'BROADCASTER_NOT_CONNECTED');
  if ((await deps.sender.send(target, message)) === 'gone') {
    await broadcasterGone(deps, me.streamId, target);
    throw new ConflictError('The broadcaster has disconnected', 'PEER_GONE');
  }
}

/**
 * Sends to one viewer of the sender's own stream. One read (the session row, keyed by this
 * stream, so a viewerId of another stream finds nothing), no write.
 */
export async function sendToViewer(deps: SignalingDeps, me: Peer, viewerId: string, message: ServerFrame) {
  const session = await deps.viewers.get(me.streamId, viewerId);
  if (!session?.connectionId || session.leftAt !== undefined) {
    throw new NotFoundError(`No connected viewer ${viewerId} on this stream`, 'VIEWER_NOT_FOUND');
  }
  if ((await deps.sender.send(session.connectionId, message)) === 'gone') {
    await deps.connections.delete(session.connectionId);
    const viewer = { streamId: me.streamId, role: 'viewer' as const, userId: session.userId, viewerId };
    await viewerLeft(deps, viewer, me.connectionId);
    throw new ConflictError(`Viewer ${viewerId} has disconnected`, 'PEER_GONE');
  }
}

/** `stream:join`: binds the session to this connection and tells the broadcaster, if any. */
export async function joinAsViewer(
  deps: SignalingDeps,
  me: Peer & { viewerId: string },
): Promise<ServerFrame> {
  const attached = await deps.viewers.attachConnection(me.streamId, me.viewerId, me.userId, me.connectionId);
  if (!attached.ok) throw new NotFoundError('This viewing session is closed; join again', 'VIEWER_NOT_FOUND');
  const stream = await liveStream(deps, me.streamId);
  const broadcaster = stream.broadcasterConnectionId;
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
export async function registerBroadcaster(deps: SignalingDeps, me: Peer, ref?: string): Promise<void> {
  const registered = await deps.streams.registerBroadcaster(me.streamId, me.connectionId);
  if (!registered.ok) {
    if (!registered.current)
      throw new NotFoundError(`Stream ${me.streamId} does not exist`, 'STREAM_NOT_FOUND');
    throw wrongState(registered.current, 'broadcast on');
  }
  await deps.sender.send(me.connectionId, {
    ...frame('stream:offer:ack', { streamId: me.streamId }),
    ...(ref && { ref }),
  });
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
 */
export async function viewerLeft(
  deps: Pick<SignalingDeps, 'streams' | 'viewers' | 'clock' | 'sender'>,
  viewer: TicketClaims,
  exceptConnectionId?: string,
): Promise<void> {
  if (!viewer.viewerId) return;
  // A leave followed by the socket closing is one departure: tell the broadcaster once.
  if (!(await leaveStream(deps, viewer.streamId, viewer.viewerId, { userId: viewer.userId, roles: [] })))
    return;
  const broadcaster = (await deps.streams.get(viewer.streamId))?.broadcasterConnectionId;
  if (broadcaster && broadcaster !== exceptConnectionId) {
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
  const viewers = (await deps.connections.listByStream(streamId)).filter((c) => c.role === 'viewer');
  const notice = frame('stream:broadcaster:left', { graceSeconds: deps.graceSeconds });
  await eachLimited(viewers, FAN_OUT_CONCURRENCY, async (viewer) => {
    await deps.sender.send(viewer.connectionId, notice);
  });
}
