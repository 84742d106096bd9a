import { z } from 'zod';
import { type ChatDeps, type ChatLimits, postMessage } from '../core/chat.ts';
import { joinChatRoom } from '../core/chat-room.ts';
import { ForbiddenError } from '../core/errors.ts';
import { frame } from '../core/frames.ts';
import { type PeerSeatConfig, reportLadder } from '../core/peer-seats.ts';
import type { actionRoles, ClientAction, ClientActions, ServerFrame } from '../core/protocol.ts';
import {
  type BroadcasterPeer,
  joinAsViewer,
  type Peer,
  registerBroadcaster,
  type SignalingDeps,
  sendToBroadcaster,
  sendToEveryViewer,
  sendToViewer,
  type ViewerPeer,
  viewerLeft,
} from '../core/signaling.ts';
import { endByOwner } from '../core/stream-end.ts';
import { ChatBody, WellFormedId } from '../http/schemas.ts';
import type { FrameKind } from './rate-limit.ts';

/** An SDP is at most 16 KB, an ICE candidate line 1 KB: far above real ones, far below abuse. */
export const MAX_SDP_BYTES = 16 * 1024;
export const MAX_CANDIDATE_BYTES = 1024;
/** 10 Gbit/s: past any real uplink or ladder. */
const MAX_KBPS = 10_000_000;

const sdp = <T extends 'offer' | 'answer'>(type: T) =>
  z.object({ type: z.literal(type), sdp: z.string().min(1).max(MAX_SDP_BYTES) });
const candidate = z.object({
  candidate: z.string().max(MAX_CANDIDATE_BYTES),
  sdpMid: z.string().max(64).nullish(),
  sdpMLineIndex: z.int().min(0).max(255).nullish(),
  usernameFragment: z.string().max(256).nullish(),
});
/** Any well-formed id: one that names none of this stream's viewers is `VIEWER_NOT_FOUND`. */
const viewerId = WellFormedId;
/** The spec's clients name the stream in their frames; the connection already knows it (`WRONG_STREAM` otherwise). */
const streamId = WellFormedId.optional();

/** What `$default`'s actions work with: signaling, and chat (room bans, posting). */
export type FrameDeps = SignalingDeps & ChatDeps & { chatLimits: ChatLimits; seats: PeerSeatConfig };

/**
 * One action of the protocol's map: who may send it (exactly the protocol's `actionRoles`), what
 * it costs against the connection's budget, the schema of its data (parsing to the protocol's
 * type, checked below), and what it does.
 */
interface ActionDef<A extends ClientAction> {
  roles: (typeof actionRoles)[A];
  kind: FrameKind;
  data: z.ZodType<ClientActions[A]>;
  run(deps: FrameDeps, me: Peer, data: ClientActions[A], ref?: string): Promise<ServerFrame | undefined>;
}

