import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type HandlerDef,
  type HandlerName,
  handlers,
  type KeyDef,
  restRoutes,
  type TableDef,
  type TableKey,
  tables,
  webSocketAuthorizer,
  webSocketRoutes,
} from '../../functions/manifest.ts';
import { resourceEnv } from './expected.ts';
import { cleanUp, SYNTH_TIMEOUT_MS, type Synthesized, sorted, synthesize } from './fixture.ts';
import {
  asList,
  customResourceHandlers,
  dependencyCycle,
  mentions,
  ofType,
  onlyOf,
  type Resources,
  refOf,
  render,
  resourcePath,
} from './template.ts';

let synth: Synthesized;
let resources: Resources;

beforeAll(() => {
  synth = synthesize();
  resources = synth.resources;
}, SYNTH_TIMEOUT_MS);
afterAll(() => cleanUp(synth));

describe('LivestreamStack: REST API', () => {
  const methods = () =>
    ofType(resources, 'AWS::ApiGateway::Method')
      .map(([, method]) => method.Properties)
      .filter((props) => props.HttpMethod !== 'OPTIONS');

  it('has exactly the manifest routes (method + full path)', () => {
    const actual = methods().map((p) => `${p.HttpMethod} ${resourcePath(resources, p.ResourceId) || '/'}`);
    expect(sorted(actual)).toEqual(sorted(restRoutes.map((route) => `${route.method} ${route.path}`)));
  });

  it('proxies each route to the function of its manifest handler', () => {
    const ids = Object.keys(handlers).map((name) => [name, synth.functionId(name as HandlerName)] as const);
    const actual = methods().map((p) => {
      const integration = p.Integration as { Type: string; Uri: unknown };
      const targets = ids.filter(([, id]) => mentions(integration.Uri, id)).map(([name]) => name);
      return `${p.HttpMethod} ${resourcePath(resources, p.ResourceId)} ${integration.Type} ${targets.join(',')}`;
    });
    const expected = restRoutes.map((r) => `${r.method} ${r.path} AWS_PROXY ${r.handler}`);
    expect(sorted(actual)).toEqual(sorted(expected));
  });

  it("answers API Gateway's own errors with the service's error body and CORS header", () => {
    const expected = [
      ['MISSING_AUTHENTICATION_TOKEN', '404', 'ROUTE_NOT_FOUND'],
      ['THROTTLED', '429', 'THROTTLED'],
      ['REQUEST_TOO_LARGE', '413', 'PAYLOAD_TOO_LARGE'],
      ['DEFAULT_5XX', undefined, 'INTERNAL'],
    ] as const;
    const responses = ofType(resources, 'AWS::ApiGateway::GatewayResponse').map(([, r]) => r.Properties);
    for (const [type, status, code] of expected) {
      const response = responses.find((props) => props.ResponseType === type);
      expect(response, type).toBeDefined();
      expect(response?.StatusCode).toEqual(status);
      const templates = (response?.ResponseTemplates ?? {}) as Record<string, string>;
      const body = JSON.parse(templates['application/json'] ?? '{}');
      expect(body.error.code).toBe(code);
      expect(response?.ResponseParameters).toMatchObject({
        'gatewayresponse.header.Access-Control-Allow-Origin': "'*'",
      });
    }
  });

  it('throttles the stage, logs errors only (no data trace) and writes access logs', () => {
    synth.template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [
        {
          HttpMethod: '*',
          ResourcePath: '/*',
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          ThrottlingRateLimit: 100,
          ThrottlingBurstLimit: 200,
        },
      ],
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
  });
});

