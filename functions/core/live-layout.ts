import type { BucketPrefix } from '../manifest-types.ts';

/**
 * Where a stream's live ladder lives in the bucket and on the CDN (docs/live.md, "The bucket
 * layout"). One place, because the credential, the server's own playlist writes and the local
 * CDN must agree on every name:
 *
 *   live/{streamId}/index.m3u8                    multivariant playlist of the live renditions
 *   live/{streamId}/replay.m3u8                   multivariant playlist of the full-history ones
 *   live/{streamId}/{rendition}/index.m3u8        live media playlist (a sliding window)
 *   live/{streamId}/{rendition}/full.m3u8         every segment since the start (EVENT)
 *   live/{streamId}/{rendition}/init-{run}.mp4    CMAF init segment of one run
 *   live/{streamId}/{rendition}/{sequence}.m4s    one CMAF media segment
 *
 * The CDN's `live/*` behaviour has the bucket root as its origin, so the key and the path under
 * `MEDIA_BASE_URL` are the same: `live/{id}/index.m3u8` plays at `{MEDIA_BASE_URL}/live/{id}/index.m3u8`.
 */
export const LIVE_PREFIX = 'live/' satisfies BucketPrefix;

export const MULTIVARIANT_PLAYLIST = 'index.m3u8';
export const REPLAY_PLAYLIST = 'replay.m3u8';
/** A rendition's live (sliding window) and full-history media playlists. */
export const MEDIA_PLAYLIST = 'index.m3u8';
export const FULL_PLAYLIST = 'full.m3u8';

/**
 * Everything of one stream's ladder is under this. It ends with `/`: a credential for stream `ab`
 * must not reach `live/abc/...`.
 */
export const liveKeyPrefix = (streamId: string) => `${LIVE_PREFIX}${streamId}/`;

/** The media playlists of one rendition (`720p`...), as keys. */
export const renditionPlaylistKeys = (streamId: string, rendition: string) => ({
  live: `${liveKeyPrefix(streamId)}${rendition}/${MEDIA_PLAYLIST}`,
  full: `${liveKeyPrefix(streamId)}${rendition}/${FULL_PLAYLIST}`,
});

export const HLS_CONTENT_TYPE = 'application/vnd.apple.mpegurl';

/** The media playlists of one rendition, as keys: the sliding window and the full history. */
export const liveMediaPlaylists = (streamId: string, rendition: string) => {
  const keys = renditionPlaylistKeys(streamId, rendition);
  return [keys.live, keys.full];
};

/** The live ladder's replay (its full-history playlists): a complete VOD once they end. */
export const liveReplayUrl = (mediaBaseUrl: string, streamId: string) =>
  `${mediaBaseUrl}/${liveKeyPrefix(streamId)}${REPLAY_PLAYLIST}`;

/** What players open: the multivariant playlist on the CDN. */
export const livePlaybackUrl = (mediaBaseUrl: string, streamId: string) =>
  `${mediaBaseUrl}/${liveKeyPrefix(streamId)}${MULTIVARIANT_PLAYLIST}`;
