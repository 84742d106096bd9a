/**
 * The broadcaster's live upload credential: its browser muxes 1 s CMAF segments and writes them,
 * and the playlists that list them, straight to S3 with one presigned POST policy, so no function
 * is on the media path (docs/live.md). The policy is the whole authorization: only keys under the
 * stream's own live prefix, 1 byte to `maxBytes`, until it expires.
 */
import { liveKeyPrefix, livePlaybackUrl } from './live-layout.ts';
import type { StreamRecord } from './model.ts';
import type { LiveUploads } from './ports.ts';
import { wrongState } from './streams.ts';

export interface LiveUploadLimits {
  /** The largest object one upload may be (LIVE_SEGMENT_MAX_BYTES). */
  maxBytes: number;
  /** How long a credential is good for (LIVE_UPLOAD_TTL_SECONDS). */
  ttlSeconds: number;
}

export interface LiveUploadDeps {
  uploads: LiveUploads;
  /** Where the CDN serves the bucket (MEDIA_BASE_URL). */
  mediaBaseUrl: string;
  limits: LiveUploadLimits;
}

/** `POST /live/credential`'s answer: the form to POST each object with, and where it plays. */
export interface LiveCredential {
  url: string;
  /** Send every one, then `key` (under `keyPrefix`), `Content-Type`, and `file` last. */
  fields: Record<string, string>;
  keyPrefix: string;
  maxBytes: number;
  /** ISO 8601; the policy's own expiration. */
  expiresAt: string;
  playback: { hls: string };
}

/**
 * A credential for the stream's live prefix, only while it is live (`STREAM_NOT_LIVE` before the
 * start, `STREAM_ENDED` after). `stream` is the one the route's broadcaster check read. A
 * credential outlives the stream's end (or a key rotation) by at most its TTL, and still reaches
 * only this stream's prefix.
 */
export async function issueLiveCredential(
  deps: LiveUploadDeps,
  stream: StreamRecord,
): Promise<LiveCredential> {
  if (stream.status !== 'live') throw wrongState(stream, 'upload live media to');
  const keyPrefix = liveKeyPrefix(stream.streamId);
  const { maxBytes, ttlSeconds } = deps.limits;
  const credential = await deps.uploads.credential(keyPrefix, { maxBytes, expiresInSeconds: ttlSeconds });
  return {
    url: credential.url,
    fields: credential.fields,
    keyPrefix,
    maxBytes,
    expiresAt: new Date(credential.expiresAt).toISOString(),
    playback: { hls: livePlaybackUrl(deps.mediaBaseUrl, stream.streamId) },
  };
}
