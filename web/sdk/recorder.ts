import type { LivestreamApi } from './api.ts';
import { type LivestreamError, toLivestreamError } from './errors.ts';
import type { Recording, RecordingStatus } from './types.ts';

/**
 * Where the broadcaster's recording is: `uploading` (parts going up while live), then the
 * service's status after completion (`processing`, later `ready` or `failed`); `failed` too
 * when the upload itself failed. `uploadedBytes` and `parts` count what storage has accepted.
 *
 * @example
 * broadcaster.on('recording', ({ status, uploadedBytes, parts }) =>
 *   console.log(`${status}: ${parts} parts, ${(uploadedBytes / 2 ** 20).toFixed(1)} MiB`),
 * );
 */
export interface RecordingProgress {
  status: RecordingStatus;
  uploadedBytes: number;
  parts: number;
  /** The service's recording, once completed. */
  recording?: Recording;
}

/**
 * The part size a broadcaster uploads by default: 8 MiB.
 *
 * @example
 * new Broadcaster({ api, streamId, recordPartBytes: 2 * DEFAULT_PART_BYTES });
 */
export const DEFAULT_PART_BYTES = 8 * 1024 * 1024;

/**
 * The smallest part S3 takes (every part but the last): 5 MiB; a smaller `recordPartBytes` is raised to it.
 *
 * @example
 * const partBytes = Math.max(wanted, MIN_PART_BYTES);
 */
export const MIN_PART_BYTES = 5 * 1024 * 1024;

/** What MediaRecorder makes, best first: VP9, VP8, any WebM, then MP4 (Safari). */
const PREFERRED_TYPES = [
  'video/webm;codecs=vp9,opus',
  'video/webm;codecs=vp8,opus',
  'video/webm',
  'video/mp4',
];

/** The attempts at one part before the upload is given up (each with a fresh presigned URL). */
const PART_ATTEMPTS = 3;

/** @internal What a {@link RecordingUpload} needs. */
export interface RecordingUploadOptions {
  api: LivestreamApi;
  streamId: string;
  stream: MediaStream;
  MediaRecorder: typeof MediaRecorder;
  partBytes: number;
  timesliceMs: number;
  mimeType?: string;
  onProgress: (progress: RecordingProgress) => void;
  onError: (error: LivestreamError) => void;
}

/**
 * Records a MediaStream with MediaRecorder and uploads it while it records: blobs are buffered
 * and, each time the buffer passes `partBytes`, sent as one part to a presigned URL (ETags
 * kept); `stop()` uploads the rest as the last part and completes the upload.
 *
 * @internal Not exported from index.ts.
 */
export class RecordingUpload {
  private recorder: MediaRecorder | undefined;
  private buffer: Blob[] = [];
  private buffered = 0;
  private readonly etags: { partNumber: number; etag: string }[] = [];
  private uploadedBytes = 0;
  private queue: Promise<void> = Promise.resolve();
  private failed = false;
  private nextPart = 1;
  private partBytes: number;
  private contentType = 'video/webm';
  private stopping: Promise<Recording | undefined> | undefined;

  constructor(private readonly options: RecordingUploadOptions) {
    this.partBytes = Math.max(options.partBytes, MIN_PART_BYTES);
  }

  /** Opens the upload and starts the recorder. */
  async start(): Promise<void> {
    const { MediaRecorder: Recorder, stream } = this.options;
    const mimeType = this.options.mimeType ?? PREFERRED_TYPES.find((t) => Recorder.isTypeSupported?.(t));
    try {
      this.recorder = new Recorder(stream, mimeType ? { mimeType } : undefined);
    } catch (error) {
      throw toLivestreamError(error, 'RECORDER');
    }
    this.contentType = mimeType ?? (this.recorder.mimeType || 'video/webm');
    const { upload } = await this.options.api.openRecording(this.options.streamId, this.contentType);
    this.partBytes = Math.max(this.partBytes, upload.minPartBytes);
    this.recorder.addEventListener('dataavailable', (event) => this.take(event.data));
    this.recorder.addEventListener('error', (event) =>
      this.options.onError(toLivestreamError((event as ErrorEvent).error ?? event, 'RECORDER')),
    );
    try {
      this.recorder.start(this.options.timesliceMs);
    } catch (error) {
      throw toLivestreamError(error, 'RECORDER');
    }
    this.report('uploading');
  }

  /**
   * Stops the recorder, uploads what is left as the last part and completes the upload;
   * resolves with the recording (`processing`), or undefined when nothing was uploaded.
   * Calling it again returns the same promise.
   */
  stop(): Promise<Recording | undefined> {
    this.stopping ??= this.finish();
    return this.stopping;
  }

  private async finish(): Promise<Recording | undefined> {
    const recorder = this.recorder;
    if (recorder && recorder.state !== 'inactive') {
      await new Promise<void>((resolve) => {
        recorder.addEventListener('stop', () => resolve(), { once: true });
        recorder.stop();
      });
    }
    this.flush();
    await this.queue;
    if (this.etags.length === 0) return undefined;
    try {
      const { recording } = await this.options.api.completeRecording(this.options.streamId, [...this.etags]);
      this.report(recording.status, recording);
      return recording;
    } catch (error) {
      this.failed = true;
      this.report('failed');
      this.options.onError(toLivestreamError(error, 'RECORDER'));
      return undefined;
    }
  }

  private take(blob: Blob | undefined): void {
    if (!blob || blob.size === 0 || this.failed) return;
    this.buffer.push(blob);
    this.buffered += blob.size;
    if (this.buffered >= this.partBytes) this.flush();
  }

  /** Queues the buffer as the next part (parts go up one at a time, in order). */
  private flush(): void {
    if (this.buffered === 0 || this.failed) return;
    const part = new Blob(this.buffer, { type: this.contentType });
    this.buffer = [];
    this.buffered = 0;
    const partNumber = this.nextPart++;
    this.queue = this.queue.then(() => this.upload(partNumber, part));
  }

  private async upload(partNumber: number, part: Blob): Promise<void> {
    if (this.failed) return;
    const { api, streamId } = this.options;
    let last: unknown;
    for (let attempt = 0; attempt < PART_ATTEMPTS; attempt++) {
      try {
        const { url } = await api.recordingPartUrl(streamId, partNumber, part.size);
        const etag = await api.putPart(url, part);
        this.etags.push({ partNumber, etag });
        this.uploadedBytes += part.size;
        this.report('uploading');
        return;
      } catch (error) {
        last = error;
      }
    }
    this.failed = true;
    this.report('failed');
    this.options.onError(toLivestreamError(last, 'RECORDER'));
  }

  private report(status: RecordingStatus, recording?: Recording): void {
    this.options.onProgress({
      status,
      uploadedBytes: this.uploadedBytes,
      parts: this.etags.length,
      ...(recording && { recording }),
    });
  }
}
