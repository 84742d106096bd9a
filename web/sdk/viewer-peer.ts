import { type LivestreamError, toLivestreamError } from './errors.ts';
import type { IceCandidate, SessionDescription } from './events.ts';
import { PeerLink, peerConnectionClass, wireDescription } from './peer.ts';
import type { SignalingSocket } from './socket.ts';

/**
 * What a seat's peer connection needs from its {@link Viewer} and tells it.
 *
 * @internal Not exported from index.ts.
 */
export interface SeatPeerDeps {
  RTCPeerConnection?: typeof RTCPeerConnection;
  /** Builds the remote stream when a track arrives without one. */
  MediaStream?: typeof MediaStream;
  iceServers(): RTCIceServer[];
  /** Whether offers are taken: a seat that fell back to HLS takes none (the broadcaster resuming re-offers). */
  active(): boolean;
  stream(stream: MediaStream): void;
  state(state: RTCPeerConnectionState): void;
  /** The peer cannot work: ICE `failed`, or no offer within the bound {@link SeatPeer.expectOffer} set. */
  failed(): void;
  error(error: LivestreamError): void;
}

/**
 * A seat viewer's side of WebRTC over the socket: an answer to every offer the broadcaster sends
 * (a new offer replaces the peer connection: the broadcaster re-offers after it resumes), the
 * candidates that come before an offer held for it, and a bound on the wait for an offer.
 *
 * @internal Not exported from index.ts: the Viewer runs it.
 */
export class SeatPeer {
  private link: PeerLink | undefined;
  private early: IceCandidate[] = [];
  private remote: MediaStream | undefined;
  private remoteOf: PeerLink | undefined;
  private state_: RTCPeerConnectionState | 'new' = 'new';
  private offerTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly socket: SignalingSocket,
    private readonly deps: SeatPeerDeps,
  ) {
    socket.on('stream:offer:received', ({ offer }) => {
      if (!deps.active()) return;
      this.disarm();
      this.answer(offer).catch((error: unknown) => deps.error(toLivestreamError(error, 'WEBRTC')));
    });
    socket.on('stream:ice-candidate:received', ({ candidate }) => {
      if (deps.active()) this.addRemoteCandidate(candidate);
    });
    // Away, the broadcaster offers again when it is back (and its ladder is paused too): no bound.
    socket.on('stream:broadcaster:left', () => this.disarm());
    socket.on('stream:ended', () => this.disarm());
  }

  get remoteStream(): MediaStream | undefined {
    return this.remote;
  }

  get state(): RTCPeerConnectionState | 'new' {
    return this.state_;
  }

  /** After `stream:join`: no offer within `timeoutMs` is a failure. */
  expectOffer(timeoutMs: number): void {
    this.disarm();
    this.offerTimer = setTimeout(() => this.deps.failed(), timeoutMs);
  }

  private addRemoteCandidate(candidate: IceCandidate): void {
    if (this.link) this.link.addRemoteCandidate(candidate);
    else this.early.push(candidate);
  }

  /** Answers `offer` on a new peer connection (the previous one closed). */
  private async answer(offer: SessionDescription): Promise<void> {
    const early = this.early.splice(0);
    this.close();
    const link = new PeerLink(
      peerConnectionClass(this.deps.RTCPeerConnection),
      this.deps.iceServers(),
      (candidate) => this.socket.emit('stream:ice-candidate', { candidate }),
      this.deps.error,
    );
    this.link = link;
    for (const candidate of early) link.addRemoteCandidate(candidate);
    link.pc.ontrack = (event) => this.track(link, event);
    link.pc.onconnectionstatechange = () => {
      if (this.link !== link) return;
      this.state_ = link.pc.connectionState;
      this.deps.state(this.state_);
      if (this.state_ === 'failed') this.deps.failed();
    };
    await link.setRemote(offer);
    const answer = await link.pc.createAnswer();
    await link.pc.setLocalDescription(answer);
    if (this.link === link) this.socket.emit('stream:answer', { answer: wireDescription(answer) });
  }

  /** The peer connection closed, no bound running. */
  close(): void {
    this.disarm();
    this.link?.close();
    this.link = undefined;
    this.early = [];
  }

  private disarm(): void {
    clearTimeout(this.offerTimer);
    this.offerTimer = undefined;
  }

  private track(link: PeerLink, event: RTCTrackEvent): void {
    if (this.link !== link) return;
    let stream = event.streams[0];
    if (!stream) {
      const Ctor = this.deps.MediaStream ?? globalThis.MediaStream;
      if (!Ctor) return;
      stream = this.remote && this.remoteOf === link ? this.remote : new Ctor();
      stream.addTrack(event.track);
    }
    if (stream === this.remote) return;
    this.remote = stream;
    this.remoteOf = link;
    this.deps.stream(stream);
  }
}
