import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { HandlerDef } from '../../functions/manifest.ts';

/**
 * Turns a handler's manifest `bucket` grants into IAM statements on the recordings bucket: exactly
 * `s3:<Action>` on `<bucket>/<prefix>*` for object actions (the multipart ones included), and
 * `s3:ListBucket` on the bucket itself, only for keys under the prefix (`s3:prefix`). No other
 * wildcard, no `grantReadWrite`.
 */
export function bucketGrantsFromManifest(role: iam.Role, handler: HandlerDef, bucket: IBucket): void {
  const bucketId = Stack.of(bucket).getLogicalId(bucket.node.defaultChild as CfnElement);
  for (const grant of handler.bucket ?? []) {
    const objectActions = grant.actions.filter((action) => action !== 'ListBucket');
    if (objectActions.length > 0) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: objectActions.map((action) => `s3:${action}`),
          resources: [bucket.arnForObjects(`${grant.prefix}*`)],
        }),
      );
      // Object keys carry the stream id, made at runtime; the prefix is the narrowest fixed part.
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${grant.prefix}*]`,
        reason: `Recording objects are keyed by stream id at runtime; the grant is pinned to ${grant.prefix} of the recordings bucket and to the manifest's actions.`,
      });
    }
    if (grant.actions.includes('ListBucket')) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': `${grant.prefix}*` } },
        }),
      );
    }
  }
}
