/** The archive: a stream's recording, an owner's recordings, and deleting one for good. */
import { ConflictError, NotFoundError } from './errors.ts';
import { recordingPrefixes } from './media-layout.ts';
import type { StreamRecord, User } from './model.ts';
import { liveReplayRecording, type PublicRecording, type RecordingState } from './recording-model.ts';
import { presentRecording, type RecordingDeps } from './recording-upload.ts';
import { replayOf } from './replay.ts';
import { getStream, ownedStream, type StreamRef } from './streams.ts';

function recordingOf(stream: StreamRecord): RecordingState {
  if (!stream.recording) {
    throw new NotFoundError(`Stream ${stream.streamId} has no recording`, 'RECORDING_NOT_FOUND');
  }
  return stream.recording;
}

/**
 * A stream's recording, and what its replay plays. A stream that ended with a live ladder and no
 * server recording at all still has one: its live replay (see `replayOf`).
 */
export async function getRecording(
  deps: Pick<RecordingDeps, 'streams' | 'limits' | 'mediaBaseUrl'>,
  streamId: string,
): Promise<PublicRecording> {
  const stream = await getStream(deps, streamId);
  const replay = replayOf(stream, deps.mediaBaseUrl);
  if (!stream.recording && replay?.source === 'live') return liveReplayRecording(stream, replay.playbackUrl);
  return presentRecording(stream, recordingOf(stream), deps);
}

export interface RecordingListItem {
  title: string;
  recording: PublicRecording;
}

/** The caller's recordings (deleted ones excluded), newest first. */
export async function listRecordings(
  deps: Pick<RecordingDeps, 'recordings' | 'limits' | 'mediaBaseUrl'>,
  user: User,
  page: { limit: number; cursor?: string },
): Promise<{ recordings: RecordingListItem[]; nextCursor: string | null }> {
  const found = await deps.recordings.listByOwner(user.userId, page);
  return {
    recordings: found.streams.flatMap((stream) =>
      stream.recording
        ? [{ title: stream.title, recording: presentRecording(stream, stream.recording, deps) }]
        : [],
    ),
    nextCursor: found.nextCursor,
  };
}

/**
 * Deletes every object of the recording (its upload and its ladder) and marks it `deleted`. The
 * row changes first, so nothing is served as ready while objects go; deleting again redoes the
 * object sweep, so a sweep cut short is finished by a retry. Not while a job is writing output:
 * those files would land after the sweep.
 */
export async function deleteRecording(
  deps: RecordingDeps,
  ref: StreamRef,
  user: User,
): Promise<PublicRecording> {
  const stream = await ownedStream(deps, ref, user, { orAdmin: true });
  const { streamId } = stream;
  const recording = recordingOf(stream);
  if (recording.status === 'processing') {
    throw new ConflictError(
      'The recording is being transcoded; delete it once it is ready or failed',
      'RECORDING_PROCESSING',
    );
  }
  const changed = await deps.recordings.change(streamId, {
    from: ['uploading', 'ready', 'failed', 'deleted'],
    set: { status: 'deleted', deletedAt: recording.deletedAt ?? deps.clock.now() },
    remove: ['uploadId', 'playbackUrl', 'dashUrl', 'thumbnailUrl', 'progress'],
    unlist: true,
  });
  if (!changed) {
    // Its state moved between the read and the write (an upload completed): say what it is now.
    const now = (await deps.streams.get(streamId))?.recording?.status ?? 'gone';
    throw new ConflictError(`The recording changed (${now}); retry`, 'RECORDING_CHANGED', { status: now });
  }
  if (recording.uploadId) await deps.bucket.abortUpload(recording.sourceKey, recording.uploadId);
  for (const prefix of recordingPrefixes(streamId)) await deps.bucket.deletePrefix(prefix);
  return presentRecording(changed, changed.recording as RecordingState, deps);
}
