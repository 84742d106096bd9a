import { Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface MediaCdnProps {
  readonly recordings: IBucket;
  readonly logs: IBucket;
}

/** CloudFront in front of the recordings bucket's `media/` prefix (HLS playlists and segments). */
export class MediaCdn extends Construct {
  readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: MediaCdnProps) {
    super(scope, id);
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'DreamX livestream recordings (HLS)',
      defaultBehavior: {
        // OAC: the bucket stays private; only this distribution may read, and only under media/.
        origin: origins.S3BucketOrigin.withOriginAccessControl(props.recordings, { originPath: '/media' }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        // hls.js fetches playlists and segments with XHR from the web app's origin.
        responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.CORS_ALLOW_ALL_ORIGINS,
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: props.logs,
      logFilePrefix: 'cloudfront/',
    });
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
}
