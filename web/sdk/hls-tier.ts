import type { JoinResult, LivestreamApi } from './api.ts';
import { type LivestreamError, toLivestreamError } from './errors.ts';
import { type LivePlayer, playLive } from './hls-player.ts';
import { PresenceBeats } from './presence.ts';

/**
 * What the HLS tier of a {@link Viewer} works with and reports to.
 *
 * @internal Not exported from index.ts.
 */
export interface HlsWatchDeps {
  api: LivestreamApi;
  streamId: string;
  /** Where the ladder plays; none (Node): the session is kept, nothing plays. */
  video: HTMLVideoElement | undefined;
  /** The playlist ended (`#EXT-X-ENDLIST`) and what was buffered played out. */
  ended(): void;
  error(error: LivestreamError): void;
}

/**
 * A Viewer's HLS tier: the live ladder playing in its `<video>`, and the presence beats of an
 * `hls` session (the server counts that tier by them). Two lives, kept apart: the player runs from
 * the moment the viewer plays HLS until it leaves; the beats belong to a session, and a viewer
 * that fell back from a failed peer while keeping its seat plays HLS without beating (its seat
 * counts it).
 *
 * @internal Not exported from index.ts.
 */
export class HlsWatch {
  private player: LivePlayer | undefined;
  private started = false;
  private beats: PresenceBeats | undefined;
  private closed = false;

  constructor(private readonly deps: HlsWatchDeps) {}

  /** Whether the ladder plays (or is loading) here: the stream's end then comes from its playlist. */
  get playing(): boolean {
    return this.started && !this.closed && this.deps.video !== undefined;
  }

  /** Plays the ladder at `url`, once: a later call (a new session, the same ladder) keeps it playing. */
  play(url: string): void {
    const { video } = this.deps;
    if (this.started || this.closed || !video) return;
    this.started = true;
    playLive(video, url, { ended: () => this.deps.ended(), error: (e) => this.deps.error(e) }).then(
      (player) => {
        if (this.closed) player.destroy();
        else this.player = player;
      },
      (error: unknown) => this.deps.error(toLivestreamError(error, 'HLS')),
    );
  }

  /** Beats for `session` when it is an `hls` one; a seat beats nothing (its socket keeps it). */
  count(session: JoinResult): void {
    this.beats?.stop();
    this.beats = undefined;
    if (session.mode !== 'hls' || this.closed) return;
    this.beats = new PresenceBeats(this.deps.api, this.deps.streamId, session.viewerId, this.deps.error);
    this.beats.start(session.presence?.nextBeatInMs ?? 0);
  }

  /** Seconds behind the camera of the frame on screen (see {@link LivePlayer.latencySeconds}). */
  latencySeconds(): number | undefined {
    return this.player?.latencySeconds();
  }

  /** No more beats; the player stops and lets go of the video. */
  close(): void {
    this.closed = true;
    this.beats?.stop();
    this.beats = undefined;
    this.player?.destroy();
    this.player = undefined;
  }
}
