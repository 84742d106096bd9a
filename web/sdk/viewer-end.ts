import type { ServerEvents } from './events.ts';

/**
 * After `stream:ended`, how long an HLS viewer may play out what its player still has (that tier
 * runs seconds behind) before the end is reported anyway: the playlist's `#EXT-X-ENDLIST`
 * normally comes well before.
 */
export const PLAYLIST_END_WAIT_MS = 20_000;

type Why = { reason: ServerEvents['stream:ended']['reason']; message?: string };

/** How a viewer learned the stream is over (see `ViewerEvents['ended']`). */
export type EndedVia = 'signaling' | 'playlist';

/**
 * What a {@link StreamEnd} needs from its Viewer.
 *
 * @internal Not exported from index.ts.
 */
export interface StreamEndDeps {
  /** Whether the ladder plays here: then the playlist's end is awaited. */
  playingHls(): boolean;
  /** Why the stream ended, asked when nothing said (`GET /{id}`'s `endReason`). */
  reason(): Promise<Why['reason'] | undefined>;
  report(ended: Why & { via: EndedVia }): void;
}

/**
 * A viewer's word that the stream is over, reported once. The socket's `stream:ended` ends a seat
 * at once; an HLS viewer is seconds behind, so it plays on to the playlist's `#EXT-X-ENDLIST` (the
 * broadcaster writes it on ending, the server when the stream ends any other way) and the end is
 * reported when the player gets there, or {@link PLAYLIST_END_WAIT_MS} after the socket's word.
 * The playlist may also come first: the reason is then asked of the service.
 *
 * @internal Not exported from index.ts: the Viewer runs it.
 */
export class StreamEnd {
  private why: Why | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private reported = false;

  constructor(private readonly deps: StreamEndDeps) {}

  /** Whether the end was reported. */
  get over(): boolean {
    return this.reported;
  }

  /** The socket said so (`stream:ended`, or a ticket refused with `STREAM_ENDED`: `why` then unknown). */
  async signaled(why?: Why): Promise<void> {
    if (this.reported || this.why) return;
    const known = why ?? { reason: (await this.deps.reason()) ?? 'ended' };
    if (this.reported || this.why) return;
    this.why = { reason: known.reason, ...(known.message !== undefined && { message: known.message }) };
    if (!this.deps.playingHls()) return this.report('signaling');
    this.timer = setTimeout(() => this.report('signaling'), PLAYLIST_END_WAIT_MS);
  }

  /** The HLS player reached the playlist's end. */
  async playlistEnded(): Promise<void> {
    if (this.reported) return;
    this.why ??= { reason: (await this.deps.reason()) ?? 'ended' };
    this.report('playlist');
  }

  /** A new join: nothing heard yet. */
  reset(): void {
    clearTimeout(this.timer);
    this.why = undefined;
    this.reported = false;
  }

  /** No report after this (the viewer left). */
  cancel(): void {
    clearTimeout(this.timer);
    this.reported = true;
  }

  private report(via: EndedVia): void {
    if (this.reported) return;
    this.reported = true;
    clearTimeout(this.timer);
    this.deps.report({ ...(this.why ?? { reason: 'ended' }), via });
  }
}
