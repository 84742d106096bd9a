import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventSources, type HandlerDef, type HandlerName, handlers } from '../../functions/manifest.ts';
import {
  bucketGrants,
  bucketPairs,
  type Capability,
  capabilitiesOf,
  capabilityPairs,
  deadLetterPairs,
  mediaConvertRoleOf,
  recordingsBucketOf,
  schedulerRoleOf,
  streamReadPairs,
} from './expected.ts';
import { cleanUp, SYNTH_TIMEOUT_MS, type Synthesized, sorted, synthesize } from './fixture.ts';
import {
  allowedGrants,
  allowedPairs,
  asList,
  customResourceHandlers,
  mentions,
  ofType,
  onlyOf,
  refOf,
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
    // CDK's own custom-resource handlers (S3 notifications) run as their own role, checked below.
    const cdkHandlers = customResourceHandlers(synth.resources);
    for (const [id, fn] of ofType(synth.resources, 'AWS::Lambda::Function')) {
      if (cdkHandlers.includes(id)) continue;
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
          ...bucketPairs(synth, def),
          ...deadLetterPairs(synth, def),
        ]),
      );
    },
  );

  it.each(Object.entries(handlers) as [HandlerName, HandlerDef][])(
    '%s: exactly its manifest bucket grants: object actions per prefix, ListBucket limited by s3:prefix',
    (name, def) => {
      const actual = allowedGrants(statementsOf(name)).filter((line) => line.startsWith('s3:'));
      expect(sorted(actual)).toEqual(sorted(bucketGrants(synth, def)));
    },
  );

  // Across every role and policy in the template, not only the handlers': nothing else holds these.
  // Pair prefixes: `action ` for actions only the capability grants, `action resource` for PassRole.
  // Functions of the template, so the list is known before synthesis (it.each) and checked by tsc.
  const CAPABILITY_MARKS: Record<Capability, () => string[]> = {
    manageConnections: () => ['execute-api:ManageConnections '],
    signalingSecret: () => ['secretsmanager:GetSecretValue '],
    scheduleWatchdog: () => [
      'scheduler:CreateSchedule ',
      `iam:PassRole \${${schedulerRoleOf(synth, 'streamWatchdog')}.Arn}`,
    ],
    transcode: () => ['mediaconvert:', `iam:PassRole \${${mediaConvertRoleOf(synth)}.Arn}`],
  };
  it.each(Object.keys(CAPABILITY_MARKS) as Capability[])(
    '%s: held by exactly the roles of the handlers whose manifest access names it',
    (capability) => {
      const marks = CAPABILITY_MARKS[capability]();
      const holders = ofType(synth.resources, 'AWS::IAM::Role')
        .filter(([id]) =>
          allowedPairs(statementsOfRole(synth.resources, id)).some((pair) =>
            marks.some((mark) => pair.startsWith(mark) || pair.startsWith('* ')),
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

  it.each([
    ['scheduleWatchdog', 'scheduler.amazonaws.com'],
    ['transcode', 'mediaconvert.amazonaws.com'],
  ] as const)('%s: passes its role to %s only', (capability, service) => {
    for (const [name, def] of Object.entries(handlers) as [HandlerName, HandlerDef][]) {
      if (!capabilitiesOf(def).includes(capability)) continue;
      const passRole = statementsOf(name).filter((s) => asList(s.Action).includes('iam:PassRole'));
      expect(passRole.map((s) => s.Condition)).toEqual([
        { StringEquals: { 'iam:PassedToService': service } },
      ]);
    }
  });

  it('lets no role pass any role but the scheduler and MediaConvert roles', () => {
    const passable = [
      `iam:PassRole \${${schedulerRoleOf(synth, 'streamWatchdog')}.Arn}`,
      `iam:PassRole \${${mediaConvertRoleOf(synth)}.Arn}`,
    ];
    const passes = ofType(synth.resources, 'AWS::IAM::Role').flatMap(([id]) =>
      allowedPairs(statementsOfRole(synth.resources, id)).filter((pair) => pair.startsWith('iam:PassRole ')),
    );
    expect(passes.filter((pair) => !passable.includes(pair))).toEqual([]);
  });
});

describe('LivestreamStack: MediaConvert role', () => {
  it('is assumed by MediaConvert only, and may read uploads/ and write media/, nothing else', () => {
    const roleId = mediaConvertRoleOf(synth);
    const role = synth.resources[roleId];
    expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role?.Properties.AssumeRolePolicyDocument).toEqual({
      Statement: [
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'mediaconvert.amazonaws.com' } },
      ],
      Version: '2012-10-17',
    });
    const bucket = `\${${recordingsBucketOf(synth)}.Arn}`;
    expect(sorted(allowedGrants(statementsOfRole(synth.resources, roleId)))).toEqual([
      `s3:GetObject ${bucket}/uploads/* {}`,
      `s3:PutObject ${bucket}/media/* {}`,
    ]);
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

  const lifecycleRules = (): Record<string, unknown>[] => {
    const bucket = synth.resourceOf(synth.built.stack.media.recordings);
    return (bucket.Properties.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
  };

  it('aborts incomplete multipart uploads after a day, bucket-wide', () => {
    const abort = lifecycleRules().filter((rule) => rule.AbortIncompleteMultipartUpload !== undefined);
    expect(abort).toEqual([
      expect.objectContaining({
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        Status: 'Enabled',
      }),
    ]);
    expect(abort[0]?.Prefix).toBeUndefined();
  });

  it('moves sources (uploads/ only) to Glacier Instant Retrieval after 30 days; media/ stays Standard', () => {
    const transitions = lifecycleRules().filter((rule) => rule.Transitions !== undefined);
    expect(transitions).toEqual([
      expect.objectContaining({
        Prefix: 'uploads/',
        Status: 'Enabled',
        Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 30 }],
      }),
    ]);
    // Only the live ladder expires (live-cdn.test.ts); recordings are kept until deleted.
    expect(
      lifecycleRules()
        .filter((rule) => rule.ExpirationInDays !== undefined)
        .map((rule) => rule.Prefix),
    ).toEqual(['live/']);
  });

  it('serves media/ (and live/, live-cdn.test.ts) through CloudFront with an origin access control, HTTPS only', () => {
    const [oacId] = ofType(synth.resources, 'AWS::CloudFront::OriginAccessControl')[0] ?? [];
    expect(oacId).toBeDefined();
    synth.template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always' },
    });
    synth.template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: {
        DefaultCacheBehavior: { ViewerProtocolPolicy: 'redirect-to-https' },
        HttpVersion: 'http2and3',
        Origins: Match.arrayWith([
          Match.objectLike({
            DomainName: { 'Fn::GetAtt': [recordingsId(), 'RegionalDomainName'] },
            OriginPath: '/media',
            OriginAccessControlId: { 'Fn::GetAtt': [oacId, 'Id'] },
          }),
        ]),
      },
    });
  });

  it('lets CloudFront, for this distribution only, read media/ and live/ and nothing else of the bucket', () => {
    const [distributionId] = onlyOf(synth.resources, 'AWS::CloudFront::Distribution');
    const cloudFront = policyOf(recordingsId()).filter(
      (s) => JSON.stringify(s.Principal) === '{"Service":"cloudfront.amazonaws.com"}',
    );
    const thisDistribution = `arn:\${AWS::Partition}:cloudfront::\${AWS::AccountId}:distribution/\${${distributionId}}`;
    const bucket = `\${${recordingsId()}.Arn}`;
    expect(
      sorted(
        cloudFront.map((s) => {
          const { StringEquals, ...rest } = s.Condition as { StringEquals: Record<string, unknown> };
          const source = render(StringEquals['AWS:SourceArn']);
          const resource = sorted(asList(s.Resource).map(render)).join(',');
          return `${s.Effect} ${asList(s.Action).join(',')} ${resource} ${source} ${JSON.stringify(rest)}`;
        }),
      ),
    ).toEqual([
      `Allow s3:GetObject ${bucket}/live/*,${bucket}/media/* ${thisDistribution} {}`,
      // Lets S3 answer 404 (not 403) for a missing key; a list can only name a media/ or live/ prefix.
      `Allow s3:ListBucket ${bucket} ${thisDistribution} {"StringLikeIfExists":{"s3:prefix":["media/*","live/*"]}}`,
    ]);
  });

  it('answers a missing object 404, cached 1 s at most; manifests are cached a minute at most', () => {
    const [, distribution] = onlyOf(synth.resources, 'AWS::CloudFront::Distribution');
    const config = distribution.Properties.DistributionConfig as {
      CustomErrorResponses: Record<string, unknown>[];
      CacheBehaviors: { PathPattern: string; CachePolicyId: unknown; ViewerProtocolPolicy: string }[];
    };
    expect(config.CustomErrorResponses).toEqual([{ ErrorCode: 404, ErrorCachingMinTTL: 1 }]);
    const manifests = config.CacheBehaviors.filter((b) => ['*.m3u8', '*.mpd'].includes(b.PathPattern));
    expect(manifests).toHaveLength(2);
    for (const behavior of manifests) {
      expect(behavior.ViewerProtocolPolicy).toBe('redirect-to-https');
      const policy = synth.resources[refOf(behavior.CachePolicyId) ?? '']?.Properties.CachePolicyConfig as {
        MaxTTL: number;
        DefaultTTL: number;
        ParametersInCacheKeyAndForwardedToOrigin: { QueryStringsConfig: unknown };
      };
      expect(policy.MaxTTL).toBeLessThanOrEqual(60);
      expect(policy.DefaultTTL).toBeLessThanOrEqual(60);
      // No query string reaches S3: the distribution cannot send a ListObjects request.
      expect(policy.ParametersInCacheKeyAndForwardedToOrigin.QueryStringsConfig).toEqual({
        QueryStringBehavior: 'none',
      });
    }
  });

  it("runs CDK's S3-notifications handler with s3:PutBucketNotification on the recordings bucket only", () => {
    const handlerIds = customResourceHandlers(synth.resources);
    expect(handlerIds).toHaveLength(1);
    const role = synth.resources[handlerIds[0] ?? '']?.Properties.Role as { 'Fn::GetAtt': [string, string] };
    const roleId = role['Fn::GetAtt'][0];
    // CDK attaches AWSLambdaBasicExecutionRole (its logs) and cannot be told not to; nothing else.
    expect(asList(synth.resources[roleId]?.Properties.ManagedPolicyArns).map(render)).toEqual([
      `arn:\${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole`,
    ]);
    expect(allowedPairs(statementsOfRole(synth.resources, roleId))).toEqual([
      `s3:PutBucketNotification \${${recordingsId()}.Arn}`,
    ]);
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
    // 10 GiB, 1 MiB .. 5 TiB (S3's largest object), as functions/tunables.ts defines it.
    ['RecordingMaxBytes', '10737418240', 1_048_576, 5_497_558_138_880],
    ['RecordingUploadWindowSeconds', '900', 60, 86_400],
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
