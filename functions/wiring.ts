/**
 * The one composition root: every handler builds what it needs here, once, at cold start, from
 * configuration that must be present (a missing variable throws before any request). Factories,
 * not instances, so each bundle holds only the adapters its handler asks for.
 */

import { DynamoAudienceStore } from './adapters/audience-store.ts';
import { DynamoChatStore } from './adapters/chat-store.ts';
import { ApiGatewayConnectionSender } from './adapters/connection-sender.ts';
import { DynamoConnectionStore } from './adapters/connection-store.ts';
import { S3LiveObjects } from './adapters/live-objects.ts';
import { S3LiveUploads } from './adapters/live-uploads.ts';
import { S3RecordingBucket } from './adapters/recording-bucket.ts';
import { DynamoRecordingStore } from './adapters/recording-store.ts';
import { DynamoRelayReads } from './adapters/relay-reads.ts';
import { DynamoStreamStore } from './adapters/stream-store.ts';
import { randomIds, systemClock, timeOrderedId } from './adapters/system.ts';
import { MediaConvertTranscoder } from './adapters/transcoder.ts';
import { DynamoViewerStore } from './adapters/viewer-store.ts';
import { EventBridgeWatchdogScheduler } from './adapters/watchdog-scheduler.ts';
import { requireEnv, tunable, turnConfigFromEnv } from './config.ts';
import type { AudienceDeps } from './core/audience.ts';
import type { ChatDeps, ChatLimits } from './core/chat.ts';
import { livePlaybackUrl } from './core/live-layout.ts';
import type { LiveUploadDeps } from './core/live-upload.ts';
import type { IdSource } from './core/ports.ts';
import type { RecordingDeps } from './core/recording-upload.ts';
import type { SeatDeps } from './core/seats.ts';
import type { SignalingDeps } from './core/signaling.ts';
import type { StreamDeps } from './core/streams.ts';
import type { ViewerDeps } from './core/viewers.ts';
import type { FrameDeps } from './socket/actions.ts';

export function streamDeps(): StreamDeps {
  return { streams: new DynamoStreamStore(requireEnv('STREAMS_TABLE')), clock: systemClock, ids: randomIds };
}

/** Streams and viewing sessions (with their history, for the stats): what ticket reissue and the stats need. */
export function sessionDeps() {
  return { ...streamDeps(), viewers: new DynamoViewerStore(requireEnv('VIEWERS_TABLE')) };
}

/** Counting viewers in and out: sessions, and when to repair an interrupted change. */
export function seatDeps(): SeatDeps & { ids: IdSource } {
  return { ...sessionDeps(), seatRepairAfterMs: 1000 * tunable('SEAT_REPAIR_AFTER_SECONDS') };
}

/** The HLS tier's counting: its shards and its presence window (core/audience.ts). */
export function audienceDeps(): AudienceDeps {
  return {
    ...seatDeps(),
    audience: new DynamoAudienceStore(requireEnv('AUDIENCE_TABLE')),
    windowMs: 1000 * tunable('PRESENCE_WINDOW_SECONDS'),
  };
}

/** Join places viewers on either tier, and hands out ICE servers (only it reads TURN's configuration). */
export function viewerDeps(): ViewerDeps {
  const mediaBaseUrl = requireEnv('MEDIA_BASE_URL');
  return {
    ...audienceDeps(),
    turn: turnConfigFromEnv(),
    livePlaybackUrl: (streamId) => livePlaybackUrl(mediaBaseUrl, streamId),
  };
}

/** A stream's public view: an ended one's live replay is served from the CDN (`MEDIA_BASE_URL`). */
export function publicStreamDeps() {
  return { ...streamDeps(), mediaBaseUrl: requireEnv('MEDIA_BASE_URL') };
}

/** Pushing frames to WebSocket clients by connection id. */
export function sender() {
  return new ApiGatewayConnectionSender(requireEnv('WS_CALLBACK_URL'));
}

/** A REST leave: counted out, and the broadcaster told as for a socket's leave. */
export function leaveDeps() {
  return { ...seatDeps(), sender: sender() };
}

export function chatDeps(): ChatDeps {
  return {
    ...streamDeps(),
    chat: new DynamoChatStore(requireEnv('CHAT_TABLE')),
    newMessageId: () => timeOrderedId(),
  };
}

/** Moderation: the stream (who may moderate) and the chat table (messages, bans, slow mode). */
export function moderationDeps() {
  return {
    streams: new DynamoStreamStore(requireEnv('STREAMS_TABLE')),
    chat: new DynamoChatStore(requireEnv('CHAT_TABLE')),
    clock: systemClock,
  };
}
/** Chat limits, the same for REST and WebSocket posts. */
export function chatLimitsFromEnv(): ChatLimits {
  return {
    perWindow: tunable('CHAT_RATE_LIMIT'),
    windowMs: 10_000,
    roomPerSecond: tunable('CHAT_ROOM_RATE_LIMIT'),
    retentionDays: tunable('CHAT_RETENTION_DAYS'),
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
      maxBytes: tunable('RECORDING_MAX_BYTES'),
      uploadWindowMs: 1000 * tunable('RECORDING_UPLOAD_WINDOW_SECONDS'),
    },
    mediaBaseUrl: requireEnv('MEDIA_BASE_URL'),
  };
}