/** Every action of the protocol: who may send it, what its data must be, what it does. */
export const signalingActions = {
  'stream:offer': {
    roles: ['broadcaster'],
    kind: 'control',
    data: z.strictObject({ streamId, offer: sdp('offer').optional() }),
    run: async (deps, me, _data, ref) => {
      await registerBroadcaster(deps, me as BroadcasterPeer, ref);
      return undefined;
    },
  },
  'stream:offer:viewer': {
    roles: ['broadcaster'],
    kind: 'control',
    data: z.strictObject({ streamId, viewerId, offer: sdp('offer') }),
    run: async (deps, me, { viewerId: to, offer }) => {
      await sendToViewer(deps, me as BroadcasterPeer, to, frame('stream:offer:received', { offer }));
      return undefined;
    },
  },
  'stream:ice-candidate': {
    roles: ['broadcaster', 'viewer'],
    kind: 'candidate',
    data: z.strictObject({ streamId, viewerId: viewerId.optional(), candidate }),
    run: async (deps, me, data) => {
      if (me.role === 'viewer' && data.viewerId !== undefined && data.viewerId !== me.viewerId) {
        throw new ForbiddenError('A viewer can only signal its broadcaster', 'WRONG_PEER');
      }
      if (me.role === 'viewer') {
        const relayed = { viewerId: me.viewerId, candidate: data.candidate };
        await sendToBroadcaster(deps, me, frame('stream:ice-candidate:received', relayed));
      } else if (me.role === 'broadcaster') {
        const relayed = frame('stream:ice-candidate:received', { candidate: data.candidate });
        if (data.viewerId) await sendToViewer(deps, me, data.viewerId, relayed);
        else await sendToEveryViewer(deps, me, relayed);
      }
      return undefined;
    },
  },
  'stream:end': {
    roles: ['broadcaster'],
    kind: 'control',
    data: z.strictObject({ streamId }),
    run: async (deps, me) => {
      assertOwner(me);
      await endByOwner(deps, me.streamId, { userId: me.userId, roles: [] });
      return undefined;
    },
  },
  'stream:uplink': {
    roles: ['broadcaster'],
    kind: 'control',
    data: z.strictObject({
      streamId,
      ladderKbps: z.int().min(0).max(MAX_KBPS),
      uplinkKbps: z.int().min(0).max(MAX_KBPS).optional(),
    }),
    run: async (deps, me, report, ref) => {
      const stream = await reportLadder(deps, me as BroadcasterPeer, report);
      return frame('stream:uplink:ack', { streamId: stream.streamId, peerSeats: stream.peerSeats ?? 0 }, ref);
    },
  },
  'stream:join': {
    roles: ['viewer'],
    kind: 'control',
    data: z.strictObject({ streamId }),
    run: (deps, me) => joinAsViewer(deps, me as ViewerPeer),
  },
  'stream:answer': {
    roles: ['viewer'],
    kind: 'control',
    data: z.strictObject({ streamId, answer: sdp('answer') }),
    run: async (deps, me, { answer }) => {
      const viewer = me as ViewerPeer;
      const answered = frame('stream:answer:received', { viewerId: viewer.viewerId, answer });
      await sendToBroadcaster(deps, viewer, answered);
      return undefined;
    },
  },
  'stream:leave': {
    roles: ['viewer'],
    kind: 'control',
    data: z.strictObject({ streamId }),
    run: async (deps, me) => {
      await viewerLeft(deps, me as ViewerPeer, { tier: 'webrtc' });
      return undefined;
    },
  },
  'join-livestream': {
    roles: ['broadcaster', 'viewer', 'chat'],
    kind: 'control',
    // `batch: true` opts in to coalesced `chat:messages`; without it, the spec's `chat:message`.
    data: z.strictObject({ streamId, batch: z.boolean().optional() }),
    run: async (deps, me, data) => {
      await joinChatRoom(deps, me, { batch: data.batch === true });
      return frame('chat:joined', { streamId: me.streamId });
    },
  },
  'chat:message': {
    roles: ['broadcaster', 'viewer', 'chat'],
    kind: 'control',
    data: z.strictObject({ streamId, message: ChatBody.shape.message }),
    run: async (deps, me, data) => {
      assertOwner(me);
      const posted = await postMessage(
        deps,
        deps.chatLimits,
        me.streamId,
        { userId: me.userId, roles: [] },
        data.message,
      );
      return frame('chat:sent', posted);
    },
  },
  'leave-livestream': {
    roles: ['broadcaster', 'viewer', 'chat'],
    kind: 'control',
    data: z.strictObject({ streamId }),
    run: async (deps, me) => {
      await deps.connections.leaveRoom(me.connectionId);
      return frame('chat:left', { streamId: me.streamId });
    },
  },
} satisfies { [A in ClientAction]: ActionDef<A> };

/** `X` and `Y` are the same type, written either way (an intersection or one object). */
type Same<X, Y> =
  (<T>() => T extends Flat<X> ? 1 : 2) extends <T>() => T extends Flat<Y> ? 1 : 2 ? true : false;
type Flat<T> = { [K in keyof T]: T[K] };

/**
 * Compile-time: each action's schema parses to exactly its data in the protocol's map, no field
 * more, fewer or of another type (`satisfies` above checks one direction only).
 */
export type SchemasMatchProtocol = Holds<{
  [A in ClientAction]: Same<z.infer<(typeof signalingActions)[A]['data']>, ClientActions[A]>;
}>;
type Holds<T extends Record<ClientAction, true>> = T;

/**
 * A broadcaster connection opened with the stream key alone speaks for the broadcast, not for
 * the owner: ending the stream and chatting as the owner need the owner's sign-in.
 */
function assertOwner(me: Peer): void {
  if (me.role === 'broadcaster' && me.via === 'key') {
    throw new ForbiddenError(
      "A stream key may broadcast, not act as the owner: start or ticket with the owner's token",
      'OWNER_REQUIRED',
    );
  }
}

/** The frame names another stream than the connection's: refuse rather than guess. */
export function assertSameStream(me: Peer, data: { streamId?: string }): void {
  if (data.streamId !== undefined && data.streamId !== me.streamId) {
    throw new ForbiddenError('This connection belongs to another stream', 'WRONG_STREAM');
  }
}
