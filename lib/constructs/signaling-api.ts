import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IDependable } from 'constructs';
import { webSocketAuthorizer, webSocketRoutes } from '../../functions/manifest.ts';
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

/**
 * A literal on purpose: functions' env (stage URLs) and ManageConnections grants name the stage by
 * it, so no function depends on the Stage resource (which would invite a dependency cycle).
 */
export const WS_STAGE_NAME = 'ws';

/**
 * The WebSocket API for signaling and chat; routes from the manifest's `webSocketRoutes`, and the
 * manifest's `webSocketAuthorizer` on `$connect`.
 */
export class SignalingApi extends Construct {
  readonly api: apigwv2.WebSocketApi;
  readonly stage: apigwv2.WebSocketStage;

  constructor(scope: Construct, id: string, props: SignalingApiProps) {
    super(scope, id);
    this.api = new apigwv2.WebSocketApi(this, 'Api', {
      description: 'DreamX livestream signaling and chat',
      routeSelectionExpression: '$request.body.action',
    });
    // A REQUEST authorizer that verifies the signed ticket. No result cache: API Gateway caches
    // authorizer results for HTTP APIs only (AuthorizerResultTtlInSeconds), the L2 has no such
    // option, and it runs once per connection anyway, on a ticket that is new each time.
    const authorizer = new WebSocketLambdaAuthorizer(
      'TicketAuthorizer',
      props.functions[webSocketAuthorizer.handler].function,
      { identitySource: [webSocketAuthorizer.identitySource] },
    );
    for (const route of webSocketRoutes) {
      const integration = new WebSocketLambdaIntegration(
        `${route.handler}Integration`,
        props.functions[route.handler].function,
      );
      // Two-way for message routes, so the Lambda's return body reaches the client (acks, errors);
      // $connect / $disconnect do not carry a route response.
      const twoWay = route.routeKey !== '$connect' && route.routeKey !== '$disconnect';
      this.api.addRoute(route.routeKey, {
        integration,
        returnResponse: twoWay,
        // API Gateway accepts authorizers on $connect only; later frames carry its context.
        authorizer: route.routeKey === '$connect' ? authorizer : undefined,
      });
    }
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new apigwv2.WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: WS_STAGE_NAME,
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
    // $disconnect and $default have no authorizer because API Gateway allows none there; a frame
    // only ever arrives on a connection that passed the $connect ticket check.
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        '$connect verifies a short-lived signed ticket with a Lambda REQUEST authorizer; other WebSocket routes cannot have authorizers but inherit the connection identity (authorizer context).',
    });
  }

  /** The wss:// URL clients connect to. */
  get url(): string {
    return this.stage.url;
  }

  /** The https:// @connections management endpoint of the stage. */
  get callbackUrl(): string {
    return this.stage.callbackUrl;
  }

  /**
   * `execute-api:ManageConnections` on this API's stage, `@connections/<any id>`, every method there
   * (POST to send, GET to inspect, DELETE to close). Connection ids exist only at runtime.
   */
  grantManageConnections(role: iam.Role): void {
    const stack = Stack.of(this);
    const connections = stack.formatArn({
      service: 'execute-api',
      resource: this.api.apiId,
      resourceName: `${WS_STAGE_NAME}/*/@connections/*`,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['execute-api:ManageConnections'], resources: [connections] }),
    );
    const apiId = stack.getLogicalId(this.api.node.defaultChild as apigwv2.CfnApi);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiId}>/${WS_STAGE_NAME}/*/@connections/*]`,
      reason:
        'Connection ids are assigned by API Gateway at runtime; the ARN is pinned to this API, its stage and the @connections path.',
    });
  }
}
