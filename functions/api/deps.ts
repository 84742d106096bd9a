import { DynamoChatStore } from '../adapters/chat-store.ts';
import { S3RecordingBucket } from '../adapters/recording-bucket.ts';
import { DynamoRecordingStore } from '../adapters/recording-store.ts';
import { DynamoStreamStore } from '../adapters/stream-store.ts';
import { randomIds, systemClock, timeOrderedId } from '../adapters/system.ts';
import { DynamoViewerStore } from '../adapters/viewer-store.ts';
import { intEnv, requireEnv, seatRepairAfterMsFromEnv, turnConfigFromEnv } from '../config.ts';
import type { ChatDeps, ChatLimits } from '../core/chat.ts';
import type { RecordingDeps } from '../core/recording-upload.ts';
import type { StreamDeps } from '../core/streams.ts';
import type { ViewerDeps } from '../core/viewers.ts';

/** Composition roots: called once at a handler module's cold start. */
export function streamDeps(): StreamDeps {
  return { streams: new DynamoStreamStore(requireEnv('STREAMS_TABLE')), clock: systemClock, ids: randomIds };
}

/** Streams and viewing sessions: what ticket reissue needs. */
export function sessionDeps(): Pick<ViewerDeps, 'streams' | 'viewers' | 'clock' | 'ids'> {
  return { ...streamDeps(), viewers: new DynamoViewerStore(requireEnv('VIEWERS_TABLE')) };
}

/** Counting viewers in and out: sessions, and when to repair an interrupted change. */
export function seatDeps(): Omit<ViewerDeps, 'turn'> {
  return { ...sessionDeps(), seatRepairAfterMs: seatRepairAfterMsFromEnv() };
}

/** Join also hands out ICE servers, so only it reads the TURN configuration. */
export function viewerDeps(): ViewerDeps {
  return { ...seatDeps(), turn: turnConfigFromEnv() };
}

export function chatDeps(): ChatDeps {
  return {
    ...streamDeps(),
    chat: new DynamoChatStore(requireEnv('CHAT_TABLE')),
    newMessageId: () => timeOrderedId(),
  };
}

/** Chat limits, the same for REST and WebSocket posts. */
export function chatLimitsFromEnv(): ChatLimits {
  return {
    perWindow: intEnv('CHAT_RATE_LIMIT', 5, { min: 1, max: 1000 }),
    windowMs: 10_000,
    roomPerSecond: intEnv('CHAT_ROOM_RATE_LIMIT', 10, { min: 1, max: 1000 }),
    retentionDays: intEnv('CHAT_RETENTION_DAYS', 30, { min: 1, max: 3650 }),
  };
}

/** Reading recordings needs the streams table only: no S3 client in those bundles. */
export function recordingReadDeps(): Omit<RecordingDeps, 'bucket'> {
  const table = requireEnv('STREAMS_TABLE');
  return {
    streams: new DynamoStreamStore(table),
    recordings: new DynamoRecordingStore(table),
    clock: systemClock,
    limits: {
      maxBytes: intEnv('RECORDING_MAX_BYTES', 10 * 1024 ** 3, { min: 1024 ** 2, max: 5 * 1024 ** 4 }),
      uploadWindowMs: 1000 * intEnv('RECORDING_UPLOAD_WINDOW_SECONDS', 900, { min: 60, max: 86_400 }),
    },
  };
}

/** Uploads and deletes: the streams table, the recordings bucket, the limits. */
export function recordingDeps(): RecordingDeps {
  return { ...recordingReadDeps(), bucket: new S3RecordingBucket(requireEnv('RECORDINGS_BUCKET')) };
}
