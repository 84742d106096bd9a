/**
 * The service's data as the REST API and the WebSocket API carry it (docs/api.md, docs/chat.md,
 * docs/recording.md). Plain JSON shapes: dates are ISO 8601 strings.
 */

/**
 * `created -> live -> ended`, and only that way.
 *
 * @example
 * const watchable = (status: StreamStatus) => status === 'live';
 */
export type StreamStatus = 'created' | 'live' | 'ended';

/**
 * Why a stream ended: its broadcaster ended it, its grace period ran out, or an admin ended it.
 *
 * @example
 * const text: Record<EndReason, string> = {
 *   ended: 'The stream has ended.',
 *   broadcaster_disconnected: 'The broadcaster lost their connection.',
 *   terminated: 'The stream was stopped by a moderator.',
 * };
 */
export type EndReason = 'ended' | 'broadcaster_disconnected' | 'terminated';

/**
 * What anyone may see of a stream (`GET /api/livestream/{id}`): never its key.
 *
 * @example
 * const stream: PublicStream = await api.getStream(streamId);
 * if (stream.status === 'live') console.log(`${stream.viewerCount} watching ${stream.title}`);
 */
export interface PublicStream {
  streamId: string;
  ownerId: string;
  title: string;
  description: string;
  status: StreamStatus;
  recordingEnabled: boolean;
  maxViewers: number;
  viewerCount: number;
  peakViewers: number;
  totalViews: number;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  endReason?: EndReason | null;
  /** A client-hosted recording given at the end (`POST /end {recordingUrl}`). */
  recordingUrl: string | null;
  /** The server-side recording's summary, see {@link Recording}. */
  recording: RecordingSummary | null;
}

/**
 * The part of a {@link Recording} a stream's public view carries.
 *
 * @example
 * const { recording } = await api.getStream(streamId);
 * if (recording?.status === 'ready') video.src = recording.playbackUrl ?? '';
 */
export interface RecordingSummary {
  status: RecordingStatus;
  playbackUrl: string | null;
  thumbnailUrl: string | null;
  durationSeconds: number | null;
}

/**
 * `uploading -> processing -> ready | failed`; `deleted` from any state but `processing`.
 *
 * @example
 * const done = (s: RecordingStatus) => s === 'ready' || s === 'failed';
 */
export type RecordingStatus = 'uploading' | 'processing' | 'ready' | 'failed' | 'deleted';

/**
 * One rung of the HLS/DASH ladder.
 *
 * @example
 * const labels = recording.renditions.map((r: Rendition) => `${r.name} (${r.width}x${r.height})`);
 */
export interface Rendition {
  name: string;
  width: number;
  height: number;
  /** Peak video bitrate, bits/s. */
  maxBitrate: number;
}

/**
 * A stream's recording (`GET /api/livestream/{id}/recording`).
 *
 * @example
 * const { recording } = await api.getRecording(streamId);
 * if (recording.status === 'failed') console.warn(recording.failure?.code);
 */
export interface Recording {
  streamId: string;
  status: RecordingStatus;
  contentType: 'video/webm' | 'video/mp4';
  /** 0..100; 100 once ready. */
  progress: number;
  openedAt: string;
  uploadDeadline: string | null;
  uploadedAt: string | null;
  sizeBytes: number | null;
  /** HLS master playlist, once ready. */
  playbackUrl: string | null;
  /** DASH manifest, once ready. */
  dashUrl: string | null;
  thumbnailUrl: string | null;
  durationSeconds: number | null;
  renditions: Rendition[];
  failure: {
    code: 'SOURCE_UNREADABLE' | 'TRANSCODE_FAILED' | 'UPLOAD_EMPTY' | 'UPLOAD_TOO_LARGE' | 'UPLOAD_INVALID';
    message: string;
  } | null;
}

/**
 * The limits of a recording upload, answered when it is opened.
 *
 * @example
 * const { upload } = await api.openRecording(streamId, 'video/webm');
 * const partBytes = Math.max(upload.minPartBytes, 8 * 1024 * 1024);
 */
export interface UploadTerms {
  /** Every part but the last must be at least this big (5 MiB). */
  minPartBytes: number;
  maxPartBytes: number;
  maxParts: number;
  maxBytes: number;
  /** How long a presigned part URL is good for. */
  partUrlTtlSeconds: number;
}

/**
 * A stored chat message. Render `message` as text (`textContent`), never as HTML.
 *
 * @example
 * chat.on('message', (m: ChatMessage) => {
 *   const li = document.createElement('li');
 *   li.textContent = `${m.userId}: ${m.message}`;
 *   list.append(li);
 * });
 */
export interface ChatMessage {
  /** A ULID: ids sort by time. */
  id: string;
  userId: string;
  message: string;
  timestamp: string;
}

/**
 * Where and with what to open the WebSocket: `url?ticket=<ticket>`, within 60 s.
 *
 * @example
 * const { signaling }: { signaling: SignalingTicket } = await api.start(streamId);
 * new WebSocket(`${signaling.url}?ticket=${encodeURIComponent(signaling.ticket)}`);
 */
export interface SignalingTicket {
  url: string;
  ticket: string;
}

/**
 * The owner's figures for one stream (`GET /api/livestream/{id}/stats`).
 *
 * @example
 * const stats = await api.stats(streamId);
 * console.log(`${stats.uniqueViewers} people, ${stats.watchTime.averageSeconds} s each on average`);
 */
export interface StreamStats {
  streamId: string;
  status: StreamStatus;
  currentViewers: number;
  peakViewers: number;
  totalViews: number;
  uniqueViewers: number;
  watchTime: { totalSeconds: number; averageSeconds: number };
  /** Per minute since the start (ISO start of the minute): the most viewers at once in it. */
  concurrency: { minute: string; viewers: number }[];
  startedAt: string | null;
  endedAt: string | null;
}

/**
 * A page of a cursor-paged list: pass `nextCursor` back for the next one (`null`: no more).
 *
 * @example
 * let page: Page<'streams', PublicStream> = await api.listActive();
 * while (page.nextCursor) page = await api.listActive({ cursor: page.nextCursor });
 */
export type Page<K extends string, T> = { [P in K]: T[] } & { nextCursor: string | null };
