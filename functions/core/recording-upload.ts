/**
 * Recording uploads: the owner's browser records with MediaRecorder and sends parts straight to
 * S3 with presigned URLs (multipart), so media never passes through a function and a crash loses
 * at most the part in flight. Completing the upload (by the owner, or by `finishRecording` when
 * the stream ends) fires the S3 event that starts the transcode.
 */
import { ConflictError, NotFoundError, PayloadTooLargeError, ValidationError } from './errors.ts';
import { sourceKey } from './media-layout.ts';
import type { StreamRecord, User } from './model.ts';
import type { Clock, RecordingBucket, RecordingStore, StoredPart, StreamStore } from './ports.ts';
import {
  type PublicRecording,
  type RecordingContentType,
  type RecordingFailure,
  type RecordingState,
  toPublicRecording,
} from './recording-model.ts';
import { replayOf } from './replay.ts';
import { ownedStream, type StreamRef } from './streams.ts';

/** S3's own multipart limits. */
export const S3_PARTS = {
  maxParts: 10_000,
  /** Every part but the last must be at least this big. */
  minPartBytes: 5 * 1024 * 1024,
  maxPartBytes: 5 * 1024 * 1024 * 1024,
} as const;

/** A part URL is good for this long: enough for a slow uplink, short enough to leak little. */
export const PART_URL_TTL_SECONDS = 900;

export interface RecordingLimits {
  /** The largest recording accepted (RECORDING_MAX_BYTES). */
  maxBytes: number;
  /** After the stream ends, how long its owner may still open or finish an upload. */
  uploadWindowMs: number;
}

export interface RecordingDeps {
  streams: Pick<StreamStore, 'get'>;
  recordings: RecordingStore;
  bucket: RecordingBucket;
  clock: Clock;
  limits: RecordingLimits;
  /** Where the CDN serves the bucket (`MEDIA_BASE_URL`): a live replay's URL starts with it. */
  mediaBaseUrl: string;
}

/** What the owner's client needs to upload: the state, and the limits its parts must keep. */
export interface UploadTerms {
  recording: PublicRecording;
  upload: {
    minPartBytes: number;
    maxPartBytes: number;
    maxParts: number;
    maxBytes: number;
    partUrlTtlSeconds: number;
  };
}

/** When parts and completion stop being accepted: the end plus the window (none while live). */
export const uploadDeadline = (stream: StreamRecord, limits: RecordingLimits) =>
  stream.endedAt === undefined ? undefined : stream.endedAt + limits.uploadWindowMs;

/** What callers see of a stream's recording: its state, and the replay the stream plays. */
export const presentRecording = (
  stream: StreamRecord,
  recording: RecordingState,
  deps: Pick<RecordingDeps, 'limits' | 'mediaBaseUrl'>,
) =>
  toPublicRecording(
    stream.streamId,
    recording,
    uploadDeadline(stream, deps.limits),
    replayOf(stream, deps.mediaBaseUrl),
  );

function terms(
  stream: StreamRecord,
  recording: RecordingState,
  deps: Pick<RecordingDeps, 'limits' | 'mediaBaseUrl'>,
): UploadTerms {
  const { limits } = deps;
  return {
    recording: presentRecording(stream, recording, deps),
    upload: {
      minPartBytes: S3_PARTS.minPartBytes,
      maxPartBytes: Math.min(S3_PARTS.maxPartBytes, limits.maxBytes),
      maxParts: S3_PARTS.maxParts,
      maxBytes: limits.maxBytes,
      partUrlTtlSeconds: PART_URL_TTL_SECONDS,
    },
  };
}

/** Uploading is possible while live, and for the window after the end. */
function assertUploadWindow(stream: StreamRecord, deps: RecordingDeps): void {
  if (stream.status === 'created') {
    throw new ConflictError('The stream has not started; start it before recording', 'STREAM_NOT_LIVE', {
      status: stream.status,
    });
  }
  const deadline = uploadDeadline(stream, deps.limits);
  if (deadline !== undefined && deps.clock.now() > deadline) {
    throw new ConflictError(
      `The upload window closed ${new Date(deadline).toISOString()}, ${deps.limits.uploadWindowMs / 1000} s after the stream ended`,
      'UPLOAD_WINDOW_CLOSED',
      { deadline: new Date(deadline).toISOString() },
    );
  }
}

/** The stream's recording while it is `uploading`, for its owner within the window. */
async function openUpload(
  deps: RecordingDeps,
  ref: StreamRef,
  user: User,
): Promise<{ stream: StreamRecord; recording: RecordingState & { uploadId: string } }> {
  const stream = await ownedStream(deps, ref, user);
  const { recording } = stream;
  if (!recording) {
    throw new NotFoundError(
      `Stream ${stream.streamId} has no recording; open one first`,
      'RECORDING_NOT_FOUND',
    );
  }
  if (recording.status !== 'uploading' || recording.uploadId === undefined) {
    throw new ConflictError(
      `The recording is ${recording.status}, not uploading`,
      'RECORDING_NOT_UPLOADING',
      {
        status: recording.status,
      },
    );
  }
  assertUploadWindow(stream, deps);
  return { stream, recording: { ...recording, uploadId: recording.uploadId } };
}

