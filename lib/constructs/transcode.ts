import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { MEDIA_PREFIX, UPLOADS_PREFIX } from './media.ts';

export interface TranscoderProps {
  readonly recordings: IBucket;
}

/**
 * The role MediaConvert jobs run as: read a source under `uploads/`, write the renditions, manifests
 * and thumbnails under `media/`, nothing else (no ListBucket, no ACLs: the job sets neither).
 */
export class Transcoder extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: TranscoderProps) {
    super(scope, id);
    // No aws:SourceAccount / aws:SourceArn condition: MediaConvert does not document setting them when
    // it assumes a job role, and a condition the service leaves unset would fail every job. The
    // confused-deputy guard is iam:PassRole instead: only a principal of this account that may pass
    // this role (transcodeRecording, to MediaConvert only) can start a job that runs as it.
    this.role = new iam.Role(this, 'Role', {
      description: 'MediaConvert recording transcodes: reads uploads/, writes media/',
      assumedBy: new iam.ServicePrincipal('mediaconvert.amazonaws.com'),
    });
    const recordings = props.recordings;
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [recordings.arnForObjects(`${UPLOADS_PREFIX}*`)],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [recordings.arnForObjects(`${MEDIA_PREFIX}*`)],
      }),
    );
    const bucketId = Stack.of(this).getLogicalId(recordings.node.defaultChild as CfnElement);
    Validations.of(this.role).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${UPLOADS_PREFIX}*]`,
        reason: 'A job reads the one source it is given; source keys are made per stream at runtime.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${MEDIA_PREFIX}*]`,
        reason: 'A job writes many objects (segments, manifests, thumbnails) under its stream id.',
      },
    );
  }

  /**
   * Lets `role` probe sources and submit jobs that run as this role. `mediaconvert:Probe` has no
   * resource type (Service Authorization Reference), so it is `*`. `mediaconvert:CreateJob` can be
   * scoped to Queue, JobTemplate and Preset ARNs only (not to a job ARN, which does not exist yet);
   * the jobs use no template or preset and name no queue, so they go to the account's Default queue,
   * the only resource it is granted on. No `mediaconvert:TagResource`: the jobs carry no tags.
   */
  grantTranscode(role: iam.Role): void {
    const stack = Stack.of(this);
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['mediaconvert:Probe'], resources: ['*'] }));
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['mediaconvert:CreateJob'],
        resources: [
          stack.formatArn({ service: 'mediaconvert', resource: 'queues', resourceName: 'Default' }),
        ],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.role.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'mediaconvert.amazonaws.com' } },
      }),
    );
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'mediaconvert:Probe and the X-Ray write actions (active tracing) support no resource-level permissions.',
    });
  }
}
