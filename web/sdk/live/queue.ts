/**
 * One rendition's uploads, in two lanes that run side by side:
 *
 * - **objects** (the init and media segments) go one at a time, in order. The lane pulls the next
 *   one (`next`) only when it is free, so its owner decides at that moment what is worth sending
 *   (rendition-run.ts drops segments too late to be live);
 * - **playlists** are not queued as text: the lane only knows that they are stale, and asks for
 *   them (`render`) when its turn comes, so they list only what has already been uploaded, and
 *   however many updates piled up meanwhile, only the newest is sent.
 *
 * Side by side, segment n+1 goes up while the playlist that lists segment n does: a segment is
 * listed two POSTs after it is cut, and a rendition keeps up as long as one POST takes less than a
 * segment lasts (one lane after the other needed two).
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
 * duration, the segments still waiting, and those dropped to stay live (rendition-run.ts).
 *
 * @example
 * const { bytes, segments, lastSegmentLatencyMs, dropped } = broadcaster.liveStats()['720p'] ?? {};
 */
export interface UploadStats {
  bytes: number;
  segments: number;
  lastSegmentLatencyMs?: number;
  lastUploadMs?: number;
  pending: number;
  dropped: number;
}

/** @internal What a queue needs. */
export interface UploadQueueOptions {
  /** One attempt at one object. */
  put(item: UploadItem): Promise<void>;
  /** Storage refused the credential (403): the next attempt uses a fresh one. */
  renew(): void;
  /** The next object to send, asked when the object lane is free; none: the lane rests. */
  next?(): UploadItem | undefined;
  /** The playlists as they are now, when their turn comes. */
  render(): UploadItem[];
  /** Every later upload is dropped; called once. */
  onFailure(error: LivestreamError): void;
  now?: () => number;
  wait?: (ms: number) => Promise<void>;
}

/** What the queue itself counts; `pending` and `dropped` are its owner's. */
export type UploadTotals = Omit<UploadStats, 'pending' | 'dropped'>;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** @internal A rendition's upload queue; see the file's comment. */
export class UploadQueue {
  private stale = false;
  /** `objects()` was called: the object lane asks `next` again. */
  private wanted = false;
  private objectLane: Promise<void> | undefined;
  private playlistLane: Promise<void> | undefined;
  private dropped = false;
  private readonly totals: UploadTotals = { bytes: 0, segments: 0 };

  constructor(private readonly options: UploadQueueOptions) {}

  /** There is something new for `next`: the object lane wakes if it rests. */
  objects(): void {
    if (this.dropped) return;
    this.wanted = true;
    // A lane that has just finished its loop but not yet let go runs again (its `finally`).
    this.objectLane ??= this.drainObjects().finally(() => {
      this.objectLane = undefined;
      if (this.wanted) this.objects();
    });
  }

  /** The playlists changed: send them (once) when the playlist lane is free. */
  playlists(): void {
    if (this.dropped) return;
    this.stale = true;
    this.playlistLane ??= this.drainPlaylists().finally(() => {
      this.playlistLane = undefined;
      if (this.stale) this.playlists();
    });
  }

  /** Resolves once both lanes rest (or the queue gave up): an object uploaded may wake the other. */
  async idle(): Promise<void> {
    while (this.objectLane || this.playlistLane) await Promise.all([this.objectLane, this.playlistLane]);
  }

  /** Drops what waits and everything asked later (a stop that cannot wait any longer). */
  abandon(): void {
    this.dropped = true;
    this.stale = false;
  }

  get failed(): boolean {
    return this.dropped;
  }

  stats(): UploadTotals {
    return { ...this.totals };
  }

  private async drainObjects(): Promise<void> {
    while (this.wanted && !this.dropped) {
      this.wanted = false;
      for (let item = this.options.next?.(); item && !this.dropped; item = this.options.next?.()) {
        if (!(await this.send(item))) return;
      }
    }
  }

  private async drainPlaylists(): Promise<void> {
    while (this.stale && !this.dropped) {
      this.stale = false;
      for (const item of this.options.render()) {
        if (!(await this.send(item))) return;
      }
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