/**
 * Opens the stream's recording upload. Opening again while it is uploading resumes it (a
 * reloaded page gets the same upload; the parts S3 already holds are kept): `created` says which.
 */
export async function openRecording(
  deps: RecordingDeps,
  ref: StreamRef,
  user: User,
  contentType: RecordingContentType,
): Promise<UploadTerms & { created: boolean }> {
  const stream = await ownedStream(deps, ref, user);
  const { streamId } = stream;
  if (!stream.recordingEnabled) {
    throw new ConflictError('Recording is not enabled for this stream', 'RECORDING_DISABLED');
  }
  assertUploadWindow(stream, deps);
  if (stream.recording) return { ...resumed(stream, stream.recording, contentType, deps), created: false };

  const key = sourceKey(streamId, contentType);
  const uploadId = await deps.bucket.createUpload(key, contentType);
  const recording: RecordingState = {
    status: 'uploading',
    contentType,
    sourceKey: key,
    uploadId,
    openedAt: deps.clock.now(),
  };
  const result = await deps.recordings.open(streamId, user.userId, recording);
  if (result.ok) return { ...terms(result.value, recording, deps), created: true };
  // Another open won the race (a double click): keep its upload, drop ours.
  await deps.bucket.abortUpload(key, uploadId);
  const current = result.current;
  if (!current?.recording) throw new NotFoundError(`Stream ${streamId} does not exist`, 'STREAM_NOT_FOUND');
  return { ...resumed(current, current.recording, contentType, deps), created: false };
}

function resumed(
  stream: StreamRecord,
  recording: RecordingState,
  contentType: RecordingContentType,
  deps: Pick<RecordingDeps, 'limits' | 'mediaBaseUrl'>,
): UploadTerms {
  if (recording.status !== 'uploading') {
    throw new ConflictError(`The stream already has a recording (${recording.status})`, 'RECORDING_EXISTS', {
      status: recording.status,
    });
  }
  if (recording.contentType !== contentType) {
    throw new ConflictError(
      `The open upload is ${recording.contentType}; resume it with that type`,
      'RECORDING_EXISTS',
      { contentType: recording.contentType },
    );
  }
  return terms(stream, recording, deps);
}

export interface PartRequest {
  partNumber: number;
  sizeBytes: number;
}

/** A presigned URL for one part; the caller PUTs exactly `sizeBytes` to it. */
export async function presignPart(
  deps: RecordingDeps,
  ref: StreamRef,
  user: User,
  part: PartRequest,
): Promise<{ partNumber: number; url: string; method: 'PUT'; sizeBytes: number; expiresAt: string }> {
  // Whose stream it is comes before what they asked for: someone else learns nothing of the limit.
  const stream = await ownedStream(deps, ref, user);
  const maxPartBytes = Math.min(S3_PARTS.maxPartBytes, deps.limits.maxBytes);
  if (part.sizeBytes > maxPartBytes) {
    throw new PayloadTooLargeError(`A part may be at most ${maxPartBytes} bytes`, {
      details: { maxPartBytes },
    });
  }
  const { recording } = await openUpload(deps, stream, user);
  const url = await deps.bucket.presignPart(
    recording.sourceKey,
    recording.uploadId,
    part,
    PART_URL_TTL_SECONDS,
  );
  return {
    partNumber: part.partNumber,
    url,
    method: 'PUT',
    sizeBytes: part.sizeBytes,
    expiresAt: new Date(deps.clock.now() + PART_URL_TTL_SECONDS * 1000).toISOString(),
  };
}

/** The parts the owner says make the recording: S3's ETags, as the part PUTs answered them. */
export interface ClientPart {
  partNumber: number;
  etag: string;
}

const unquoted = (etag: string) => etag.replaceAll('"', '');

/**
 * Checks the owner's part list against what S3 holds, before S3 is asked to complete: every part
 * present with its ETag, all but the last at least 5 MiB, the total within the limit. Each
 * failure names the parts at fault, and nothing changes.
 */
