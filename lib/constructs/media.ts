import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** The recordings bucket (uploads, HLS output under `media/`) and the bucket that holds access logs. */
export class MediaStorage extends Construct {
  readonly recordings: s3.Bucket;
  readonly logs: s3.Bucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);
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

    this.recordings = new s3.Bucket(this, 'Recordings', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      // Off: recordings are written once under unique keys and never overwritten; versions would
      // only add storage cost. Accidental stack deletion is covered by RETAIN below.
      versioned: false,
      serverAccessLogsBucket: this.logs,
      serverAccessLogsPrefix: 's3-access/recordings/',
      // Broadcasters upload in parts; a crashed upload must not leave billable parts behind.
      lifecycleRules: [{ abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      // Browsers upload parts straight to S3 with presigned URLs and need the ETag of each part.
      cors: [
        {
          allowedMethods: [s3.HttpMethods.PUT],
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
