/**
 * The service's data as the REST API and the WebSocket API carry it (docs/api.md, docs/chat.md,
 * docs/recording.md). Plain JSON shapes: dates are ISO 8601 strings.
 */

// The shapes are the server's own (type-only imports: nothing of the server reaches a bundle), so
// the SDK cannot drift from what the API answers.
import type * as ServerLive from '../../functions/core/live-upload.ts';
import type * as Server from '../../functions/core/model.ts';
import type * as Protocol from '../../functions/core/protocol.ts';
import type * as ServerRecording from '../../functions/core/recording-model.ts';
import type * as ServerUpload from '../../functions/core/recording-upload.ts';
import type * as ServerStats from '../../functions/core/stats.ts';

/**
 * `created -> live -> ended`, and only that way.
 *
 * @example
 * const watchable = (status: StreamStatus) => status === 'live';
 */
export type StreamStatus = Server.StreamStatus;

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
export type EndReason = Server.EndReason;

/**
 * What anyone may see of a stream (`GET /api/livestream/{id}`): never its key.
 *
 * @example
 * const stream: PublicStream = await api.getStream(streamId);
 * if (stream.status === 'live') console.log(`${stream.viewerCount} watching ${stream.title}`);
 */
export type PublicStream = Server.PublicStream;

/**
 * The part of a {@link Recording} a stream's public view carries.
 *
 * @example
 * const { recording } = await api.getStream(streamId);
 * if (recording?.status === 'ready') video.src = recording.playbackUrl ?? '';
 */
export type RecordingSummary = Server.RecordingSummary;

/**
 * `uploading -> processing -> ready | failed`; `deleted` from any state but `processing`.
 *
 * @example
 * const done = (s: RecordingStatus) => s === 'ready' || s === 'failed';
 */
export type RecordingStatus = ServerRecording.RecordingStatus;

/**
 * One rung of the HLS/DASH ladder.
 *
 * @example
 * const labels = recording.renditions.map((r: Rendition) => `${r.name} (${r.width}x${r.height})`);
 */
export type Rendition = ServerRecording.Rendition;

/**
 * A stream's recording (`GET /api/livestream/{id}/recording`).
 *
 * @example
 * const { recording } = await api.getRecording(streamId);
 * if (recording.status === 'failed') console.warn(recording.failure?.code);
 */
export type Recording = ServerRecording.PublicRecording;

/**
 * The limits of a recording upload, answered when it is opened.
 *
 * @example
 * const { upload } = await api.openRecording(streamId, 'video/webm');
 * const partBytes = Math.max(upload.minPartBytes, 8 * 1024 * 1024);
 */
export type UploadTerms = ServerUpload.UploadTerms['upload'];

/**
 * The broadcaster's live upload credential (`POST /api/livestream/{id}/live/credential`): an S3
 * presigned POST for every key under `keyPrefix`, of 1 to `maxBytes` bytes, until `expiresAt`.
 *
 * @example
 * const { url, fields, keyPrefix } = await api.liveCredential(streamId);
 * const form = new FormData();
 * for (const [name, value] of Object.entries(fields)) form.append(name, value);
 * form.append('key', `${keyPrefix}720p/0.m4s`);
 * form.append('Content-Type', 'video/mp4');
 * form.append('file', segment); // last
 * await fetch(url, { method: 'POST', body: form });
 */
export type LiveCredential = ServerLive.LiveCredential;

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
export type ChatMessage = Protocol.PublicChatMessage;

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
export type StreamStats = ServerStats.StreamStats;

/**
 * A page of a cursor-paged list: pass `nextCursor` back for the next one (`null`: no more).
 *
 * @example
 * let page: Page<'streams', PublicStream> = await api.listActive();
 * while (page.nextCursor) page = await api.listActive({ cursor: page.nextCursor });
 */
export type Page<K extends string, T> = { [P in K]: T[] } & { nextCursor: string | null };