export function checkParts(claimed: readonly ClientPart[], stored: readonly StoredPart[], maxBytes: number) {
  const held = new Map(stored.map((part) => [part.partNumber, part]));
  const missing = claimed
    .filter((part) => unquoted(held.get(part.partNumber)?.etag ?? '') !== unquoted(part.etag))
    .map((part) => part.partNumber);
  if (missing.length > 0) {
    throw new ValidationError(
      `S3 holds no part with that ETag for part(s) ${missing.join(', ')}: upload them, or leave them out`,
      { missing, held: stored.map((part) => part.partNumber) },
      'MISSING_PARTS',
    );
  }
  const parts = claimed.map((part) => held.get(part.partNumber) as StoredPart);
  const small = parts.slice(0, -1).filter((part) => part.sizeBytes < S3_PARTS.minPartBytes);
  if (small.length > 0) {
    throw new ValidationError(
      `Every part but the last must be at least ${S3_PARTS.minPartBytes} bytes`,
      { tooSmall: small.map((part) => part.partNumber) },
      'PART_TOO_SMALL',
    );
  }
  const sizeBytes = parts.reduce((sum, part) => sum + part.sizeBytes, 0);
  if (sizeBytes > maxBytes) {
    throw new PayloadTooLargeError(`The recording is ${sizeBytes} bytes; the limit is ${maxBytes}`, {
      details: { sizeBytes, maxBytes },
    });
  }
  return { parts, sizeBytes };
}

/** The owner completes the upload with the parts it uploaded; the transcode follows. */
export async function completeRecording(
  deps: RecordingDeps,
  ref: StreamRef,
  user: User,
  claimed: readonly ClientPart[],
): Promise<PublicRecording> {
  const { stream, recording } = await openUpload(deps, ref, user);
  const stored = await deps.bucket.listParts(recording.sourceKey, recording.uploadId);
  if (!stored) throw uploadGone();
  const { parts, sizeBytes } = checkParts(claimed, stored, deps.limits.maxBytes);
  return present(deps, stream, await complete(deps, stream.streamId, recording, parts, sizeBytes));
}

const uploadGone = () =>
  new ConflictError('The upload is no longer open (completed or expired)', 'RECORDING_NOT_UPLOADING');

const present = (deps: RecordingDeps, stream: StreamRecord, recording: RecordingState | undefined) =>
  presentRecording(stream, recording ?? (stream.recording as RecordingState), deps);

/** S3 first, then the row: a completed object with a stale row is repaired by the S3 event. */
async function complete(
  deps: RecordingDeps,
  streamId: string,
  recording: RecordingState & { uploadId: string },
  parts: readonly StoredPart[],
  sizeBytes: number,
): Promise<RecordingState | undefined> {
  await deps.bucket.completeUpload(recording.sourceKey, recording.uploadId, parts);
  const changed = await deps.recordings.change(streamId, {
    from: ['uploading'],
    set: { status: 'processing', uploadedAt: deps.clock.now(), sizeBytes, progress: 0 },
    remove: ['uploadId'],
  });
  // Lost to the transcode's own update (its S3 event came first): its state is the newer one.
  return (changed ?? (await deps.streams.get(streamId)))?.recording;
}

/**
 * A stream ended with its upload still open (the broadcaster crashed, or ended before
 * completing): complete it with every part S3 holds. Nothing uploaded, or more than the limit,
 * fails the recording instead, and the upload is aborted so no parts are billed.
 */
export async function finishAbandonedUpload(deps: RecordingDeps, streamId: string): Promise<void> {
  const stream = await deps.streams.get(streamId);
  const recording = stream?.recording;
  if (stream?.status !== 'ended' || recording?.status !== 'uploading' || !recording.uploadId) return;
  const { uploadId, sourceKey: key } = recording;
  const stored = await deps.bucket.listParts(key, uploadId);
  if (stored === undefined)
    return fail(deps, streamId, 'UPLOAD_EMPTY', 'The upload expired before completion');
  if (stored.length === 0) {
    await deps.bucket.abortUpload(key, uploadId);
    return fail(deps, streamId, 'UPLOAD_EMPTY', 'The stream ended before any part was uploaded');
  }
  let checked: ReturnType<typeof checkParts>;
  try {
    checked = checkParts(stored, stored, deps.limits.maxBytes);
  } catch (error) {
    if (!(error instanceof ValidationError || error instanceof PayloadTooLargeError)) throw error;
    await deps.bucket.abortUpload(key, uploadId);
    const code = error instanceof PayloadTooLargeError ? 'UPLOAD_TOO_LARGE' : 'UPLOAD_INVALID';
    return fail(deps, streamId, code, error.message);
  }
  await complete(deps, streamId, { ...recording, uploadId }, checked.parts, checked.sizeBytes);
}

async function fail(
  deps: RecordingDeps,
  streamId: string,
  code: RecordingFailure['code'],
  message: string,
): Promise<void> {
  await deps.recordings.change(streamId, {
    from: ['uploading'],
    set: { status: 'failed', failure: { code, message }, failedAt: deps.clock.now() },
    remove: ['uploadId'],
  });
}
