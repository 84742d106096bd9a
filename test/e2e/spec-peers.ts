import wrtc from '@roamhq/wrtc';
import { type IceServer, PeerLink } from './peers.ts';
import type { SpecSocket } from './spec-socket.ts';
import { SyntheticCamera } from './video.ts';
import { Changes } from './wait.ts';

/**
 * The spec's broadcaster ("Starting a Livestream", steps 2 to 4): the camera's tracks added with
 * their stream, and for each `stream:viewer:joined` a peer connection of its own whose offer goes
 * out as `stream:offer:viewer {viewerId, offer}` and whose candidates go out exactly as the
 * spec's snippet sends them, `stream:ice-candidate {streamId, candidate}`.
 */
export class SpecBroadcaster {
  readonly camera = new SyntheticCamera();
  readonly stream = new wrtc.MediaStream([this.camera.track]);
  readonly peers = new Map<string, PeerLink>();
  /** Viewer candidates received (`stream:ice-candidate:received`). */
  candidates = 0;
  /** Errors in event handlers, which have no caller to throw to. */
  readonly failures: string[] = [];

  constructor(
    readonly socket: SpecSocket,
    private readonly streamId: string,
  ) {
    socket.on('stream:viewer:joined', ({ viewerId }) => this.offerTo(viewerId).catch(this.fail));
    socket.on('stream:answer:received', ({ viewerId, answer }) => {
      this.peers.get(viewerId)?.setRemoteDescription(answer).catch(this.fail);
    });
    socket.on('stream:ice-candidate:received', ({ viewerId, candidate }) => {
      this.candidates++;
      if (viewerId) this.peers.get(viewerId)?.addRemoteCandidate(candidate);
    });
    socket.on('stream:viewer:left', ({ viewerId }) => {
      this.peers.get(viewerId)?.close();
      this.peers.delete(viewerId);
    });
  }

  /**
   * `stream:offer {streamId, offer}` ("Send WebRTC offer"): the offer of the spec's step-2
   * peer connection, made and dropped here, since each viewer gets its own.
   */
  async announce(): Promise<void> {
    const pc = new wrtc.RTCPeerConnection();
    for (const track of this.stream.getTracks()) pc.addTrack(track, this.stream);
    const offer = await pc.createOffer();
    pc.close();
    this.socket.emit('stream:offer', { streamId: this.streamId, offer });
  }

  close(): void {
    for (const link of this.peers.values()) link.close();
    this.peers.clear();
    this.camera.stop();
  }

  private async offerTo(viewerId: string): Promise<void> {
    const link = new PeerLink({}, () => {}, this.fail);
    // The spec's handler, in place of PeerLink's: the candidate object as the browser hands it over.
    link.pc.onicecandidate = (event) => {
      if (event.candidate) {
        this.socket.emit('stream:ice-candidate', { streamId: this.streamId, candidate: event.candidate });
      }
    };
    this.peers.set(viewerId, link);
    for (const track of this.stream.getTracks()) link.pc.addTrack(track, this.stream);
    const offer = await link.pc.createOffer();
    await link.pc.setLocalDescription(offer);
    this.socket.emit('stream:offer:viewer', { viewerId, offer });
  }

  private readonly fail = (error: unknown) => {
    this.failures.push(error instanceof Error ? error.message : String(error));
  };
}

/**
 * The spec's viewer ("Watching a Livestream", steps 2 and 3): one peer connection with the ICE
 * servers `join` returned, `ontrack` taking `event.streams[0]`, and `stream:offer:received`
 * answered with `stream:answer {streamId, answer}`. Its candidates go out as `{streamId, candidate}`.
 */
export class SpecViewer {
  readonly link: PeerLink;
  /** `event.streams[0]` of each `ontrack`: what the spec puts in the video element. */
  readonly remoteStreams: MediaStream[] = [];
  /** Frames the decoder produced: proof the video arrived. */
  frames = 0;
  /** Broadcaster candidates received (`stream:ice-candidate:received`). */
  candidates = 0;
  readonly failures: string[] = [];
  private sink: { stop(): void } | undefined;
  private readonly changes = new Changes();

  constructor(
    readonly socket: SpecSocket,
    private readonly streamId: string,
    iceServers: IceServer[],
  ) {
    this.link = new PeerLink({ iceServers }, () => {}, this.fail);
    const pc = this.link.pc;
    pc.onicecandidate = (event) => {
      if (event.candidate) socket.emit('stream:ice-candidate', { streamId, candidate: event.candidate });
    };
    pc.ontrack = (event) => {
      if (event.streams[0]) this.remoteStreams.push(event.streams[0]);
      if (event.track.kind !== 'video') return;
      const sink = new wrtc.nonstandard.RTCVideoSink(event.track);
      sink.onframe = () => {
        this.frames++;
        this.changes.notify();
      };
      this.sink = sink;
    };
    socket.on('stream:offer:received', ({ offer }) => this.answer(offer).catch(this.fail));
    socket.on('stream:ice-candidate:received', ({ candidate }) => {
      this.candidates++;
      this.link.addRemoteCandidate(candidate);
    });
  }

  /** `stream:join {streamId}`: the spec's "Join a stream" event, after the REST join. */
  join(): void {
    this.socket.emit('stream:join', { streamId: this.streamId });
  }

  waitForFrames(count: number, timeoutMs: number): Promise<void> {
    return this.changes.until(
      () => this.frames >= count,
      timeoutMs,
      `${count} decoded frames`,
      () => {
        const pc = this.link.pc;
        return `${this.frames} frames, ${pc.connectionState}, ICE ${pc.iceConnectionState}; failures: ${this.failures.join('; ') || 'none'}`;
      },
    );
  }

  close(): void {
    this.sink?.stop();
    this.link.close();
  }

  private async answer(offer: RTCSessionDescriptionInit): Promise<void> {
    await this.link.setRemoteDescription(offer);
    const answer = await this.link.pc.createAnswer();
    await this.link.pc.setLocalDescription(answer);
    this.socket.emit('stream:answer', { streamId: this.streamId, answer });
  }

  private readonly fail = (error: unknown) => {
    this.failures.push(error instanceof Error ? error.message : String(error));
    this.changes.notify();
  };
}
