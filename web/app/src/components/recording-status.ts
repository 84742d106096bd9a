import {
  DEFAULT_PART_BYTES,
  type LivestreamApi,
  type RecordingProgress,
  type RecordingStatus,
} from '../../../sdk/index.ts';
import { poll } from '../app.ts';
import { h } from '../dom.ts';
import { bytes, plural } from '../format.ts';

const REFRESH_MS = 1500;

/**
 * The broadcaster's recording, in one announced line: parts uploaded while live, then the
 * service's status (processing with its progress, ready, failed) until the transcode is done.
 * `data-status` carries the raw status for tests and styles.
 */
export class RecordingStatusLine {
  readonly el = h('p', { 'data-testid': 'recording-status', 'aria-live': 'polite', hidden: true });

  /** What the Broadcaster reports (`recording` events). */
  progress(progress: RecordingProgress): void {
    if (progress.status !== 'uploading') {
      this.status(progress.status, progress.recording?.progress ?? 0);
      return;
    }
    this.set(
      'uploading',
      progress.parts === 0
        ? `Recording: parts upload as they fill (${DEFAULT_PART_BYTES / 2 ** 20} MiB each), the rest when you end.`
        : `Recording: ${plural(progress.parts, 'part')} uploaded (${bytes(progress.uploadedBytes)}).`,
    );
  }

  /** After the end: asks the service until the recording is ready or failed. */
  follow(api: LivestreamApi, streamId: string, signal: AbortSignal): void {
    poll(signal, REFRESH_MS, async () => {
      const { recording } = await api.getRecording(streamId);
      this.status(recording.status, recording.progress);
      return recording.status === 'uploading' || recording.status === 'processing';
    });
  }

  private status(status: RecordingStatus, percent: number): void {
    this.set(
      status,
      status === 'processing'
        ? `Recording uploaded: processing ${percent}%…`
        : status === 'ready'
          ? 'Recording ready: replay it in Recordings.'
          : `Recording ${status}.`,
    );
  }

  private set(status: RecordingStatus, text: string): void {
    this.el.hidden = false;
    this.el.dataset.status = status;
    this.el.textContent = text;
  }
}
