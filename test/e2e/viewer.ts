import wrtc from '@roamhq/wrtc';
import { type IceServer, PeerLink, type PeerOptions } from './peers.ts';
import { type CandidateInit, type EventData, SignalingClient } from './signaling.ts';
import { Changes } from './wait.ts';

/** What REST `POST /join` answers. */
export interface JoinResponse {
  viewerId: string;
  iceServers: IceServer[];
  signaling: { url: string; ticket: string };
}

/**
 * A viewer as a browser would run it: answers whatever offer the broadcaster sends (replacing its
 * peer connection on a new one) and counts the frames its decoder actually produces.
 */
export class Viewer {
  /** Decoded frames over every peer connection so far. */
  frames = 0;
  readonly failures: string[] = [];
  private link: PeerLink | undefined;
  private sink: { stop(): void } | undefined;
  /**
   * Candidates that overtook the first offer: each frame is relayed by its own invocation, so
   * the service does not keep a sender's frames in order.
   */
  private early: CandidateInit[] = [];
  private readonly changes = new Changes();

  private constructor(
    readonly viewerId: string,
    readonly signaling: SignalingClient,
    private readonly options: PeerOptions,
  ) {
    signaling.on('stream:offer:received', ({ offer }) =>
      this.answer(offer as RTCSessionDescriptionInit).catch(this.fail),
    );
    signaling.on('stream:ice-candidate:received', ({ candidate }) => {
      if (this.link) this.link.addRemoteCandidate(candidate);
      else this.early.push(candidate);
    });
  }

  /** Opens the signaling socket with the ticket from `join`, using the ICE servers it returned. */
  static async connect(joined: JoinResponse, options: Omit<PeerOptions, 'iceServers'> = {}): Promise<Viewer> {
    const signaling = await SignalingClient.connect(joined.signaling.url, joined.signaling.ticket);
    return new Viewer(joined.viewerId, signaling, { ...options, iceServers: joined.iceServers });
  }

  /** `stream:join`: tells the service this viewer is ready for an offer. */
  join(): Promise<EventData<'stream:join:ack'>> {
    return this.signaling.request('stream:join', {}, 'stream:join:ack');
  }

  /** `stream:leave`; the service answers nothing, the broadcaster is told. */
  leave(): void {
    this.signaling.send('stream:leave');
  }

  /** Resolves once `count` frames have been decoded in total. */
  waitForFrames(count: number, timeoutMs: number): Promise<void> {
    return this.changes.until(
      () => this.frames >= count,
      timeoutMs,
      `${count} decoded frames`,
      () => {
        const pc = this.link?.pc;
        const state = pc ? `${pc.connectionState}, ICE ${pc.iceConnectionState}` : 'no peer connection';
        return `${this.frames} frames, ${state}; failures: ${this.failures.join('; ') || 'none'}`;
      },
    );
  }

  /** The local candidate type ICE selected (`'relay'` through TURN), or undefined before. */
  selectedCandidateType(): Promise<string | undefined> {
    return this.link?.selectedLocalCandidateType() ?? Promise.resolve(undefined);
  }

  /** Closes the peer connection, its frame sink and the socket. */
  async close(): Promise<void> {
    this.closePeer();
    await this.signaling.close();
  }

  private async answer(offer: RTCSessionDescriptionInit): Promise<void> {
    this.closePeer();
    const link = new PeerLink(
      this.options,
      (candidate) => this.signaling.send('stream:ice-candidate', { candidate }),
      this.fail,
    );
    this.link = link;
    for (const candidate of this.early.splice(0)) link.addRemoteCandidate(candidate);
    link.pc.ontrack = ({ track }) => {
      if (track.kind !== 'video') return;
      const sink = new wrtc.nonstandard.RTCVideoSink(track);
      // The sink only fires for frames the decoder produced: proof that video really arrived.
      sink.onframe = () => {
        this.frames++;
        this.changes.notify();
      };
      this.sink = sink;
    };
    await link.setRemoteDescription(offer);
    const answer = await link.pc.createAnswer();
    await link.pc.setLocalDescription(answer);
    this.signaling.send('stream:answer', { answer: { type: answer.type, sdp: answer.sdp } });
  }

  private closePeer(): void {
    this.sink?.stop();
    this.sink = undefined;
    this.link?.close();
    this.link = undefined;
  }

  private readonly fail = (error: unknown) => {
    this.failures.push(error instanceof Error ? error.message : String(error));
    this.changes.notify();
  };
}
