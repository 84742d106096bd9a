import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IDependable } from 'constructs';
import { cors, restRoutes } from '../../functions/manifest.ts';
import { addErrorResponses } from './gateway-responses.ts';
import type { Functions } from './handlers.ts';

// The standard JSON fields plus latency, error and trace id: enough to answer "what failed, how slow".
const ACCESS_LOG_FORMAT = apigateway.AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    httpMethod: '$context.httpMethod',
    resourcePath: '$context.resourcePath',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
    error: '$context.error.message',
    xrayTraceId: '$context.xrayTraceId',
  }),
);

export interface RestApiProps {
  readonly functions: Functions;
  /** The API Gateway account settings (CloudWatch role) the stage's logging needs first. */
  readonly account: IDependable;
}

/** The REST API, route for route from the manifest's `restRoutes`, each a Lambda proxy. */
export class LivestreamRestApi extends Construct {
  readonly api: apigateway.RestApi;

  constructor(scope: Construct, id: string, props: RestApiProps) {
    super(scope, id);
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new apigateway.RestApi(this, 'Api', {
      description: 'DreamX livestream REST API',
      // Regional: no hidden edge distribution; a custom domain, WAF or CloudFront can be added in front.
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      // The account-level logging role is made once by ApiGatewayAccount (WebSocket stage shares it).
      cloudWatchRole: false,
      deployOptions: {
        // `prod`: one stage per stack; environments are separate stacks (and accounts), not stages.
        stageName: 'prod',
        // Stage-wide guard against floods reaching Lambda and DynamoDB; raise with real traffic.
        throttlingRateLimit: 100,
        throttlingBurstLimit: 200,
        // Execution logs for failures only; never request/response bodies (tokens, stream keys).
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        // Traces start at the gateway, so Lambda segments join the same X-Ray trace.
        tracingEnabled: true,
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: ACCESS_LOG_FORMAT,
      },
      defaultCorsPreflightOptions: {
        // Any origin for now (bearer tokens, no cookies); pin to the web app's origin once it has one.
        allowOrigins: apigateway.Cors.ALL_ORIGINS,
        allowHeaders: [...cors.allowHeaders],
        maxAge: Duration.seconds(cors.maxAgeSeconds),
      },
    });
    this.api.deploymentStage.node.addDependency(props.account);
    // RestApi adds an `Endpoint` output of its own; the stack exports `RestApiUrl` instead.
    this.api.node.tryRemoveChild('Endpoint');
    for (const route of restRoutes) {
      const fn = props.functions[route.handler].function;
      // No test-invoke permission: the console's "Test" button is not worth an extra grant per method.
      const integration = new apigateway.LambdaIntegration(fn, { allowTestInvoke: false });
      this.api.root.resourceForPath(route.path).addMethod(route.method, integration);
    }
    addErrorResponses(this.api);
    this.suppressFindings();
  }

  private suppressFindings(): void {
    Validations.of(this.api).acknowledge(
      // Validation lives in the handlers (zod): one schema is the single source of truth.
      {
        id: 'AwsSolutions-APIG2',
        reason: 'Requests are validated in the Lambda with zod, the single source of truth.',
      },
      // WAF is an account-level cost and ownership decision, made when the product goes public.
      {
        id: 'AwsSolutions-APIG3',
        reason: 'WAF is an account-level cost decision; stage throttling applies meanwhile.',
      },
      // JWTs from any OIDC issuer are verified in the function with jose; public routes are public by design.
      {
        id: 'AwsSolutions-APIG4',
        reason:
          'Bearer JWTs are verified in the handler with jose against the configured OIDC issuer; public routes are public by design.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason:
          'Auth is any OIDC issuer (Cognito, Auth0, DreamX), verified in the handler with jose, not a Cognito authorizer.',
      },
    );
  }
}
