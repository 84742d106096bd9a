import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ApiGatewayAccount } from './constructs/api-gateway-account.ts';
import { MediaCdn } from './constructs/cdn.ts';
import { DataTables, type Tables } from './constructs/data.ts';
import { type Functions, Handlers } from './constructs/handlers.ts';
import { MediaStorage } from './constructs/media.ts';
import { LivestreamRestApi } from './constructs/rest-api.ts';
import { SignalingApi } from './constructs/signaling-api.ts';

/** The whole livestream backend, built from `functions/manifest.ts`. */
export class LivestreamStack extends Stack {
  readonly tables: Tables;
  readonly functions: Functions;
  readonly restApi: LivestreamRestApi;
  readonly signalingApi: SignalingApi;
  readonly media: MediaStorage;
  readonly cdn: MediaCdn;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.tables = new DataTables(this, 'Data').tables;
    this.functions = new Handlers(this, 'Handlers', { tables: this.tables }).functions;

    const account = new ApiGatewayAccount(this, 'ApiGatewayAccount');
    this.restApi = new LivestreamRestApi(this, 'RestApi', { functions: this.functions, account });
    this.signalingApi = new SignalingApi(this, 'SignalingApi', { functions: this.functions, account });

    this.media = new MediaStorage(this, 'Media');
    this.cdn = new MediaCdn(this, 'Cdn', { recordings: this.media.recordings, logs: this.media.logs });

    new CfnOutput(this, 'RestApiUrl', { value: this.restApi.api.url, description: 'REST API base URL' });
    new CfnOutput(this, 'WebSocketUrl', {
      value: this.signalingApi.stage.url,
      description: 'wss:// signaling URL',
    });
    new CfnOutput(this, 'MediaCdnUrl', {
      value: `https://${this.cdn.distribution.distributionDomainName}/`,
      description: 'Base URL of recordings (HLS) on CloudFront',
    });
  }
}
