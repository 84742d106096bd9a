import wrtc from '@roamhq/wrtc';

/**
 * A camera that needs no device: a moving gradient pushed into an `RTCVideoSource` from a timer.
 * The content changes every frame so the encoder sends real picture data, not a frozen frame
 * it could skip.
 */
export class SyntheticCamera {
  readonly track: MediaStreamTrack;
  private readonly source = new wrtc.nonstandard.RTCVideoSource();
  private readonly timer: NodeJS.Timeout;
  private readonly frame: { width: number; height: number; data: Uint8Array };
  private tick = 0;

  constructor(width = 320, height = 240, fps = 20) {
    // I420: a full-resolution luma plane, then two quarter-size chroma planes.
    this.frame = { width, height, data: new Uint8Array(width * height * 1.5) };
    this.track = this.source.createTrack();
    this.timer = setInterval(() => this.push(), Math.round(1000 / fps));
  }

  /** Stops the timer and ends the track; safe to call twice. */
  stop(): void {
    clearInterval(this.timer);
    if (this.track.readyState !== 'ended') this.track.stop();
  }

  private push(): void {
    const { width, height, data } = this.frame;
    const shift = (this.tick++ * 4) % 256;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) data[y * width + x] = (x + y + shift) & 0xff;
    }
    // Chroma drifts slowly, so colour changes too.
    data.fill(shift, width * height, width * height * 1.25);
    data.fill(255 - shift, width * height * 1.25);
    this.source.onFrame(this.frame);
  }
}
