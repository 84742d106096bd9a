import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HandlerDef, type HandlerName, handlers } from '../../functions/manifest.ts';
import { cleanUp, SYNTH_TIMEOUT_MS, type Synthesized, sorted, synthesize } from './fixture.ts';
import { allowedPairs, asList, mentions, ofType, type Statement, statementsOfRole } from './template.ts';

let synth: Synthesized;

beforeAll(() => {
  synth = synthesize();
}, SYNTH_TIMEOUT_MS);
afterAll(() => cleanUp(synth));

/** What the manifest grants, computed here from the manifest alone: Query with indexes -> index ARNs. */
function expectedDynamoPairs(def: HandlerDef): string[] {
  const { stack } = synth.built;
  return def.grants.flatMap((grant) => {
    const tableArn = stack.tables[grant.table].tableArn;
    const indexes = grant.indexes ?? [];
    return grant.actions.flatMap((action) => {
      const arns =
        action === 'Query' && indexes.length > 0 ? indexes.map((i) => `${tableArn}/index/${i}`) : [tableArn];
      return arns.map((arn) => `dynamodb:${action} ${JSON.stringify(stack.resolve(arn))}`);
    });
  });
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
    '%s: exactly its manifest DynamoDB actions, on exactly its tables and indexes',
    (name, def) => {
      const actual = allowedPairs(statementsOf(name)).filter(isDynamo);
      expect(sorted(actual)).toEqual(sorted(expectedDynamoPairs(def)));
    },
  );

  it.each(Object.keys(handlers) as HandlerName[])(
    '%s: no managed policies; only own logs and X-Ray',
    (name) => {
      const role = synth.resources[roleOf(name)];
      expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
      const logGroup = synth.logicalId(synth.built.stack.functions[name].logGroup);
      const others = allowedPairs(statementsOf(name)).filter((pair) => !isDynamo(pair));
      expect(sorted(others)).toEqual(
        sorted([
          `logs:CreateLogStream {"Fn::GetAtt":["${logGroup}","Arn"]}`,
          `logs:PutLogEvents {"Fn::GetAtt":["${logGroup}","Arn"]}`,
          'xray:PutTelemetryRecords "*"',
          'xray:PutTraceSegments "*"',
        ]),
      );
    },
  );
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
});
