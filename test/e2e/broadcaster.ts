import { PeerLink, type PeerOptions } from './peers.ts';
import type { SignalingClient } from './signaling.ts';
import { SyntheticCamera } from './video.ts';

/**
 * The broadcaster's side as a browser would run it: one camera track, one peer connection per
 * viewer, each set up by an offer the broadcaster makes when the service says a viewer is ready.
 */
export class Broadcaster {
  readonly camera = new SyntheticCamera();
  /** Open peer connections by viewer id. */
  readonly peers = new Map<string, PeerLink>();
  /** Every viewer a peer connection was ever made for, in order. */
  readonly offered: string[] = [];
  /** Errors from event handlers, which have no caller to throw to; tests assert it stays empty. */
  readonly failures: string[] = [];

  constructor(
    readonly signaling: SignalingClient,
    private readonly options: PeerOptions = {},
  ) {
    signaling.on('stream:viewer:joined', ({ viewerId }) => this.offerTo(viewerId).catch(this.fail));
    signaling.on('stream:answer:received', ({ viewerId, answer }) =>
      this.peers
        .get(viewerId)
        ?.setRemoteDescription(answer as RTCSessionDescriptionInit)
        .catch(this.fail),
    );
    signaling.on('stream:ice-candidate:received', ({ viewerId, candidate }) => {
      if (viewerId) this.peers.get(viewerId)?.addRemoteCandidate(candidate);
    });
    signaling.on('stream:viewer:left', ({ viewerId }) => this.drop(viewerId));
  }

  /** Registers as the stream's broadcaster (`stream:offer`) and resolves with the ack. */
  register(): Promise<{ streamId: string }> {
    return this.signaling.request('stream:offer', {}, 'stream:offer:ack');
  }

  end(): void {
    this.signaling.send('stream:end');
  }

  /** Closes every peer connection, the camera and the socket. */
  async close(): Promise<void> {
    for (const viewerId of [...this.peers.keys()]) this.drop(viewerId);
    this.camera.stop();
    await this.signaling.close();
  }

  private async offerTo(viewerId: string): Promise<void> {
    // A viewer announced again (the broadcaster resumed) gets a fresh connection.
    this.drop(viewerId);
    const link = new PeerLink(
      this.options,
      (candidate) => this.signaling.send('stream:ice-candidate', { viewerId, candidate }),
      this.fail,
    );
    this.peers.set(viewerId, link);
    this.offered.push(viewerId);
    link.pc.addTrack(this.camera.track);
    const offer = await link.pc.createOffer();
    await link.pc.setLocalDescription(offer);
    this.signaling.send('stream:offer:viewer', { viewerId, offer: { type: offer.type, sdp: offer.sdp } });
  }

  private drop(viewerId: string): void {
    this.peers.get(viewerId)?.close();
    this.peers.delete(viewerId);
  }

  private readonly fail = (error: unknown) => {
    this.failures.push(error instanceof Error ? error.message : String(error));
  };
}
