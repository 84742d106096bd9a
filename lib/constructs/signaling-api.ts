import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IDependable } from 'constructs';
import { webSocketRoutes } from '../../functions/manifest.ts';
import type { Functions } from './handlers.ts';

export interface SignalingApiProps {
  readonly functions: Functions;
  /** The API Gateway account settings (CloudWatch role) the stage's logging needs first. */
  readonly account: IDependable;
}

// WebSocket context variables only (the REST standard fields do not exist on WebSocket APIs).
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    eventType: '$context.eventType',
    routeKey: '$context.routeKey',
    connectionId: '$context.connectionId',
    status: '$context.status',
    sourceIp: '$context.identity.sourceIp',
    integrationLatency: '$context.integrationLatency',
    error: '$context.error.message',
  }),
);

/** The WebSocket API for signaling and chat; routes from the manifest's `webSocketRoutes`. */
export class SignalingApi extends Construct {
  readonly api: apigwv2.WebSocketApi;
  readonly stage: apigwv2.WebSocketStage;

  constructor(scope: Construct, id: string, props: SignalingApiProps) {
    super(scope, id);
    this.api = new apigwv2.WebSocketApi(this, 'Api', {
      description: 'DreamX livestream signaling and chat',
      routeSelectionExpression: '$request.body.action',
    });
    for (const route of webSocketRoutes) {
      const integration = new WebSocketLambdaIntegration(
        `${route.handler}Integration`,
        props.functions[route.handler].function,
      );
      // Two-way for message routes, so the Lambda's return body reaches the client (acks, errors);
      // $connect / $disconnect do not carry a route response.
      const twoWay = route.routeKey !== '$connect' && route.routeKey !== '$disconnect';
      this.api.addRoute(route.routeKey, { integration, returnResponse: twoWay });
    }
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new apigwv2.WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: 'ws',
      autoDeploy: true,
      // Per-stage message limits; higher than REST because trickle ICE sends bursts of candidates.
      throttle: { rateLimit: 500, burstLimit: 1000 },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: ACCESS_LOG_FORMAT,
      },
    });
    // Execution logs for failures only, never message bodies (tickets, SDP); not exposed by the L2.
    const cfnStage = this.stage.node.defaultChild as apigwv2.CfnStage;
    cfnStage.addPropertyOverride('DefaultRouteSettings.LoggingLevel', 'ERROR');
    cfnStage.addPropertyOverride('DefaultRouteSettings.DataTraceEnabled', false);
    this.stage.node.addDependency(props.account);
    // API Gateway allows authorizers on $connect only. Until signaling tickets land (issue 3 adds
    // the $connect ticket check), a connection can only receive stream:error replies: no action
    // reads or writes data, and connection rows expire by TTL.
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Only $connect can carry an authorizer; no action is routable yet, and the ticket check on $connect comes with signaling.',
    });
  }
}