describe('LivestreamStack: WebSocket API', () => {
  it('has exactly the manifest route keys, selected by $request.body.action', () => {
    const keys = ofType(resources, 'AWS::ApiGatewayV2::Route').map(([, r]) => String(r.Properties.RouteKey));
    expect(sorted(keys)).toEqual(sorted(webSocketRoutes.map((route) => route.routeKey)));
    synth.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: '$request.body.action',
    });
  });

  it('integrates each route with its handler, and only $default returns a response', () => {
    const routes = ofType(resources, 'AWS::ApiGatewayV2::Route');
    for (const { routeKey, handler } of webSocketRoutes) {
      const [, route] = routes.find(([, r]) => r.Properties.RouteKey === routeKey) ?? [];
      const [integrationId] =
        ofType(resources, 'AWS::ApiGatewayV2::Integration').find(([id]) =>
          mentions(route?.Properties.Target, id),
        ) ?? [];
      expect(integrationId, routeKey).toBeDefined();
      expect(
        mentions(resources[integrationId ?? '']?.Properties.IntegrationUri, synth.functionId(handler)),
      ).toBe(true);
    }
    const twoWay = ofType(resources, 'AWS::ApiGatewayV2::RouteResponse').map(
      ([, r]) => resources[refOf(r.Properties.RouteId) ?? '']?.Properties.RouteKey,
    );
    expect(twoWay).toEqual(['$default']);
  });

  it("authorizes $connect, and only $connect, with the manifest's REQUEST authorizer", () => {
    const [authorizerId, authorizer] = onlyOf(resources, 'AWS::ApiGatewayV2::Authorizer');
    expect(authorizer.Properties.AuthorizerType).toBe('REQUEST');
    expect(authorizer.Properties.IdentitySource).toEqual([webSocketAuthorizer.identitySource]);
    expect(authorizer.Properties.AuthorizerResultTtlInSeconds).toBeUndefined();
    const authorizerFn = synth.functionId(webSocketAuthorizer.handler);
    expect(mentions(authorizer.Properties.AuthorizerUri, authorizerFn)).toBe(true);
    const auth = ofType(resources, 'AWS::ApiGatewayV2::Route').map(([, r]) => [
      r.Properties.RouteKey,
      r.Properties.AuthorizationType,
      refOf(r.Properties.AuthorizerId),
    ]);
    const expected = webSocketRoutes.map(({ routeKey }) =>
      routeKey === '$connect' ? [routeKey, 'CUSTOM', authorizerId] : [routeKey, 'NONE', undefined],
    );
    expect(sorted(auth.map((a) => JSON.stringify(a)))).toEqual(
      sorted(expected.map((e) => JSON.stringify(e))),
    );
    // API Gateway may invoke the authorizer function, for this authorizer only.
    const permissions = ofType(resources, 'AWS::Lambda::Permission').filter(([, p]) =>
      mentions(p.Properties.FunctionName, authorizerFn),
    );
    expect(permissions.map(([, p]) => [p.Properties.Principal, render(p.Properties.SourceArn)])).toEqual([
      [
        'apigateway.amazonaws.com',
        `arn:\${AWS::Partition}:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${${refOf(authorizer.Properties.ApiId)}}/authorizers/\${${authorizerId}}`,
      ],
    ]);
  });
});