/** Uploads and deletes: the streams table, the recordings bucket, the limits. */
export function recordingDeps(): RecordingDeps {
  return { ...recordingReadDeps(), bucket: new S3RecordingBucket(requireEnv('RECORDINGS_BUCKET')) };
}

/** The live upload credential: the stream (who may broadcast), the bucket's live prefix, its limits. */
export function liveUploadDeps(): LiveUploadDeps & { streams: DynamoStreamStore } {
  return {
    streams: new DynamoStreamStore(requireEnv('STREAMS_TABLE')),
    uploads: new S3LiveUploads(requireEnv('RECORDINGS_BUCKET')),
    mediaBaseUrl: requireEnv('MEDIA_BASE_URL'),
    limits: {
      maxBytes: tunable('LIVE_SEGMENT_MAX_BYTES'),
      ttlSeconds: tunable('LIVE_UPLOAD_TTL_SECONDS'),
    },
  };
}

/** Ending the live ladder: the bucket's `live/` objects only, no table (the stream comes in its event). */
export function liveFinishDeps() {
  return { live: new S3LiveObjects(requireEnv('RECORDINGS_BUCKET')) };
}

/** The S3 events' handler: probe the upload and submit its MediaConvert job. */
export function transcodeDeps() {
  const table = requireEnv('STREAMS_TABLE');
  return {
    streams: new DynamoStreamStore(table),
    recordings: new DynamoRecordingStore(table),
    transcoder: new MediaConvertTranscoder(),
    clock: systemClock,
    bucket: requireEnv('RECORDINGS_BUCKET'),
    roleArn: requireEnv('MEDIACONVERT_ROLE_ARN'),
  };
}

/** MediaConvert's job events: the recording's state, and where its ladder is served. */
export function jobStateDeps() {
  return {
    recordings: new DynamoRecordingStore(requireEnv('STREAMS_TABLE')),
    clock: systemClock,
    mediaBaseUrl: requireEnv('MEDIA_BASE_URL'),
  };
}

/** What ending a stream needs: the stream, and every connection of it to tell. */
export function endDeps() {
  return {
    streams: new DynamoStreamStore(requireEnv('STREAMS_TABLE')),
    connections: new DynamoConnectionStore(requireEnv('CONNECTIONS_TABLE')),
    sender: sender(),
    clock: systemClock,
  };
}

/** $connect: records the connection, claims its ticket. */
export function connectDeps() {
  return {
    connections: new DynamoConnectionStore(requireEnv('CONNECTIONS_TABLE')),
    clock: systemClock,
    // 2 h 5 min: API Gateway closes every connection at 2 h, so a row older than that is stale.
    ttlSeconds: tunable('CONNECTION_TTL_SECONDS'),
  };
}

/** The chat fan-out: the room's members, and the @connections API to reach them. */
export function fanOutDeps() {
  return { connections: new DynamoConnectionStore(requireEnv('CONNECTIONS_TABLE')), sender: sender() };
}

/** The signaling handlers: relays, viewers' departures, the broadcaster's drop and its watchdog. */
export function signalingDeps(): SignalingDeps {
  return {
    ...endDeps(),
    viewers: new DynamoViewerStore(requireEnv('VIEWERS_TABLE')),
    relay: new DynamoRelayReads(requireEnv('STREAMS_TABLE'), requireEnv('VIEWERS_TABLE')),
    ids: randomIds,
    seatRepairAfterMs: 1000 * tunable('SEAT_REPAIR_AFTER_SECONDS'),
    watchdog: new EventBridgeWatchdogScheduler({
      functionArn: requireEnv('WATCHDOG_FUNCTION_ARN'),
      roleArn: requireEnv('WATCHDOG_SCHEDULER_ROLE_ARN'),
      group: requireEnv('WATCHDOG_SCHEDULE_GROUP'),
    }),
    graceSeconds: tunable('BROADCASTER_GRACE_SECONDS'),
  };
}

/** $default also runs the chat actions: room bans, and posting under the same limits as REST. */
export function frameDeps(): FrameDeps {
  return {
    ...signalingDeps(),
    ...chatDeps(),
    chatLimits: chatLimitsFromEnv(),
    seats: {
      fallback: tunable('PEER_SEATS_FALLBACK'),
      max: tunable('PEER_SEATS_MAX'),
      seatKbps: tunable('PEER_SEAT_KBPS'),
    },
  };
}
