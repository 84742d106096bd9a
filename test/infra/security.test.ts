import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventSources, type HandlerDef, type HandlerName, handlers } from '../../functions/manifest.ts';
import {
  type Capability,
  capabilitiesOf,
  capabilityPairs,
  deadLetterPairs,
  schedulerRoleOf,
  streamReadPairs,
} from './expected.ts';
import { cleanUp, SYNTH_TIMEOUT_MS, type Synthesized, sorted, synthesize } from './fixture.ts';
import {
  allowedPairs,
  asList,
  mentions,
  ofType,
  onlyOf,
  render,
  type Statement,
  statementsOfRole,
} from './template.ts';

let synth: Synthesized;

beforeAll(() => {
  synth = synthesize();
}, SYNTH_TIMEOUT_MS);
afterAll(() => cleanUp(synth));

/** What the manifest grants, computed here from the manifest alone: Query with indexes -> index ARNs. */
function expectedDynamoPairs(def: HandlerDef): string[] {
  const { stack } = synth.built;
  return def.grants
    .flatMap((grant) => {
      const tableArn = stack.tables[grant.table].tableArn;
      const indexes = grant.indexes ?? [];
      return grant.actions.flatMap((action) => {
        const arns =
          action === 'Query' && indexes.length > 0
            ? indexes.map((i) => `${tableArn}/index/${i}`)
            : [tableArn];
        return arns.map((arn) => `dynamodb:${action} ${render(stack.resolve(arn))}`);
      });
    })
    .concat(streamReadPairs(synth, def));
}

const isDynamo = (pair: string) => pair.startsWith('dynamodb:') || pair.startsWith('* ');

