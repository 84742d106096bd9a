/**
 * One rendition's uploads, one at a time. Objects (init and media segments) go in the order they
 * were queued, each retried until storage answers 2xx. Playlists are not queued as text: a queue
 * only knows that they are stale, and asks for them (`render`) when their turn comes, so they can
 * only list what has already been uploaded, and however many updates piled up meanwhile, only the
 * newest is sent.
 */
import { type LivestreamError, MediaError } from '../errors.ts';
import { retryable, retryDelayMs, UPLOAD_ATTEMPTS } from './uploader.ts';

/**
 * One object to upload. `endsAt` (a media segment's end on the wall clock) makes it count as a
 * segment in the stats, with its latency.
 *
 * @example
 * const item: UploadItem = { path: '720p/7.m4s', body: blob, contentType: 'video/mp4', endsAt: pdt + 1000 };
 */
export interface UploadItem {
  path: string;
  body: Blob;
  contentType: string;
  endsAt?: number;
  /** Called once storage has it. */
  onUploaded?: () => void;
}

/**
 * What a rendition has uploaded: bytes (everything, playlists included), media segments, the last
 * segment's latency (from its end on the wall clock to readable in storage) and the last POST's
 * duration, and what still waits.
 *
 * @example
 * const { bytes, segments, lastSegmentLatencyMs } = broadcaster.liveStats()['720p'] ?? {};
 */
export interface UploadStats {
  bytes: number;
  segments: number;
  lastSegmentLatencyMs?: number;
  lastUploadMs?: number;
  pending: number;
}

/** @internal What a queue needs. */
export interface UploadQueueOptions {
  /** One attempt at one object. */
  put(item: UploadItem): Promise<void>;
  /** Storage refused the credential (403): the next attempt uses a fresh one. */
  renew(): void;
  /** The playlists as they are now, when their turn comes. */
  render(): UploadItem[];
  /** Every later upload is dropped; called once. */
  onFailure(error: LivestreamError): void;
  now?: () => number;
  wait?: (ms: number) => Promise<void>;
}

/** After each object, playlists wait for the backlog to clear, but never longer than this. */
const PLAYLIST_MAX_WAIT_MS = 2000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** @internal A rendition's serial upload queue; see the file's comment. */
export class UploadQueue {
  private readonly objects: UploadItem[] = [];
  private stale = false;
  private running: Promise<void> | undefined;
  private dropped = false;
  private lastPlaylistsAt: number;
  private readonly totals: UploadStats = { bytes: 0, segments: 0, pending: 0 };

  constructor(private readonly options: UploadQueueOptions) {
    this.lastPlaylistsAt = this.now();
  }

  /** Queues an object after every one queued before it. */
  object(item: UploadItem): void {
    if (this.dropped) return;
    this.objects.push(item);
    this.kick();
  }

  /** The playlists changed: send them (once) when their turn comes. */
  playlists(): void {
    if (this.dropped) return;
    this.stale = true;
    this.kick();
  }

  /** Resolves once nothing waits (or the queue gave up). */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  /** Drops what waits and everything queued later (a stop that cannot wait any longer). */
  abandon(): void {
    this.dropped = true;
    this.objects.length = 0;
    this.stale = false;
  }

  get failed(): boolean {
    return this.dropped;
  }

  stats(): UploadStats {
    return { ...this.totals, pending: this.objects.length };
  }

  private kick(): void {
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
  }

  private async drain(): Promise<void> {
    while (!this.dropped) {
      const overdue = this.now() - this.lastPlaylistsAt >= PLAYLIST_MAX_WAIT_MS;
      const next = this.objects[0];
      if (next && !(this.stale && overdue)) {
        if (!(await this.send(next))) return;
        this.objects.shift();
        continue;
      }
      if (!this.stale) return;
      this.stale = false;
      for (const item of this.options.render()) {
        if (!(await this.send(item))) return;
      }
      this.lastPlaylistsAt = this.now();
    }
  }

  /** Uploads with retries; false (and the queue dropped, the failure reported) when it gives up. */
  private async send(item: UploadItem): Promise<boolean> {
    const wait = this.options.wait ?? sleep;
    let last: unknown;
    for (let attempt = 0; attempt < UPLOAD_ATTEMPTS && !this.dropped; attempt++) {
      if (attempt > 0) await wait(retryDelayMs(attempt));
      if (this.dropped) return false;
      const started = this.now();
      try {
        await this.options.put(item);
      } catch (error) {
        last = error;
        if (!retryable(error)) break;
        if ((error as { code?: string }).code === 'FORBIDDEN') this.options.renew();
        continue;
      }
      const done = this.now();
      this.totals.bytes += item.body.size;
      this.totals.lastUploadMs = done - started;
      if (item.endsAt !== undefined) {
        this.totals.segments++;
        this.totals.lastSegmentLatencyMs = done - item.endsAt;
      }
      item.onUploaded?.();
      return true;
    }
    if (this.dropped) return false;
    this.abandon();
    const reason = last instanceof Error ? last.message : String(last);
    this.options.onFailure(
      new MediaError('LIVE', `LIVE: ${item.path} could not be uploaded: ${reason}`, { cause: last }),
    );
    return false;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
