/**
 * One rendition for one run: its encoder feeds its upload queue, and each segment joins the
 * rendition's history once storage has it, so the playlists rendered from that history list only
 * readable segments (docs/live.md). `{r}/index.m3u8` goes after every segment; `{r}/full.m3u8`
 * as often as its growing size allows (`fullPlaylistDue`), and always at the end.
 *
 * Live means now: when uploads cannot keep up, segments too late to be live are dropped
 * (live-edge.ts) and the next one listed follows an `EXT-X-DISCONTINUITY`: viewers skip a second
 * instead of falling further behind with every one.
 */
import { type LivestreamError, MediaError } from '../errors.ts';
import { type EncodedConfig, type EncodedSegment, RenditionEncoder } from './encoder.ts';
import { endOf, lateSegments } from './live-edge.ts';
import {
  appendSegment,
  beginRun,
  fullPlaylist,
  fullPlaylistDue,
  indexPlaylist,
  type RenditionHistory,
  type Variant,
} from './playlists.ts';
import { type UploadItem, UploadQueue, type UploadStats } from './queue.ts';
import { type Rendition, renditionKbps } from './renditions.ts';

const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';
const SEGMENT_TYPE = 'video/mp4';
/** A full.m3u8 line triple (PDT, EXTINF, URI) is about this long: enough to tell when it is due. */
const BYTES_PER_ENTRY = 70;
/** BANDWIDTH is a peak: the encoders' variable bitrate and the CMAF boxes above their target. */
const PEAK_OVER_TARGET = 1.25;
const AVERAGE_OVER_TARGET = 1.05;

/** @internal What a {@link RenditionRun} needs. */
export interface RenditionRunOptions {
  rendition: Rendition;
  /** What the rendition's playlists held when the run began (resume), or the empty history. */
  history: RenditionHistory;
  video: MediaStreamTrack;
  audio?: MediaStreamTrack;
  codecs: { video: string; audio: 'aac' | 'opus' | undefined };
  put(item: UploadItem): Promise<void>;
  renew(): void;
  /** Its playlists are readable and its codecs known: the masters may list it. */
  onPublished(): void;
  onFailure(error: LivestreamError): void;
}

