/**
 * From a completed upload to a playable ladder: the S3 event submits the MediaConvert job, its
 * EventBridge state changes move the recording to `ready` (with CDN URLs) or `failed`. Events
 * arrive at least once and in any order, so every write is conditional on the job and state.
 */
import { type JobInput, ladderFor } from './ladder.ts';
import { playbackUrls, streamIdOfSourceKey } from './media-layout.ts';
import type { Clock, RecordingStore, StreamStore, Transcoder } from './ports.ts';

export interface PipelineDeps {
  streams: Pick<StreamStore, 'get'>;
  recordings: RecordingStore;
  transcoder: Transcoder;
  clock: Clock;
  bucket: string;
  roleArn: string;
}

export type TranscodeOutcome = 'submitted' | 'unreadable' | 'ignored';

/** A source object landed (its upload completed): probe it and submit its transcode. */
export async function transcodeUpload(
  deps: PipelineDeps,
  upload: { key: string; sizeBytes: number },
): Promise<TranscodeOutcome> {
  const streamId = streamIdOfSourceKey(upload.key);
  if (!streamId) return 'ignored';
  const stream = await deps.streams.get(streamId);
  const recording = stream?.recording;
  // A redelivered event, or an object nobody opened an upload for: nothing to start.
  if (!recording || recording.sourceKey !== upload.key || recording.jobId !== undefined) return 'ignored';
  if (recording.status !== 'uploading' && recording.status !== 'processing') return 'ignored';

  const probed = await deps.transcoder.probe(`s3://${deps.bucket}/${upload.key}`);
  const uploaded = { uploadedAt: recording.uploadedAt ?? deps.clock.now(), sizeBytes: upload.sizeBytes };
  if (!probed.video) {
    await deps.recordings.change(streamId, {
      from: ['uploading', 'processing'],
      jobId: null,
      set: {
        ...uploaded,
        status: 'failed',
        failedAt: deps.clock.now(),
        failure: {
          code: 'SOURCE_UNREADABLE',
          message: 'The upload has no video track MediaConvert can read',
        },
      },
      remove: ['uploadId', 'progress'],
    });
    return 'unreadable';
  }
  const job: JobInput = {
    streamId,
    bucket: deps.bucket,
    sourceKey: upload.key,
    source: probed.video,
    roleArn: deps.roleArn,
  };
  const jobId = await deps.transcoder.submit(job);
  // Two deliveries of one event may both submit; the first write wins and the other job's
  // events find another jobId and change nothing (it rewrites the same files).
  await deps.recordings.change(streamId, {
    from: ['uploading', 'processing'],
    jobId: null,
    set: { ...uploaded, status: 'processing', jobId, progress: 0, renditions: ladderFor(job.source) },
    remove: ['uploadId'],
  });
  return 'submitted';
}

/** The part of a "MediaConvert Job State Change" event the service reads. */
export interface JobStateDetail {
  status: 'PROGRESSING' | 'STATUS_UPDATE' | 'COMPLETE' | 'ERROR' | string;
  jobId: string;
  userMetadata?: Record<string, string>;
  jobProgress?: { jobPercentComplete?: number };
  errorCode?: number;
  errorMessage?: string;
  outputGroupDetails?: {
    type?: string;
    outputDetails?: { durationInMs?: number; videoDetails?: { widthInPx?: number; heightInPx?: number } }[];
  }[];
}

export type JobEventOutcome = 'progress' | 'ready' | 'failed' | 'ignored';

/** Applies one job state change to the recording whose job it is. */
export async function applyJobState(
  deps: Pick<PipelineDeps, 'recordings' | 'clock'> & { mediaBaseUrl: string },
  detail: JobStateDetail,
): Promise<JobEventOutcome> {
  const streamId = detail.userMetadata?.streamId;
  if (!streamId) return 'ignored';
  const guard = { from: ['processing'] as const, jobId: detail.jobId };
  switch (detail.status) {
    case 'STATUS_UPDATE': {
      const percent = detail.jobProgress?.jobPercentComplete;
      if (percent === undefined || !Number.isFinite(percent)) return 'ignored';
      const progress = Math.max(0, Math.min(99, Math.floor(percent)));
      const changed = await deps.recordings.change(streamId, {
        ...guard,
        progressBelow: progress,
        set: { progress },
      });
      return changed ? 'progress' : 'ignored';
    }
    case 'COMPLETE': {
      const changed = await deps.recordings.change(streamId, {
        ...guard,
        set: {
          status: 'ready',
          progress: 100,
          readyAt: deps.clock.now(),
          durationSeconds: durationOf(detail),
          ...playbackUrls(deps.mediaBaseUrl, streamId),
        },
      });
      return changed ? 'ready' : 'ignored';
    }
    case 'ERROR': {
      const code = detail.errorCode === undefined ? '' : ` ${detail.errorCode}`;
      const changed = await deps.recordings.change(streamId, {
        ...guard,
        set: {
          status: 'failed',
          failedAt: deps.clock.now(),
          failure: {
            code: 'TRANSCODE_FAILED',
            message: `MediaConvert error${code}: ${detail.errorMessage ?? 'no message'}`.slice(0, 1000),
          },
        },
        remove: ['progress'],
      });
      return changed ? 'failed' : 'ignored';
    }
    default:
      return 'ignored';
  }
}

/** The CMAF group's longest output, in seconds (ms precision). */
function durationOf(detail: JobStateDetail): number | undefined {
  const cmaf = detail.outputGroupDetails?.find((group) => group.type === 'CMAF_GROUP');
  const durations = (cmaf?.outputDetails ?? []).flatMap((output) =>
    output.durationInMs === undefined ? [] : [output.durationInMs],
  );
  return durations.length === 0 ? undefined : Math.max(...durations) / 1000;
}
