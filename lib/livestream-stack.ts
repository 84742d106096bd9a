import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ApiGatewayAccount } from './constructs/api-gateway-account.ts';
import { asyncSourcesFromManifest } from './constructs/async-sources.ts';
import { MediaCdn } from './constructs/cdn.ts';
import { DataTables, type Tables } from './constructs/data.ts';
import { type Functions, Handlers } from './constructs/handlers.ts';
import { liveParameters } from './constructs/live-parameters.ts';
import { MediaStorage } from './constructs/media.ts';
import { LivestreamRestApi } from './constructs/rest-api.ts';
import { type ScheduleTarget, scheduleTargetsFromManifest } from './constructs/schedule-target.ts';
import { SignalingApi } from './constructs/signaling-api.ts';
import { SignalingSecret } from './constructs/signaling-secret.ts';
import { streamConsumersFromManifest } from './constructs/stream-sources.ts';
import { Transcoder } from './constructs/transcode.ts';

/** The whole livestream backend, built from `functions/manifest.ts`. */
export class LivestreamStack extends Stack {
  readonly tables: Tables;
  readonly functions: Functions;
  readonly restApi: LivestreamRestApi;
  readonly signalingApi: SignalingApi;
  readonly signalingSecret: SignalingSecret;
  /** The stream watchdog's schedule group and the role its schedules run as. */
  readonly watchdog: ScheduleTarget;
  /** Each table-stream consumer's event source mapping and dead-letter queue, by handler. */
  readonly streamConsumers: ReturnType<typeof streamConsumersFromManifest>;
  /** Each S3- or EventBridge-invoked handler's dead-letter queue, by handler. */
  readonly asyncConsumers: ReturnType<typeof asyncSourcesFromManifest>;
  readonly media: MediaStorage;
  readonly cdn: MediaCdn;
  /** The role MediaConvert jobs run as. */
  readonly transcoder: Transcoder;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.tables = new DataTables(this, 'Data').tables;
    // Storage, CDN and the MediaConvert role first: functions read their names (env) and hold grants
    // on them, while none of them references a function (the bucket's notifications are a resource
    // of their own), so there is no cycle.
    const live = liveParameters(this);
    this.media = new MediaStorage(this, 'Media', { liveRetentionDays: live.retentionDays });
    this.cdn = new MediaCdn(this, 'Cdn', {
      recordings: this.media.recordings,
      logs: this.media.logs,
      liveOriginShieldRegion: live.originShieldRegion,
    });
    this.transcoder = new Transcoder(this, 'Transcoder', { recordings: this.media.recordings });
    const handlers = new Handlers(this, 'Handlers', {
      tables: this.tables,
      recordings: this.media.recordings,
    });
    this.functions = handlers.functions;

    const account = new ApiGatewayAccount(this, 'ApiGatewayAccount');
    this.restApi = new LivestreamRestApi(this, 'RestApi', { functions: this.functions, account });
    this.signalingApi = new SignalingApi(this, 'SignalingApi', { functions: this.functions, account });
    this.signalingSecret = new SignalingSecret(this, 'SignalingSecret');
    this.watchdog = scheduleTargetsFromManifest(this, this.functions).streamWatchdog;
    this.streamConsumers = streamConsumersFromManifest(this, this.tables, this.functions);
    this.asyncConsumers = asyncSourcesFromManifest(this, this.functions, this.media.recordings);

    // No cycle: the functions reference the API's id (not its Stage or routes), the secret, the
    // watchdog, the bucket, the distribution and the MediaConvert role; routes, the scheduler role,
    // notifications, rules and permissions reference the functions.
    handlers.connect({
      environment: {
        SIGNALING_URL: this.signalingApi.url,
        WS_CALLBACK_URL: this.signalingApi.callbackUrl,
        SIGNALING_SECRET_ARN: this.signalingSecret.secret.secretArn,
        WATCHDOG_FUNCTION_ARN: this.functions.streamWatchdog.function.functionArn,
        WATCHDOG_SCHEDULER_ROLE_ARN: this.watchdog.role.roleArn,
        WATCHDOG_SCHEDULE_GROUP: this.watchdog.group.scheduleGroupName,
        RECORDINGS_BUCKET: this.media.recordings.bucketName,
        MEDIACONVERT_ROLE_ARN: this.transcoder.role.roleArn,
        MEDIA_BASE_URL: `https://${this.cdn.distribution.distributionDomainName}`,
      },
      access: {
        manageConnections: (role) => this.signalingApi.grantManageConnections(role),
        signalingSecret: (role) => this.signalingSecret.grantGetValue(role),
        scheduleWatchdog: (role) => this.watchdog.grantCreateSchedule(role),
        transcode: (role) => this.transcoder.grantTranscode(role),
      },
    });

    new CfnOutput(this, 'RestApiUrl', { value: this.restApi.api.url, description: 'REST API base URL' });
    new CfnOutput(this, 'WebSocketUrl', {
      value: this.signalingApi.url,
      description: 'wss:// signaling URL',
    });
    new CfnOutput(this, 'MediaCdnUrl', {
      value: `https://${this.cdn.distribution.distributionDomainName}/`,
      description: 'Base URL of recordings (HLS/DASH) on CloudFront; the live ladder is under live/',
    });
    new CfnOutput(this, 'RecordingsBucketName', {
      value: this.media.recordings.bucketName,
      description: 'Recordings bucket (uploads/ sources; media/ and live/ served by the CDN)',
    });
  }
}
