/** WebRTC in Node for the SDK tests: wrtc's RTCPeerConnection and synthetic camera streams. */
import wrtc from '@roamhq/wrtc';
import { SyntheticCamera } from '../e2e/video.ts';

export const NodePeerConnection = wrtc.RTCPeerConnection as unknown as typeof RTCPeerConnection;

/** Synthetic cameras (a moving gradient at 20 fps), all stopped by `stopAll`. */
export class Cameras {
  private readonly made: SyntheticCamera[] = [];

  /** A MediaStream with one synthetic video track. */
  stream(): MediaStream {
    const camera = new SyntheticCamera(160, 120, 20);
    this.made.push(camera);
    return new wrtc.MediaStream([camera.track]) as unknown as MediaStream;
  }

  stopAll(): void {
    for (const camera of this.made.splice(0)) camera.stop();
  }
}