describe('LivestreamStack: least privilege', () => {
  const roleOf = (name: HandlerName) => synth.logicalId(synth.built.stack.functions[name].role);
  const statementsOf = (name: HandlerName): Statement[] => statementsOfRole(synth.resources, roleOf(name));

  it('gives every function its own role', () => {
    const roles = Object.keys(handlers).map((name) => roleOf(name as HandlerName));
    expect(new Set(roles).size).toBe(roles.length);
    for (const [, fn] of ofType(synth.resources, 'AWS::Lambda::Function')) {
      expect(roles.some((role) => mentions(fn.Properties.Role, role))).toBe(true);
    }
  });

  it.each(Object.entries(handlers) as [HandlerName, HandlerDef][])(
    '%s: exactly its manifest DynamoDB actions, on exactly its tables and indexes (and streams it consumes)',
    (name, def) => {
      const actual = allowedPairs(statementsOf(name)).filter(isDynamo);
      expect(sorted(actual)).toEqual(sorted(expectedDynamoPairs(def)));
    },
  );

  it.each(Object.entries(handlers) as [HandlerName, HandlerDef][])(
    '%s: no managed policies; beyond DynamoDB only own logs, X-Ray and its manifest access',
    (name, def) => {
      const role = synth.resources[roleOf(name)];
      expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
      const logGroup = synth.logicalId(synth.built.stack.functions[name].logGroup);
      const others = allowedPairs(statementsOf(name)).filter((pair) => !isDynamo(pair));
      const access = capabilitiesOf(def).flatMap((capability) => capabilityPairs(synth)[capability]);
      expect(sorted(others)).toEqual(
        sorted([
          `logs:CreateLogStream \${${logGroup}.Arn}`,
          `logs:PutLogEvents \${${logGroup}.Arn}`,
          'xray:PutTelemetryRecords *',
          'xray:PutTraceSegments *',
          ...access,
          ...deadLetterPairs(synth, def),
        ]),
      );
    },
  );

  // Across every role and policy in the template, not only the handlers': nothing else holds these.
  const CAPABILITY_ACTIONS: Record<Capability, string[]> = {
    manageConnections: ['execute-api:ManageConnections'],
    signalingSecret: ['secretsmanager:GetSecretValue'],
    scheduleWatchdog: ['scheduler:CreateSchedule', 'iam:PassRole'],
  };
  it.each(Object.entries(CAPABILITY_ACTIONS) as [Capability, string[]][])(
    '%s: held by exactly the roles of the handlers whose manifest access names it',
    (capability, actions) => {
      const holders = ofType(synth.resources, 'AWS::IAM::Role')
        .filter(([id]) =>
          allowedPairs(statementsOfRole(synth.resources, id)).some((pair) =>
            actions.some((action) => pair.startsWith(`${action} `) || pair.startsWith('* ')),
          ),
        )
        .map(([id]) => id);
      const named = (Object.entries(handlers) as [HandlerName, HandlerDef][])
        .filter(([, def]) => capabilitiesOf(def).includes(capability))
        .map(([name]) => roleOf(name));
      expect(named.length).toBeGreaterThan(0);
      expect(sorted(holders)).toEqual(sorted(named));
    },
  );

  it('passes the scheduler role to EventBridge Scheduler only', () => {
    for (const [name, def] of Object.entries(handlers) as [HandlerName, HandlerDef][]) {
      if (!capabilitiesOf(def).includes('scheduleWatchdog')) continue;
      const passRole = statementsOf(name).filter((s) => asList(s.Action).includes('iam:PassRole'));
      expect(passRole.map((s) => s.Condition)).toEqual([
        { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      ]);
    }
  });
});

describe('LivestreamStack: EventBridge Scheduler', () => {
  const schedules = eventSources.filter((source) => source.kind === 'schedule');
  it.each(schedules.map((source) => [source.handler, source] as const))(
    '%s: a group named by the manifest, and a role that may only invoke that function',
    (handler, source) => {
      const groups = ofType(synth.resources, 'AWS::Scheduler::ScheduleGroup');
      const [groupId] = groups.find(([, g]) => g.Properties.Name === source.group) ?? [];
      expect(groupId).toBeDefined();
      const roleId = schedulerRoleOf(synth, handler);
      const role = synth.resources[roleId];
      expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
      expect(allowedPairs(statementsOfRole(synth.resources, roleId))).toEqual([
        `lambda:InvokeFunction \${${synth.functionId(handler)}.Arn}`,
      ]);
      // Only Scheduler, acting for this group in this account (confused-deputy guard).
      expect(role?.Properties.AssumeRolePolicyDocument).toMatchObject({
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [groupId, 'Arn'] } },
            },
          },
        ],
      });
    },
  );

  it('has exactly one scheduler role per schedule event source', () => {
    const roles = ofType(synth.resources, 'AWS::IAM::Role').filter(([, r]) =>
      JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'),
    );
    expect(roles).toHaveLength(eventSources.filter((source) => source.kind === 'schedule').length);
  });
});

describe('LivestreamStack: ticket-signing secret', () => {
  it('is generated: 64 letters and digits, never a literal in the template', () => {
    const [, secret] = onlyOf(synth.resources, 'AWS::SecretsManager::Secret');
    expect(secret.Properties.SecretString).toBeUndefined();
    expect(secret.Properties.GenerateSecretString).toEqual({
      PasswordLength: 64,
      ExcludePunctuation: true,
      IncludeSpace: false,
    });
  });
});

describe('LivestreamStack: cdk-nag AwsSolutions', () => {
  // cdk-nag v3 is a policy-validation plugin: findings are not Annotations, so ask the pack itself.
  const findings = (severity: string) =>
    synth.built.nag
      .validateScope(synth.built.app)
      .violations.filter((v) => v.severity === severity)
      .map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);

  it('has no unacknowledged errors', () => expect(findings('error')).toEqual([]));
  it('has no unacknowledged warnings', () => expect(findings('warning')).toEqual([]));
});

