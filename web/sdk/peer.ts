import { type LivestreamError, toLivestreamError } from './errors.ts';
import type { IceCandidate, SessionDescription } from './events.ts';

/**
 * The public STUN servers of the spec, used by a broadcaster unless told otherwise (REST gives
 * viewers their ICE servers, TURN included, at join; the broadcaster gets none).
 *
 * @example
 * new Broadcaster({ api, streamId, iceServers: [...DEFAULT_ICE_SERVERS, myTurn] });
 */
export const DEFAULT_ICE_SERVERS: readonly RTCIceServer[] = [
  { urls: 'stun:stun.l.google.com:19302' },
  { urls: 'stun:stun1.l.google.com:19302' },
];

/**
 * The RTCPeerConnection class to use: the given one, else the global one.
 *
 * @internal Not exported from index.ts.
 */
export function peerConnectionClass(given?: typeof RTCPeerConnection): typeof RTCPeerConnection {
  const found = given ?? globalThis.RTCPeerConnection;
  if (!found) throw new Error('No RTCPeerConnection: pass the RTCPeerConnection class in the options');
  return found;
}

/**
 * A description as the protocol takes it: `{type, sdp}` and nothing else.
 *
 * @internal Not exported from index.ts.
 */
export function wireDescription(description: RTCSessionDescriptionInit): SessionDescription {
  return { type: description.type, sdp: description.sdp ?? '' };
}

/**
 * A candidate as the protocol takes it: the documented fields, no nulls.
 *
 * @internal Not exported from index.ts.
 */
export function wireCandidate(candidate: RTCIceCandidateInit): IceCandidate {
  return {
    candidate: candidate.candidate ?? '',
    ...(candidate.sdpMid != null && { sdpMid: candidate.sdpMid }),
    ...(candidate.sdpMLineIndex != null && { sdpMLineIndex: candidate.sdpMLineIndex }),
    ...(candidate.usernameFragment && { usernameFragment: candidate.usernameFragment }),
  };
}

/**
 * One RTCPeerConnection and its ICE bookkeeping: local candidates go out through `onCandidate`;
 * remote ones that overtake the remote description (the relay does not keep a sender's frames in
 * order) are held until it is set.
 *
 * @internal Not exported from index.ts.
 */
export class PeerLink {
  readonly pc: RTCPeerConnection;
  private held: IceCandidate[] | undefined = [];

  constructor(
    Ctor: typeof RTCPeerConnection,
    iceServers: RTCIceServer[],
    onCandidate: (candidate: IceCandidate) => void,
    private readonly onError: (error: LivestreamError) => void,
  ) {
    this.pc = new Ctor({ iceServers });
    this.pc.onicecandidate = ({ candidate }) => {
      // A null or empty candidate only marks the end of gathering: nothing to relay.
      if (candidate?.candidate) onCandidate(wireCandidate(candidate.toJSON?.() ?? candidate));
    };
  }

  /** Sets the remote description, then adds the candidates that came before it. */
  async setRemote(description: SessionDescription): Promise<void> {
    await this.pc.setRemoteDescription(description);
    const held = this.held ?? [];
    this.held = undefined;
    for (const candidate of held) await this.addNow(candidate);
  }

  addRemoteCandidate(candidate: IceCandidate): void {
    if (!candidate.candidate) return;
    if (this.held) this.held.push(candidate);
    else void this.addNow(candidate);
  }

  get closed(): boolean {
    return this.pc.signalingState === 'closed';
  }

  close(): void {
    if (!this.closed) this.pc.close();
  }

  private async addNow(candidate: IceCandidate): Promise<void> {
    if (this.closed) return;
    try {
      await this.pc.addIceCandidate(candidate);
    } catch (error) {
      if (!this.closed) this.onError(toLivestreamError(error, 'WEBRTC'));
    }
  }
}
