/**
 * The broadcaster's live ladder (docs/live.md): every rendition of renditions.ts encoded from the
 * broadcast's tracks, uploaded under the stream's live prefix with one credential, and the two
 * multivariant playlists written once every rendition is readable. A ladder is one run: starting
 * it on a stream that already has playlists continues them (a reloaded page, another device).
 */
import { type LivestreamError, MediaError } from '../errors.ts';
import { chooseCodecs } from './encoder.ts';
import { masterPlaylist } from './playlists.ts';
import { UploadQueue, type UploadStats } from './queue.ts';
import { RenditionRun } from './rendition-run.ts';
import { chooseLadder, ladderKbps, type Rendition } from './renditions.ts';
import { resumeHistory } from './resume.ts';
import { type CredentialSource, Credentials, postObject, readPlaylist } from './uploader.ts';

/**
 * What a {@link LiveLadder} needs.
 *
 * @example
 * const ladder = await LiveLadder.start({ stream, credentials: () => api.liveCredential(streamId), onError });
 */
export interface LiveLadderOptions {
  /** The broadcast: its first video track, and its first audio track when it has one. */
  stream: MediaStream;
  credentials: CredentialSource;
  /** A measured uplink in kbit/s: top renditions are dropped until the ladder fits half of it. */
  uplinkKbps?: number;
  fetch?: typeof fetch;
  /** The ladder failed (an encoder, an upload that kept failing); it has stopped. Called once. */
  onError(error: LivestreamError): void;
  /** The masters are readable: players can open it. Called once. */
  onPlayable?(): void;
}

/** How long `stop()` waits for the last segments and playlists before leaving them. */
const STOP_WAIT_MS = 15_000;
/** When the capture does not say. */
const DEFAULT_FRAME_RATE = 30;

/** @internal See the file's comment; the Broadcaster runs it (option `live`). */
export class LiveLadder {
  private readonly masters: UploadQueue;
  private failed = false;
  private stopping: Promise<void> | undefined;
  private isPlayable = false;

  private constructor(
    readonly renditions: readonly Rendition[],
    private readonly runs: readonly RenditionRun[],
    private readonly frameRate: number,
    masters: (ladder: LiveLadder) => UploadQueue,
    private readonly options: LiveLadderOptions,
  ) {
    this.masters = masters(this);
  }

  /**
   * Chooses the renditions and codecs, reads each rendition's playlists (a resume continues
   * them), starts every encoder. Rejects when the ladder cannot start (no video, no H.264
   * encoder, a playlist that cannot be read): nothing has been written then.
   */
  static async start(options: LiveLadderOptions): Promise<LiveLadder> {
    const [video] = options.stream.getVideoTracks();
    const [audio] = options.stream.getAudioTracks();
    if (!video) throw new MediaError('LIVE', 'LIVE: the broadcast has no video track');
    const settings = video.getSettings();
    const renditions = chooseLadder(
      { width: settings.width ?? 1280, height: settings.height ?? 720 },
      { uplinkKbps: options.uplinkKbps },
    );
    const top = renditions[0] as Rendition;
    const codecs = await chooseCodecs(top, audio).catch((error: unknown) => {
      throw new MediaError('LIVE', `LIVE: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    });
    const credentials = new Credentials(options.credentials);
    const credential = await credentials.current();
    const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    const histories = await Promise.all(
      renditions.map(async ({ name }) => {
        const [index, full] = await Promise.all([
          readPlaylist(credential, `${name}/index.m3u8`, doFetch),
          readPlaylist(credential, `${name}/full.m3u8`, doFetch),
        ]);
        return resumeHistory(index, full);
      }),
    );
    const put: ConstructorParameters<typeof UploadQueue>[0]['put'] = async (item) =>
      postObject(await credentials.current(), item.path, item.body, item.contentType, doFetch);
    const renew = () => credentials.invalidate();
    let ladder: LiveLadder | undefined;
    const fail = (error: LivestreamError) => ladder?.fail(error);
    const runs = renditions.map(
      (rendition, i) =>
        new RenditionRun({
          rendition,
          history: histories[i] ?? resumeHistory(undefined, undefined),
          video,
          audio,
          codecs,
          put,
          renew,
          onPublished: () => ladder?.published(),
          onFailure: fail,
        }),
    );
    ladder = new LiveLadder(
      renditions,
      runs,
      settings.frameRate ?? DEFAULT_FRAME_RATE,
      (self) => new UploadQueue({ put, renew, render: () => self.renderMasters(), onFailure: fail }),
      options,
    );
    try {
      await Promise.all(runs.map((run) => run.start()));
    } catch (error) {
      for (const run of runs) run.abandon();
      throw new MediaError('LIVE', `LIVE: the encoders did not start: ${String(error)}`, { cause: error });
    }
    return ladder;
  }

  /** What the ladder sends, in kbit/s (`stream:uplink`'s `ladderKbps`); 0 once it stopped. */
  get kbps(): number {
    return this.failed || this.stopping ? 0 : ladderKbps(this.renditions);
  }

  /** Its masters are readable (players can open it). */
  get playable(): boolean {
    return this.isPlayable;
  }

  /** Per rendition: bytes uploaded, segments, the last segment's latency. */
  stats(): Record<string, UploadStats> {
    return Object.fromEntries(this.runs.map((run) => [run.name, run.stats()]));
  }

  /**
   * Ends the run: the last segments and the playlists (`ended`: with EXT-X-ENDLIST), waiting at
   * most `STOP_WAIT_MS` for storage. Idempotent.
   */
  stop(options: { ended: boolean }): Promise<void> {
    this.stopping ??= this.finish(options.ended);
    return this.stopping;
  }

  private async finish(ended: boolean): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, STOP_WAIT_MS);
    });
    const work = async () => {
      await Promise.all(this.runs.map((run) => run.stop(ended)));
      // The last rendition to become readable may only now have queued the masters.
      await this.masters.idle();
    };
    await Promise.race([work(), late]);
    clearTimeout(timer);
    for (const run of this.runs) run.abandon();
    this.masters.abandon();
  }

  private fail(error: LivestreamError): void {
    if (this.failed || this.stopping) return;
    this.failed = true;
    for (const run of this.runs) run.abandon();
    this.masters.abandon();
    this.options.onError(error);
  }

  /** A rendition became readable: once all are, the masters go up (once a run). */
  private published(): void {
    this.masters.playlists();
  }

  private renderMasters() {
    if (!this.runs.every((run) => run.readable)) return [];
    const listed = this.runs.flatMap((run) => run.variant(this.frameRate) ?? []);
    const type = 'application/vnd.apple.mpegurl';
    return (['index.m3u8', 'full.m3u8'] as const).map((playlist) => ({
      path: playlist === 'index.m3u8' ? 'index.m3u8' : 'replay.m3u8',
      body: new Blob([masterPlaylist(listed, playlist)], { type }),
      contentType: type,
      onUploaded: () => {
        if (playlist !== 'index.m3u8' || this.isPlayable) return;
        this.isPlayable = true;
        this.options.onPlayable?.();
      },
    }));
  }
}