describe('LivestreamStack: recordings storage and CDN', () => {
  const recordingsId = () => synth.logicalId(synth.built.stack.media.recordings);
  const policyOf = (bucketId: string): Statement[] => {
    const [, policy] =
      ofType(synth.resources, 'AWS::S3::BucketPolicy').find(([, p]) =>
        mentions(p.Properties.Bucket, bucketId),
      ) ?? [];
    return (policy?.Properties.PolicyDocument as { Statement: Statement[] } | undefined)?.Statement ?? [];
  };

  it.each(['recordings', 'logs'] as const)(
    '%s bucket: public access blocked, encrypted, TLS only',
    (which) => {
      const bucket = synth.resourceOf(synth.built.stack.media[which]);
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties.BucketEncryption).toBeDefined();
      expect(bucket.DeletionPolicy).toBe('Retain');
      const tlsOnly = policyOf(synth.logicalId(synth.built.stack.media[which])).find(
        (s) =>
          s.Effect === 'Deny' &&
          asList(s.Action).includes('s3:*') &&
          JSON.stringify(s.Condition) === '{"Bool":{"aws:SecureTransport":"false"}}',
      );
      expect(tlsOnly).toBeDefined();
    },
  );

  it('aborts incomplete multipart uploads after a day', () => {
    const lifecycle = synth.resources[recordingsId()]?.Properties.LifecycleConfiguration as {
      Rules: unknown[];
    };
    const rules = lifecycle?.Rules;
    expect(rules).toContainEqual(
      expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
    );
  });

  it('serves media/ through CloudFront with an origin access control, HTTPS only', () => {
    const [oacId] = ofType(synth.resources, 'AWS::CloudFront::OriginAccessControl')[0] ?? [];
    expect(oacId).toBeDefined();
    synth.template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always' },
    });
    synth.template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: {
        DefaultCacheBehavior: { ViewerProtocolPolicy: 'redirect-to-https' },
        HttpVersion: 'http2and3',
        Origins: [
          {
            DomainName: { 'Fn::GetAtt': [recordingsId(), 'RegionalDomainName'] },
            OriginPath: '/media',
            OriginAccessControlId: { 'Fn::GetAtt': [oacId, 'Id'] },
          },
        ],
      },
    });
    const cloudFrontRead = policyOf(recordingsId()).find(
      (s) => s.Effect === 'Allow' && JSON.stringify(s.Principal) === '{"Service":"cloudfront.amazonaws.com"}',
    );
    expect(asList(cloudFrontRead?.Action)).toEqual(['s3:GetObject']);
  });
});

describe('LivestreamStack: deploy parameters', () => {
  it('requires the auth settings and hides TURN secrets', () => {
    const parameters = synth.template.toJSON().Parameters as Record<string, Record<string, unknown>>;
    for (const name of ['AuthJwksUrl', 'AuthIssuer', 'AuthAudience']) {
      expect(parameters[name]?.Default, name).toBeUndefined();
      expect(parameters[name], name).toBeDefined();
    }
    for (const name of ['TurnPassword', 'TurnSecret']) expect(parameters[name]?.NoEcho, name).toBe(true);
  });

  it.each([
    ['SignalingTicketTtlSeconds', '60', 10, 300],
    ['BroadcasterGraceSeconds', '60', 5, 600],
  ] as const)('%s: a number, default %s, %i..%i', (name, fallback, min, max) => {
    const parameters = synth.template.toJSON().Parameters as Record<string, Record<string, unknown>>;
    expect(parameters[name]).toMatchObject({
      Type: 'Number',
      Default: fallback,
      MinValue: min,
      MaxValue: max,
    });
  });

  it('never puts the ticket-signing secret itself in a parameter or a function', () => {
    const parameters = Object.keys(synth.template.toJSON().Parameters as object);
    expect(parameters.filter((id) => /signingsecret|signalingsecret/i.test(id))).toEqual([]);
    for (const [id, fn] of ofType(synth.resources, 'AWS::Lambda::Function')) {
      const variables = (fn.Properties.Environment as { Variables: object } | undefined)?.Variables ?? {};
      expect(Object.keys(variables), id).not.toContain('SIGNALING_SECRET');
    }
  });
});
