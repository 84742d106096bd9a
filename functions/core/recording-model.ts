import type { Replay, ReplaySource } from './replay.ts';

/**
 * A stream's recording, stored on its Livestreams row under `recording`. One per stream:
 * `uploading -> processing -> ready | failed`, and `deleted` from any state but `processing`.
 */
export type RecordingStatus = 'uploading' | 'processing' | 'ready' | 'failed' | 'deleted';

/** What a broadcaster's browser records: MediaRecorder gives WebM (Chrome, Firefox) or MP4 (Safari). */
export type RecordingContentType = 'video/webm' | 'video/mp4';

/** One rung of the HLS/DASH ladder as it was encoded. */
export interface Rendition {
  /** `360p`, `480p`, `720p`, `1080p`. */
  name: string;
  width: number;
  height: number;
  /** The rung's peak video bitrate (bits/s): the QVBR cap, and what the playlist advertises. */
  maxBitrate: number;
}

/** Why a recording failed, in the service's error shape. */
export interface RecordingFailure {
  code: 'SOURCE_UNREADABLE' | 'TRANSCODE_FAILED' | 'UPLOAD_EMPTY' | 'UPLOAD_TOO_LARGE' | 'UPLOAD_INVALID';
  message: string;
}

export interface RecordingState {
  status: RecordingStatus;
  contentType: RecordingContentType;
  /** The source object: `uploads/{streamId}/source.webm|mp4`. */
  sourceKey: string;
  /** The S3 multipart upload, while `uploading`. Never leaves the service. */
  uploadId?: string;
  openedAt: number;
  uploadedAt?: number;
  sizeBytes?: number;
  /** The MediaConvert job (a local job id on the local stack). */
  jobId?: string;
  /** 0..100 while `processing`, from the job's STATUS_UPDATE events. */
  progress?: number;
  /** The ladder the job encodes, set when it is submitted. */
  renditions?: Rendition[];
  durationSeconds?: number;
  /** CloudFront URLs, set when `ready`. */
  playbackUrl?: string;
  dashUrl?: string;
  thumbnailUrl?: string;
  failure?: RecordingFailure;
  readyAt?: number;
  failedAt?: number;
  deletedAt?: number;
}

/** What callers see of a recording: never the upload id or the bucket keys. */
export interface PublicRecording {
  streamId: string;
  status: RecordingStatus;
  contentType: RecordingContentType;
  /** 0..100; 100 once ready. */
  progress: number;
  openedAt: string;
  /** While uploading: when parts and completion stop being accepted (null while still live). */
  uploadDeadline: string | null;
  uploadedAt: string | null;
  sizeBytes: number | null;
  /** What plays now: the live replay, then the transcoded HLS ladder (see `source`). */
  playbackUrl: string | null;
  /** `dashUrl`, `thumbnailUrl`, `durationSeconds`, `renditions`: the transcoded ladder's only. */
  dashUrl: string | null;
  thumbnailUrl: string | null;
  durationSeconds: number | null;
  renditions: Rendition[];
  failure: RecordingFailure | null;
  /** Which replay `playbackUrl` is (docs/live.md, "Replay"); null while nothing plays. */
  source: ReplaySource | null;
}

const iso = (epochMs: number | undefined) => (epochMs === undefined ? null : new Date(epochMs).toISOString());

/**
 * `uploadDeadline`: the stream's end plus the upload window, once it has ended. `replay`: what the
 * stream plays (`replayOf`), which may be the live ladder's while this recording is still on its way.
 */
export function toPublicRecording(
  streamId: string,
  recording: RecordingState,
  uploadDeadline: number | undefined,
  replay: Replay | undefined,
): PublicRecording {
  return {
    streamId,
    status: recording.status,
    contentType: recording.contentType,
    progress: recording.status === 'ready' ? 100 : (recording.progress ?? 0),
    openedAt: new Date(recording.openedAt).toISOString(),
    uploadDeadline: recording.status === 'uploading' ? iso(uploadDeadline) : null,
    uploadedAt: iso(recording.uploadedAt),
    sizeBytes: recording.sizeBytes ?? null,
    playbackUrl: replay?.playbackUrl ?? null,
    dashUrl: recording.dashUrl ?? null,
    thumbnailUrl: recording.thumbnailUrl ?? null,
    durationSeconds: recording.durationSeconds ?? null,
    renditions: recording.renditions ?? [],
    failure: recording.failure ?? null,
    source: replay?.source ?? null,
  };
}

/**
 * A stream with a live replay and no server recording at all (nothing was uploaded): `ready`, as
 * nothing more will come, the live ladder's CMAF (fragmented MP4), opened when the stream went
 * live; nothing of a transcode (no DASH, thumbnail, duration or renditions).
 */
export function liveReplayRecording(
  stream: { streamId: string; startedAt?: number; createdAt: number },
  playbackUrl: string,
): PublicRecording {
  return {
    streamId: stream.streamId,
    status: 'ready',
    contentType: 'video/mp4',
    progress: 100,
    openedAt: new Date(stream.startedAt ?? stream.createdAt).toISOString(),
    uploadDeadline: null,
    uploadedAt: null,
    sizeBytes: null,
    playbackUrl,
    dashUrl: null,
    thumbnailUrl: null,
    durationSeconds: null,
    renditions: [],
    failure: null,
    source: 'live',
  };
}