/** @internal See the file's comment. */
export class RenditionRun {
  private history: RenditionHistory;
  private readonly map: string;
  private readonly queue: UploadQueue;
  private readonly encoder: RenditionEncoder;
  private nextSequence: number;
  /** The init segment, until the object lane takes it; then segments cut and not yet sent. */
  private init: UploadItem | undefined;
  private readonly waiting: EncodedSegment[] = [];
  private dropped = 0;
  /** Segments were dropped since the last one sent: the next one follows a discontinuity. */
  private gap = false;
  private config: EncodedConfig | undefined;
  private ended = false;
  private final = false;
  private isReadable = false;
  private fullSentAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: RenditionRunOptions) {
    const begun = beginRun(options.history);
    this.history = begun.history;
    this.map = begun.map;
    this.nextSequence = this.history.nextSequence;
    this.queue = new UploadQueue({
      put: options.put,
      renew: options.renew,
      next: () => this.next(),
      render: () => this.render(),
      onFailure: options.onFailure,
    });
    this.encoder = new RenditionEncoder({
      rendition: options.rendition,
      video: options.video,
      audio: options.audio,
      codecs: options.codecs,
      onInit: (bytes) => {
        this.init = this.item(this.map, bytes);
        this.queue.objects();
      },
      onSegment: (segment) => {
        this.waiting.push(segment);
        this.queue.objects();
      },
      onConfig: (config) => {
        this.config = config;
        this.publish();
      },
      onError: (error) => options.onFailure(toLive(error, `the ${options.rendition.name} encoder failed`)),
    });
  }

  get name(): string {
    return this.options.rendition.name;
  }

  /** Both its playlists are in storage and its codecs known: the masters may list it. */
  get readable(): boolean {
    return this.isReadable;
  }

  /** The master playlists' entry for it, once its encoders have produced their first packets. */
  variant(frameRate: number): Variant | undefined {
    const video = this.config?.video;
    if (!video) return undefined;
    const kbps = renditionKbps(this.options.rendition);
    return {
      name: this.name,
      bandwidth: kbps * 1000 * PEAK_OVER_TARGET,
      averageBandwidth: kbps * 1000 * AVERAGE_OVER_TARGET,
      width: video.codedWidth ?? this.options.rendition.width,
      height: video.codedHeight ?? this.options.rendition.height,
      codecs: [video.codec, ...(this.config?.audio ? [this.config.audio.codec] : [])],
      frameRate,
    };
  }

  stats(): UploadStats {
    return { ...this.queue.stats(), pending: this.waiting.length, dropped: this.dropped };
  }

  start(): Promise<void> {
    return this.encoder.start();
  }

  /**
   * Cuts the last segment, uploads what waits, then the playlists one last time (`ended`: with
   * EXT-X-ENDLIST). Resolves when all of it is in storage, or the queue gave up.
   */
  async stop(ended: boolean): Promise<void> {
    await this.encoder.stop().catch(() => undefined);
    // The last segments first: a playlist with EXT-X-ENDLIST must list every one it ever will.
    await this.queue.idle();
    this.ended = ended;
    this.final = true;
    this.queue.playlists();
    await this.queue.idle();
  }

  /** Stops at once: the encoder, and every upload still waiting. */
  abandon(): void {
    this.queue.abandon();
    void this.encoder.stop().catch(() => undefined);
  }

  /**
   * What the object lane sends next: the init, then the oldest segment still live (the late ones
   * dropped while a newer one waits), numbered only now so that dropped segments take no number.
   */
  private next(): UploadItem | undefined {
    const init = this.init;
    if (init) {
      this.init = undefined;
      return init;
    }
    const late = lateSegments(this.waiting, Date.now());
    if (late > 0) {
      this.waiting.splice(0, late);
      this.dropped += late;
      this.gap = true;
    }
    const segment = this.waiting.shift();
    if (!segment) return undefined;
    const sequence = this.nextSequence++;
    const timing = {
      durationSec: segment.durationSec,
      programDateTime: segment.programDateTime,
      map: this.map,
      afterGap: this.gap,
    };
    this.gap = false;
    return {
      ...this.item(`${sequence}.m4s`, segment.bytes),
      endsAt: endOf(segment),
      onUploaded: () => {
        this.history = appendSegment(this.history, timing).history;
        this.queue.playlists();
      },
    };
  }

  /** The playlists as the history stands: index always, full when due (and at the end). */
  private render(): UploadItem[] {
    if (this.history.segments.length === 0) return [];
    const ended = this.ended;
    const index = this.item('index.m3u8', indexPlaylist(this.history, { ended }), PLAYLIST_TYPE);
    const items: UploadItem[] = [index];
    const sinceMs = Date.now() - this.fullSentAt;
    const bytes = this.history.segments.length * BYTES_PER_ENTRY;
    if (this.final || fullPlaylistDue({ bytes, kbps: renditionKbps(this.options.rendition), sinceMs })) {
      const sentAt = Date.now();
      items.push({
        ...this.item('full.m3u8', fullPlaylist(this.history, { ended }), PLAYLIST_TYPE),
        onUploaded: () => {
          this.fullSentAt = sentAt;
          this.publish();
        },
      });
    }
    return items;
  }

  /** Once both playlists are readable and the codecs known, the masters may list it. */
  private publish(): void {
    if (this.isReadable || !this.config || this.fullSentAt < 0) return;
    this.isReadable = true;
    this.options.onPublished();
  }

  private item(file: string, body: ArrayBuffer | string, contentType = SEGMENT_TYPE): UploadItem {
    return { path: `${this.name}/${file}`, body: new Blob([body], { type: contentType }), contentType };
  }
}

function toLive(error: unknown, what: string): LivestreamError {
  const reason = error instanceof Error ? error.message : String(error);
  return new MediaError('LIVE', `LIVE: ${what}: ${reason}`, { cause: error });
}
