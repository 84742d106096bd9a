import { Duration } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  LIVE_CACHE_CONTROL,
  LIVE_CORS,
  LIVE_PATHS,
  LIVE_PLAYLIST_MAX_AGE_SECONDS,
  LIVE_SECURITY_HEADERS,
  LIVE_SEGMENT_MAX_AGE_SECONDS,
} from '../../functions/core/live-delivery.ts';

/**
 * Edge TTLs of the live ladder. min = default = max: CloudFront keeps each object exactly this long,
 * whatever Cache-Control the object carries (a cache policy's MinTTL above 0 even outweighs
 * `no-store`), so nothing a broadcaster uploads changes how the edge caches it.
 *
 * Playlists: a second. They change every segment (1 s); AWS's live guidance is half a segment, and
 * a second is CloudFront's smallest TTL above 0. Every viewer's reload within that second is served
 * by the edge, and Origin Shield collapses the edges' refetches: S3 sees about one GET per playlist
 * per second, however large the audience.
 * Segments and init segments: a day. They never change (a new run takes new names), and a live
 * segment is wanted for seconds (the live window) or for the replay of a recent stream.
 */
export const LIVE_EDGE_TTL = {
  playlist: Duration.seconds(LIVE_PLAYLIST_MAX_AGE_SECONDS),
  segment: Duration.days(1),
  segmentMax: Duration.seconds(LIVE_SEGMENT_MAX_AGE_SECONDS),
} as const;

export interface LiveCdnProps {
  readonly recordings: IBucket;
  /** The distribution's origin access control: the same as for `media/`. */
  readonly originAccessControlId: string;
  /** Where Origin Shield runs: the Region nearest the bucket (live-parameters.ts). */
  readonly originShieldRegion: string;
}

/**
 * The `live/*.m3u8` and `live/*` behaviours (in that order: CloudFront takes the first pattern that
 * matches) over a second origin on the recordings bucket, this one with no origin path, so
 * `https://<cdn>/live/{id}/index.m3u8` is the key `live/{id}/index.m3u8`. Their origin requests are
 * signed with the same OAC; the bucket policy (cdn.ts, grantRead) lets this distribution read live/.
 */
export class LiveCdn extends Construct {
  /** Path pattern -> behaviour, playlists first; to be placed before the distribution's `*.m3u8`. */
  readonly behaviors: Record<string, cloudfront.BehaviorOptions>;

  constructor(scope: Construct, id: string, props: LiveCdnProps) {
    super(scope, id);
    const origin = origins.S3BucketOrigin.withBucketDefaults(props.recordings, {
      originAccessControlId: props.originAccessControlId,
      // Each edge misses every playlist once a second; Origin Shield, one more cache layer in one
      // Region, turns those misses into about one S3 request, not one per regional edge cache.
      originShieldEnabled: true,
      originShieldRegion: props.originShieldRegion,
    });
    const playlistCache = new cloudfront.CachePolicy(this, 'PlaylistCache', {
      comment: 'Live HLS playlists: rewritten every 1 s segment, cached 1 s',
      minTtl: LIVE_EDGE_TTL.playlist,
      defaultTtl: LIVE_EDGE_TTL.playlist,
      maxTtl: LIVE_EDGE_TTL.playlist,
      // Playlists are text and compress well; the growing full.m3u8 (the replay) most of all.
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const segmentCache = new cloudfront.CachePolicy(this, 'SegmentCache', {
      comment: 'Live CMAF init and media segments: never change once written',
      minTtl: LIVE_EDGE_TTL.segment,
      defaultTtl: LIVE_EDGE_TTL.segment,
      maxTtl: LIVE_EDGE_TTL.segmentMax,
    });
    const behavior = (cache: cloudfront.ICachePolicy, cacheControl: string, kind: string) => ({
      origin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      cachePolicy: cache,
      responseHeadersPolicy: this.headers(kind, cacheControl),
    });
    this.behaviors = {
      [LIVE_PATHS.playlists]: behavior(playlistCache, LIVE_CACHE_CONTROL.playlist, 'Playlist'),
      [LIVE_PATHS.segments]: behavior(segmentCache, LIVE_CACHE_CONTROL.segment, 'Segment'),
    };
  }

  /**
   * CORS for players on any origin, and the browser's Cache-Control, replacing the object's (a
   * response headers policy changes only what viewers get, never how the edge caches).
   */
  private headers(kind: string, cacheControl: string): cloudfront.ResponseHeadersPolicy {
    return new cloudfront.ResponseHeadersPolicy(this, `${kind}Headers`, {
      comment: `Live HLS ${kind.toLowerCase()}s: CORS for players, Cache-Control ${cacheControl}`,
      corsBehavior: {
        accessControlAllowOrigins: [LIVE_CORS.allowOrigin],
        accessControlAllowMethods: [...LIVE_CORS.allowMethods],
        // Only answered to a preflight, which players' plain GETs never make (and the behaviour,
        // GET/HEAD only, would refuse); Range is the one request header a player might add.
        accessControlAllowHeaders: ['Range'],
        accessControlExposeHeaders: [...LIVE_CORS.exposeHeaders],
        accessControlAllowCredentials: false,
        originOverride: true,
      },
      customHeadersBehavior: {
        customHeaders: [{ header: 'Cache-Control', value: cacheControl, override: true }],
      },
      // LIVE_SECURITY_HEADERS: nothing a broadcaster uploads runs as a page of this domain.
      securityHeadersBehavior: {
        contentTypeOptions: { override: true },
        contentSecurityPolicy: {
          contentSecurityPolicy: LIVE_SECURITY_HEADERS['Content-Security-Policy'],
          override: true,
        },
      },
    });
  }
}
