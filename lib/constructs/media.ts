import { Duration, RemovalPolicy, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { LIVE_PREFIX } from '../../functions/core/live-delivery.ts';
import { MEDIA_PREFIX, UPLOADS_PREFIX } from '../../functions/core/media-layout.ts';
import { LIVE_RETENTION_DAYS } from './live-parameters.ts';

export { LIVE_PREFIX, MEDIA_PREFIX, UPLOADS_PREFIX };

export interface MediaStorageProps {
  /**
   * Days after upload when a recording's source (`uploads/`) moves to S3 Glacier Instant Retrieval;
   * 0 keeps sources in Standard. MediaConvert reads a source once, right after its upload; after
   * that it is kept only for a re-transcode, which Instant Retrieval still serves in milliseconds
   * (no restore step), at about a sixth of Standard's storage price plus a per-GB read fee. 30 days:
   * a failed transcode is retried, and an unwanted recording deleted, within days; and an object
   * deleted sooner than 90 days after its transition is still billed those 90 days of Instant
   * Retrieval (about half a month of Standard), so moving it early would save nothing.
   * @default 30
   */
  readonly uploadsColdAfterDays?: number;
  /**
   * Days after which S3 deletes an object of the live ladder (`live/`): the quick replay of a stream
   * until the MediaConvert ladder under `media/` is ready. A number, or the deploy parameter's token
   * (live-parameters.ts; CloudFormation then checks the range).
   * @default 7
   */
  readonly liveRetentionDays?: number;
}

/**
 * The recordings bucket (uploads, HLS output under `media/`, the live ladder under `live/`) and the
 * bucket that holds access logs.
 */
export class MediaStorage extends Construct {
  readonly recordings: s3.Bucket;
  readonly logs: s3.Bucket;

  constructor(scope: Construct, id: string, props: MediaStorageProps = {}) {
    super(scope, id);
    const coldAfterDays = props.uploadsColdAfterDays ?? 30;
    if (!Number.isInteger(coldAfterDays) || coldAfterDays < 0) {
      throw new Error(`uploadsColdAfterDays must be a whole number of days (0 = off), got ${coldAfterDays}`);
    }
    const liveDays = props.liveRetentionDays ?? LIVE_RETENTION_DAYS.default;
    const { min, max } = LIVE_RETENTION_DAYS;
    if (
      !Token.isUnresolved(liveDays) &&
      !(Number.isInteger(liveDays) && liveDays >= min && liveDays <= max)
    ) {
      throw new Error(`liveRetentionDays must be a whole number of days, ${min}..${max}, got ${liveDays}`);
    }
    // S3 access-log delivery through a bucket policy rather than the legacy LogDeliveryWrite ACL
    // (deprecated; cfn-lint W3045). A feature flag, set here so it only affects these buckets.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    this.logs = new s3.Bucket(this, 'Logs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // SSE-S3: S3 server access log delivery does not support SSE-KMS targets.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      // CloudFront standard logging writes with ACLs, so ACLs cannot be disabled on this bucket.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      // Access logs are for investigations, not archives: bounded cost.
      lifecycleRules: [
        { expiration: Duration.days(90), abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Logging the log bucket into itself would loop; a third bucket would only move the problem.
    Validations.of(this.logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log target bucket; logging it into itself would recurse.',
    });

    // The role of CDK's custom resource that writes the bucket's event notifications (manifest `s3`
    // event sources). Made here rather than by CDK only so that the finding below has a construct
    // to attach to; CDK adds s3:PutBucketNotification on this bucket, and nothing else, to it.
    const notificationsRole = new iam.Role(this, 'NotificationsHandlerRole', {
      description: 'CDK custom resource: writes the recordings bucket event notifications',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    Validations.of(notificationsRole).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        "CDK attaches AWSLambdaBasicExecutionRole to its S3-notifications handler's role (for the handler's own logs); it cannot be opted out.",
    });

    this.recordings = new s3.Bucket(this, 'Recordings', {
      notificationsHandlerRole: notificationsRole,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      // Off: recordings are written once under unique keys and never overwritten; versions would
      // only add storage cost. Accidental stack deletion is covered by RETAIN below.
      versioned: false,
      serverAccessLogsBucket: this.logs,
      serverAccessLogsPrefix: 's3-access/recordings/',
      lifecycleRules: [
        // Broadcasters upload in parts; a crashed upload must not leave billable parts behind.
        { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        ...(coldAfterDays > 0
          ? [
              {
                id: 'ColdSources',
                prefix: UPLOADS_PREFIX,
                transitions: [
                  {
                    storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
                    transitionAfter: Duration.days(coldAfterDays),
                  },
                ],
              },
            ]
          : []),
        // The live ladder is the quick replay of a stream until the MediaConvert ladder (media/) is
        // ready, which then serves the replay. A stream live for longer than this loses the start of
        // its live replay (full.m3u8 would list deleted segments).
        { id: 'ExpireLiveLadder', prefix: LIVE_PREFIX, expiration: Duration.days(liveDays) },
      ],
      // Browsers upload recording parts (PUT, presigned URLs; they need each part's ETag) and live
      // segments and playlists (POST, a presigned POST policy: a multipart/form-data form) straight
      // to S3. Any origin, as for parts: the signature, not the page's origin, is what authorizes.
      cors: [
        {
          allowedMethods: [s3.HttpMethods.PUT, s3.HttpMethods.POST],
          allowedOrigins: ['*'],
          allowedHeaders: ['*'],
          exposedHeaders: ['ETag'],
          maxAge: 3600,
        },
      ],
      // Recordings are user content: never deleted with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
