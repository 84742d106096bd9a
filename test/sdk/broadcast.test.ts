/**
 * The SDK's Broadcaster and Viewers over real WebRTC (wrtc), signaled through the local stack:
 * per-viewer peer connections, a viewer leaving, the broadcaster's socket dropping and resuming,
 * chat over the same sockets, and the end. Each `it` continues the session the previous one left.
 */
import wrtc from '@roamhq/wrtc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Broadcaster,
  type ChatMessage,
  type LivestreamError,
  type Schedule,
  type SocketState,
  Viewer,
} from '../../web/sdk/index.ts';
import { NodeWebSocket, recordingWebSocket, type SdkSession, sdkSession, until } from './support.ts';
import { Cameras, NodePeerConnection } from './webrtc.ts';

const FRAMES = 10;
const FRAMES_TIMEOUT_MS = 20_000;

/** A viewer plus the decoded frames of whatever stream it is showing (wrtc's RTCVideoSink). */
class WatchedViewer {
  frames = 0;
  streams = 0;
  readonly errors: LivestreamError[] = [];
  readonly ended: unknown[] = [];
  readonly chat: ChatMessage[] = [];
  private sink: { stop(): void } | undefined;

  constructor(readonly viewer: Viewer) {
    viewer.on('stream', (stream) => {
      this.streams++;
      this.sink?.stop();
      const [track] = stream.getVideoTracks();
      if (!track) return;
      const sink = new wrtc.nonstandard.RTCVideoSink(track as never);
      sink.onframe = () => {
        this.frames++;
      };
      this.sink = sink;
    });
    viewer.on('error', (error) => this.errors.push(error));
    viewer.on('ended', (data) => {
      // A sink outliving its track's peer connection is what wrtc's finalizers like least.
      this.stop();
      this.ended.push(data);
    });
    viewer.chat.on('message', (m) => this.chat.push(m));
  }

  /** Waits for `count` more decoded frames than now. */
  async moreFrames(count: number): Promise<void> {
    const target = this.frames + count;
    await until(
      () => this.frames >= target,
      `${target} frames (have ${this.frames}, ${this.viewer.connectionState})`,
      FRAMES_TIMEOUT_MS,
    );
  }

  stop(): void {
    this.sink?.stop();
    this.sink = undefined;
  }
}

/** Records the RTCPeerConnections a class made, in order. */
function recordedPeerConnections() {
  const made: RTCPeerConnection[] = [];
  class Recorded extends (NodePeerConnection as unknown as new (c?: RTCConfiguration) => RTCPeerConnection) {
    constructor(config?: RTCConfiguration) {
      super(config);
      made.push(this);
    }
  }
  return { RTCPeerConnection: Recorded as unknown as typeof RTCPeerConnection, made };
}

const instant: Schedule = (fn) => {
  const timer = setTimeout(fn, 0);
  return () => clearTimeout(timer);
};

let s: SdkSession;
const cameras = new Cameras();
beforeAll(async () => {
  s = await sdkSession();
});
afterAll(async () => {
  cameras.stopAll();
  await s?.close();
});