describe('LivestreamStack: tables', () => {
  const keySchema = (partition: KeyDef, sort?: KeyDef) => [
    { AttributeName: partition.name, KeyType: 'HASH' },
    ...(sort ? [{ AttributeName: sort.name, KeyType: 'RANGE' }] : []),
  ];

  it('has exactly one table per manifest table', () => {
    const all = [
      ...ofType(resources, 'AWS::DynamoDB::GlobalTable'),
      ...ofType(resources, 'AWS::DynamoDB::Table'),
    ];
    expect(all).toHaveLength(Object.keys(tables).length);
  });

  it.each(Object.entries(tables) as [TableKey, TableDef][])(
    '%s: keys, indexes, TTL, on-demand, PITR',
    (key, def) => {
      const table = synth.resourceOf(synth.built.stack.tables[key]);
      const props = table.Properties;
      expect(props.KeySchema).toEqual(keySchema(def.partitionKey, def.sortKey));
      const indexes = asList(props.GlobalSecondaryIndexes as { IndexName: string; KeySchema: unknown }[]);
      expect(indexes.map((i) => ({ name: i.IndexName, keys: i.KeySchema }))).toEqual(
        def.indexes.map((i) => ({ name: i.name, keys: keySchema(i.partitionKey, i.sortKey) })),
      );
      const keys = [
        def.partitionKey,
        def.sortKey,
        ...def.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
      ];
      for (const k of keys.filter((k) => k !== undefined)) {
        expect(props.AttributeDefinitions).toContainEqual({ AttributeName: k.name, AttributeType: k.type });
      }
      expect(props.TimeToLiveSpecification).toEqual(
        def.ttlAttribute ? { AttributeName: def.ttlAttribute, Enabled: true } : undefined,
      );
      expect(props.BillingMode).toBe('PAY_PER_REQUEST');
      const [replica] = asList(props.Replicas as Record<string, unknown>[]);
      expect(replica?.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(replica?.DeletionProtectionEnabled).toBe(true);
      expect(table.DeletionPolicy).toBe('Retain');
    },
  );
});

describe('LivestreamStack: functions', () => {
  it('has one function per manifest handler, besides CDK custom-resource handlers', () => {
    const manifest = Object.keys(handlers).map((name) => synth.functionId(name as HandlerName));
    const cdk = customResourceHandlers(resources);
    const all = ofType(resources, 'AWS::Lambda::Function').map(([id]) => id);
    expect(sorted(all)).toEqual(sorted([...manifest, ...cdk]));
    // The only one: CDK's handler that writes the recordings bucket's notifications (manifest `s3` sources).
    const [, notifications] = onlyOf(resources, 'Custom::S3BucketNotifications');
    expect(cdk.map((id) => mentions(notifications.Properties.ServiceToken, id))).toEqual([true]);
  });

  it('runs every manifest function on nodejs22.x, arm64, with active tracing', () => {
    const cdk = customResourceHandlers(resources);
    const functions = ofType(resources, 'AWS::Lambda::Function').filter(([id]) => !cdk.includes(id));
    expect(functions).toHaveLength(Object.keys(handlers).length);
    for (const [id, fn] of functions) {
      expect([id, fn.Properties.Runtime, fn.Properties.Architectures]).toEqual([id, 'nodejs22.x', ['arm64']]);
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    }
  });

  it.each(Object.entries(handlers) as [HandlerName, HandlerDef][])(
    '%s: sets exactly its manifest env',
    (name, def) => {
      const variables = (
        synth.resourceOf(synth.built.stack.functions[name].function).Properties.Environment as {
          Variables: object;
        }
      ).Variables;
      expect(sorted(Object.keys(variables))).toEqual(sorted([...def.env, 'NODE_OPTIONS']));
    },
  );

  it.each(Object.entries(handlers) as [HandlerName, HandlerDef][])(
    "%s: resource-backed env points at the stack's own API, secret, watchdog, bucket, CDN and MediaConvert role",
    (name, def) => {
      const variables = (
        synth.resourceOf(synth.built.stack.functions[name].function).Properties.Environment as {
          Variables: Record<string, unknown>;
        }
      ).Variables;
      const expected = resourceEnv(synth);
      const fromResources = def.env.filter((env) => env in expected);
      expect(Object.fromEntries(fromResources.map((env) => [env, render(variables[env])]))).toEqual(
        Object.fromEntries(fromResources.map((env) => [env, expected[env]])),
      );
    },
  );
});

describe('LivestreamStack: outputs', () => {
  it.each([
    ['RestApiUrl', 'https://'],
    ['WebSocketUrl', 'wss://'],
    ['MediaCdnUrl', 'https://'],
  ])('exports %s (%s...)', (name, scheme) => {
    const outputs = synth.template.findOutputs(name);
    const value = outputs[name]?.Value as { 'Fn::Join': [string, unknown[]] } | undefined;
    expect(value?.['Fn::Join'][1][0]).toBe(scheme);
  });

  it('exports RecordingsBucketName', () => {
    const outputs = synth.template.findOutputs('RecordingsBucketName');
    expect(outputs.RecordingsBucketName?.Value).toEqual({
      Ref: synth.logicalId(synth.built.stack.media.recordings),
    });
  });
});

describe('LivestreamStack: deployability', () => {
  // Functions read the bucket, CDN and MediaConvert role (env) while notifications, rules and
  // permissions read the functions: CloudFormation would reject a cycle only at deploy time.
  it('has no dependency cycle among its resources', () => {
    expect(dependencyCycle(resources)).toBeUndefined();
  });
});
