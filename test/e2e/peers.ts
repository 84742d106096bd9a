import wrtc from '@roamhq/wrtc';
import type { CandidateInit } from './signaling.ts';

/** An ICE server as REST `join` returns it (`RTCIceServer`). */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export interface PeerOptions {
  iceServers?: IceServer[];
  /** `'relay'` forces the media through TURN, the way to prove TURN works on one machine. */
  iceTransportPolicy?: RTCIceTransportPolicy;
}

/**
 * Keeps only the ICE servers on this machine. The tests run offline: the public STUN servers the
 * service hands out by default cannot answer, and waiting on them only slows gathering down.
 * Host candidates connect two peers on one machine without any server.
 */
export function reachableIceServers(servers: readonly IceServer[]): IceServer[] {
  const local = (url: string) => /^(stun|turns?):(127\.0\.0\.1|localhost|\[::1\])[:?]/.test(url);
  return servers.flatMap((server) => {
    const urls = (Array.isArray(server.urls) ? server.urls : [server.urls]).filter(local);
    return urls.length > 0 ? [{ ...server, urls }] : [];
  });
}

/**
 * One `RTCPeerConnection` and the ICE bookkeeping both sides need: local candidates go out
 * through `onCandidate`; remote ones that arrive before the remote description (the relay does
 * not order them after the SDP) are held back until it is set, since `addIceCandidate` would
 * reject them.
 */
export class PeerLink {
  readonly pc: RTCPeerConnection;
  private pending: CandidateInit[] | undefined = [];

  constructor(
    options: PeerOptions,
    onCandidate: (candidate: CandidateInit) => void,
    private readonly onFailure: (error: unknown) => void,
  ) {
    this.pc = new wrtc.RTCPeerConnection({
      iceServers: reachableIceServers(options.iceServers ?? []),
      ...(options.iceTransportPolicy && { iceTransportPolicy: options.iceTransportPolicy }),
    });
    this.pc.onicecandidate = ({ candidate }) => {
      // A null candidate (or an empty one) only marks the end of gathering: nothing to relay.
      if (candidate?.candidate) onCandidate(candidateInit(candidate));
    };
  }

  async setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    await this.pc.setRemoteDescription(description);
    const held = this.pending ?? [];
    this.pending = undefined;
    for (const candidate of held) await this.pc.addIceCandidate(candidateInit(candidate));
  }

  addRemoteCandidate(candidate: CandidateInit): void {
    if (this.pending) this.pending.push(candidate);
    else this.pc.addIceCandidate(candidateInit(candidate)).catch(this.onFailure);
  }

  /** `'relay'`, `'host'`, ... of the local end of the pair ICE selected, or undefined before. */
  async selectedLocalCandidateType(): Promise<string | undefined> {
    const stats: Array<Record<string, unknown>> = [];
    (await this.pc.getStats()).forEach((entry) => {
      stats.push(entry);
    });
    const pair = stats.find((s) => s.type === 'candidate-pair' && s.state === 'succeeded' && s.nominated);
    const local = stats.find((s) => s.type === 'local-candidate' && s.id === pair?.localCandidateId);
    return local?.candidateType as string | undefined;
  }

  close(): void {
    if (this.pc.signalingState !== 'closed') this.pc.close();
  }
}

/** The wire form of a candidate: the documented fields, no nulls. */
function candidateInit(candidate: CandidateInit): CandidateInit {
  return {
    candidate: candidate.candidate,
    ...(candidate.sdpMid != null && { sdpMid: candidate.sdpMid }),
    ...(candidate.sdpMLineIndex != null && { sdpMLineIndex: candidate.sdpMLineIndex }),
    ...(candidate.usernameFragment && { usernameFragment: candidate.usernameFragment }),
  };
}