describe('a broadcast through the SDK', () => {
  let streamId: string;
  let broadcaster: Broadcaster;
  const peers = recordedPeerConnections();
  const joined: string[] = [];
  const left: string[] = [];
  const counts: number[] = [];
  const errors: LivestreamError[] = [];
  const states: SocketState[] = [];
  let v1: WatchedViewer;
  let v2: WatchedViewer;
  /** The broadcaster's WebSocket connection id on the stack. */
  let broadcasterConnection: string;

  /** What the second viewer's socket received, for the chat de-duplication check. */
  const wire = recordingWebSocket();
  const newViewer = (userId: string, WebSocket = NodeWebSocket) =>
    new WatchedViewer(
      new Viewer({
        api: s.api(userId),
        streamId,
        // Offline: the public STUN servers join returns cannot answer; host candidates connect.
        iceServers: [],
        RTCPeerConnection: NodePeerConnection,
        WebSocket,
      }),
    );

  afterAll(async () => {
    for (const v of [v1, v2]) {
      v?.stop();
      await v?.viewer.leave().catch(() => {});
    }
    await broadcaster?.stop().catch(() => {});
  });

  it('goes live and gives each viewer its own peer connection with decoded video', async () => {
    const live = await s.liveStream('alice');
    streamId = live.streamId;
    broadcaster = new Broadcaster({
      api: live.api,
      streamId,
      stream: cameras.stream(),
      iceServers: [],
      RTCPeerConnection: peers.RTCPeerConnection,
      WebSocket: NodeWebSocket,
      reconnect: { random: () => 0 },
      schedule: instant,
    });
    broadcaster.on('viewer:joined', (id) => joined.push(id));
    broadcaster.on('viewer:left', (id) => left.push(id));
    broadcaster.on('viewers', (n) => counts.push(n));
    broadcaster.on('error', (e) => errors.push(e));
    broadcaster.on('state', (state) => states.push(state));
    const before = new Set(s.connectionIds());
    await broadcaster.start();
    expect((await live.api.getStream(streamId)).status).toBe('live');
    broadcasterConnection = s.connectionIds().find((id) => !before.has(id)) as string;
    expect(broadcasterConnection).toEqual(expect.any(String));

    v1 = newViewer('bob');
    v2 = newViewer('carol', wire.WebSocket);
    await v1.viewer.join();
    await v2.viewer.join();
    await Promise.all([v1.moreFrames(FRAMES), v2.moreFrames(FRAMES)]);

    expect(joined).toEqual([v1.viewer.viewerId, v2.viewer.viewerId]);
    expect([...broadcaster.viewers]).toEqual(joined);
    expect(broadcaster.viewerCount).toBe(2);
    expect(counts).toEqual([1, 2]);
    expect(peers.made).toHaveLength(2);
    for (const v of [v1, v2]) {
      expect(v.viewer.connectionState).toBe('connected');
      expect(v.viewer.remoteStream?.getVideoTracks()).toHaveLength(1);
      expect(v.errors).toEqual([]);
    }
    expect(errors).toEqual([]);
  });

  it('closes and removes only the peer of a viewer who leaves; the other keeps receiving frames', async () => {
    const leaving = v1.viewer.viewerId as string;
    const [toV1, toV2] = peers.made as [RTCPeerConnection, RTCPeerConnection];

    v1.stop();
    await v1.viewer.leave();
    await until(() => left.length === 1, 'viewer:left');
    await v2.moreFrames(FRAMES);

    expect(left).toEqual([leaving]);
    expect(broadcaster.viewerCount).toBe(1);
    expect([...broadcaster.viewers]).toEqual([v2.viewer.viewerId]);
    expect(counts).toEqual([1, 2, 1]);
    expect(toV1.signalingState).toBe('closed');
    expect(toV2.signalingState).toBe('stable');
    expect(toV2.connectionState).toBe('connected');
    expect((await s.api('alice').getStream(streamId)).viewerCount).toBe(1);
    // Nothing more about the viewer who left, however its socket's close was reported.
    expect(left).toEqual([leaving]);
    expect(errors).toEqual([]);
  });

  it("resumes after the broadcaster's socket drops: the waiting viewer is offered again", async () => {
    const streamsBefore = v2.streams;
    const connectionsBefore = peers.made.length;
    const resumed = new Promise<void>((resolve) => {
      const off = broadcaster.on('state', (state) => {
        if (state === 'open') {
          off();
          resolve();
        }
      });
    });

    await s.dropConnection(broadcasterConnection);
    expect(s.connectionIds()).not.toContain(broadcasterConnection);
    await resumed;
    await until(() => v2.streams > streamsBefore, 'the viewer to get a new peer connection');
    await v2.moreFrames(FRAMES);

    expect(states.slice(-2)).toEqual(['reconnecting', 'open']);
    // The viewer was re-offered on a fresh connection, not announced as a new viewer.
    expect(peers.made).toHaveLength(connectionsBefore + 1);
    expect(peers.made[connectionsBefore - 1]?.signalingState).toBe('closed');
    expect(joined).toHaveLength(2);
    expect(broadcaster.viewerCount).toBe(1);
    expect(errors).toEqual([]);
  });

  it('carries chat over the same sockets, each message once', async () => {
    const broadcasterSaw: ChatMessage[] = [];
    broadcaster.chat.on('message', (m) => broadcasterSaw.push(m));

    const hello = await v2.viewer.chat.send('hello from carol');
    const reply = await broadcaster.chat.send('hi carol');
    await until(() => v2.chat.length === 2 && broadcasterSaw.length === 2, 'both messages on both sides');
    // The room's copies of both messages (fan-out from the chat table's stream) arrive as well,
    // each of which the channel must skip.
    const pushed = () =>
      wire.received.flatMap((f) =>
        f.event === 'chat:message'
          ? [f.data.id]
          : f.event === 'chat:messages'
            ? f.data.messages.map((m: ChatMessage) => m.id)
            : [],
      );
    await until(() => pushed().includes(hello.id) && pushed().includes(reply.id), "the room's copies");

    expect(v2.chat.map((m) => m.id)).toEqual([hello.id, reply.id]);
    expect(broadcasterSaw.map((m) => m.id).sort()).toEqual([hello.id, reply.id].sort());
    const { messages } = await v2.viewer.chat.history();
    expect(messages.map((m) => m.message)).toEqual(['hi carol', 'hello from carol']);
  });

  it('stops: the stream ends, the viewer is told, every peer is closed, the tracks stop', async () => {
    const tracks = broadcaster.mediaStream?.getTracks() ?? [];

    await broadcaster.stop();
    await until(() => v2.ended.length === 1, 'the viewer to hear of the end');

    expect(v2.ended).toEqual([{ reason: 'ended', via: 'signaling' }]);
    expect(broadcaster.viewerCount).toBe(0);
    expect(peers.made.every((pc) => pc.signalingState === 'closed')).toBe(true);
    expect(tracks.map((t) => t.readyState)).toEqual(['ended']);
    expect(broadcaster.state).toBe('closed');
    await until(() => v2.viewer.state === 'closed', "the viewer's socket to close");
    expect((await s.api('alice').getStream(streamId)).status).toBe('ended');
    expect(errors).toEqual([]);
  });
});
