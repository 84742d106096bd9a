import type { BucketPrefix } from '../manifest-types.ts';
import type { RecordingContentType } from './recording-model.ts';

/**
 * Where a recording lives in the bucket and on the CDN. One place, because the upload handlers,
 * the job settings, the delete and the local transcoder must agree on every name:
 *
 *   uploads/{streamId}/source.webm          the broadcaster's upload (never served)
 *   media/{streamId}/index.m3u8             HLS master playlist   } CMAF: one set of fMP4
 *   media/{streamId}/index.mpd              DASH manifest         } segments serves both
 *   media/{streamId}/index_{rung}.*         each rendition's playlist and segments
 *   media/{streamId}/thumbnails/thumb.0000000.jpg ...   one frame every 10 s
 *
 * CloudFront's origin is `media/`, so `media/{streamId}/index.m3u8` plays at
 * `{MEDIA_BASE_URL}/{streamId}/index.m3u8`.
 */
export const UPLOADS_PREFIX = 'uploads/' satisfies BucketPrefix;
export const MEDIA_PREFIX = 'media/' satisfies BucketPrefix;
/** MediaConvert names the master playlist and manifest after the destination's base name. */
export const MANIFEST_BASE_NAME = 'index';
export const THUMBNAIL_BASE_NAME = 'thumb';

const EXTENSION: Record<RecordingContentType, string> = { 'video/webm': 'webm', 'video/mp4': 'mp4' };

export const sourceKey = (streamId: string, contentType: RecordingContentType) =>
  `${UPLOADS_PREFIX}${streamId}/source.${EXTENSION[contentType]}`;

/** Every object of a stream's recording is under one of these. */
export const recordingPrefixes = (streamId: string) => [
  `${UPLOADS_PREFIX}${streamId}/`,
  `${MEDIA_PREFIX}${streamId}/`,
];

/** The stream id a source key belongs to, or undefined if the key is not a source upload. */
export function streamIdOfSourceKey(key: string): string | undefined {
  const match = /^uploads\/([0-9a-f-]{36})\/source\.(webm|mp4)$/.exec(key);
  return match?.[1];
}

/** The job's destinations, as S3 URLs (MediaConvert adds `.m3u8`, `.mpd`, name modifiers, counters). */
export const mediaDestinations = (bucket: string, streamId: string) => ({
  cmaf: `s3://${bucket}/${MEDIA_PREFIX}${streamId}/${MANIFEST_BASE_NAME}`,
  thumbnails: `s3://${bucket}/${MEDIA_PREFIX}${streamId}/thumbnails/${THUMBNAIL_BASE_NAME}`,
});

/** The CDN URLs of a ready recording. */
export const playbackUrls = (mediaBaseUrl: string, streamId: string) => ({
  playbackUrl: `${mediaBaseUrl}/${streamId}/${MANIFEST_BASE_NAME}.m3u8`,
  dashUrl: `${mediaBaseUrl}/${streamId}/${MANIFEST_BASE_NAME}.mpd`,
  thumbnailUrl: `${mediaBaseUrl}/${streamId}/thumbnails/${THUMBNAIL_BASE_NAME}.0000000.jpg`,
});
