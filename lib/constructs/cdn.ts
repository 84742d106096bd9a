import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { LiveCdn } from './live-cdn.ts';
import { LIVE_PREFIX, MEDIA_PREFIX } from './media.ts';

export interface MediaCdnProps {
  readonly recordings: IBucket;
  readonly logs: IBucket;
  /**
   * The Origin Shield Region of the live origin (`live/`): the Region nearest the bucket.
   * @default the stack's own Region
   */
  readonly liveOriginShieldRegion?: string;
}

/**
 * How long CloudFront keeps an HLS/DASH manifest (and at most, whatever Cache-Control says). Short,
 * because a deleted recording must stop playing soon: once its manifests are gone from the edges, a
 * player cannot find the segments, which keep the default (long) TTL: they never change.
 */
export const MANIFEST_TTL = Duration.seconds(60);
/**
 * How long an edge remembers that an object is missing (CloudFront's default is 10 s). A second: a
 * viewer who opens a live stream before its first playlist is uploaded gets it a second later, not
 * ten; and a deleted recording's 404 is forgotten as soon. S3 answers the extra misses cheaply.
 */
export const ERROR_CACHING_TTL = Duration.seconds(1);
const MANIFEST_PATHS = ['*.m3u8', '*.mpd'];

/**
 * CloudFront in front of the recordings bucket: `media/` (recordings' HLS/DASH manifests and
 * segments) by default, `live/` (the live ladder, docs/live.md) under `live/*.m3u8` and `live/*`.
 */
export class MediaCdn extends Construct {
  readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: MediaCdnProps) {
    super(scope, id);
    // OAC, but not the automatic bucket policy of `S3BucketOrigin.withOriginAccessControl`, which
    // lets the distribution read the whole bucket (`<bucket>/*`, uploads/ included; originPath does
    // not narrow it). The origins are wired by hand and `grantRead` below grants media/ and live/.
    const originAccess = new cloudfront.S3OriginAccessControl(this, 'OriginAccess', {
      description: 'DreamX livestream recordings: media/ and live/ only',
      signing: cloudfront.Signing.SIGV4_ALWAYS,
    });
    const origin = origins.S3BucketOrigin.withBucketDefaults(props.recordings, {
      originPath: `/${MEDIA_PREFIX.slice(0, -1)}`,
      originAccessControlId: originAccess.originAccessControlId,
    });
    const behavior = {
      origin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      // hls.js fetches playlists and segments with XHR from the web app's origin.
      responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.CORS_ALLOW_ALL_ORIGINS,
    };
    const manifestCache = new cloudfront.CachePolicy(this, 'ManifestCache', {
      comment: 'HLS/DASH manifests: a deleted recording stops playing within a minute',
      minTtl: Duration.seconds(0),
      defaultTtl: MANIFEST_TTL,
      maxTtl: MANIFEST_TTL,
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const live = new LiveCdn(this, 'Live', {
      recordings: props.recordings,
      originAccessControlId: originAccess.originAccessControlId,
      originShieldRegion: props.liveOriginShieldRegion ?? Stack.of(this).region,
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'DreamX livestream recordings (HLS/DASH) and live ladder (HLS)',
      // Segments never change once written: cached for as long as CachingOptimized allows.
      defaultBehavior: { ...behavior, cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED },
      // In this order: CloudFront takes the first pattern that matches, and `*.m3u8` would also
      // match a live playlist (and send it to the media/ origin).
      additionalBehaviors: {
        ...live.behaviors,
        ...Object.fromEntries(
          MANIFEST_PATHS.map((path) => [path, { ...behavior, cachePolicy: manifestCache }]),
        ),
      },
      // S3 answers 404 for a missing key (a deleted or not yet ready recording, a live playlist not
      // yet uploaded) because the distribution may list media/ and live/ (see grantRead); the edge
      // remembers it for a second.
      errorResponses: [{ httpStatus: 404, ttl: ERROR_CACHING_TTL }],
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: props.logs,
      logFilePrefix: 'cloudfront/',
    });
    this.grantRead(props.recordings);
    Validations.of(this.distribution).acknowledge(
      // Replays are for a worldwide audience; no licensing restriction applies.
      {
        id: 'AwsSolutions-CFR1',
        reason: 'Recordings are served worldwide by design; no geo restriction applies.',
      },
      // WAF is an account-level cost decision, taken together with the REST API's.
      {
        id: 'AwsSolutions-CFR2',
        reason: 'WAF is an account-level cost decision; the origin is private (OAC) and read-only.',
      },
      // The *.cloudfront.net default certificate cannot set a minimum TLS version; a custom domain can.
      {
        id: 'AwsSolutions-CFR4',
        reason: 'Uses the default CloudFront certificate (no custom domain yet), which fixes the TLS policy.',
      },
    );
  }

  /**
   * The bucket-policy statements OAC needs, for this distribution only (`AWS:SourceArn`):
   * `s3:GetObject` on `media/*` and `live/*`, and `s3:ListBucket` so that S3 answers a missing key
   * with 404 rather than 403 (without ListBucket S3 hides whether a key exists). A deleted
   * recording's playlist, or a live one not yet uploaded, must answer 404: players and the web app
   * treat 403 as "not allowed", and a 403 from S3 reads as a
   * misconfiguration in the logs. Chosen over a CloudFront 403->404 error response, which needs an
   * error page object in the bucket and would also turn a genuine permission failure into 404.
   *
   * ListBucket is safe here: every origin request's path starts with /media/ (originPath) or
   * /live/ (the only paths routed to the live origin) and no query string reaches S3 (the cache
   * policies forward none), so the distribution can never send a list request.
   * `StringLikeIfExists` on `s3:prefix` still narrows any list that names a prefix to media/ or
   * live/, while it leaves allowed the existence check S3 makes for a GetObject (which has none).
   */
  private grantRead(recordings: IBucket): void {
    const principal = new iam.ServicePrincipal('cloudfront.amazonaws.com');
    const thisDistribution = { 'AWS:SourceArn': this.distribution.distributionArn };
    const prefixes = [MEDIA_PREFIX, LIVE_PREFIX].map((prefix) => `${prefix}*`);
    recordings.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [principal],
        actions: ['s3:GetObject'],
        resources: prefixes.map((prefix) => recordings.arnForObjects(prefix)),
        conditions: { StringEquals: thisDistribution },
      }),
    );
    recordings.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [principal],
        actions: ['s3:ListBucket'],
        resources: [recordings.bucketArn],
        conditions: {
          StringEquals: thisDistribution,
          StringLikeIfExists: { 's3:prefix': prefixes },
        },
      }),
    );
  }
}
