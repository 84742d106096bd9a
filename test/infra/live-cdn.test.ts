import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LIVE_CACHE_CONTROL,
  LIVE_PATHS,
  LIVE_SECURITY_HEADERS,
  liveCacheControl,
} from '../../functions/core/live-delivery.ts';
import { type HandlerDef, type HandlerName, handlers } from '../../functions/manifest.ts';
import { bucketGrantsFromManifest } from '../../lib/constructs/bucket-grants.ts';
import { recordingsBucketOf } from './expected.ts';
import { cleanUp, SYNTH_TIMEOUT_MS, type Synthesized, sorted, synthesize } from './fixture.ts';
import {
  allowedGrants,
  asList,
  type Json,
  onlyOf,
  type Resources,
  refOf,
  render,
  type Statement,
  statementsOfRole,
} from './template.ts';

// The live tier's CDN and storage (docs/live.md, "CloudFront"), read from the synthesized template.

let synth: Synthesized;
let resources: Resources;

beforeAll(() => {
  synth = synthesize();
  resources = synth.resources;
}, SYNTH_TIMEOUT_MS);
afterAll(() => cleanUp(synth));

interface Behavior {
  PathPattern: string;
  TargetOriginId: string;
  ViewerProtocolPolicy: string;
  AllowedMethods: string[];
  CachePolicyId: Json;
  ResponseHeadersPolicyId: Json;
}
interface Origin {
  Id: string;
  DomainName: Json;
  OriginPath?: string;
  OriginAccessControlId: Json;
  OriginShield?: { Enabled: boolean; OriginShieldRegion?: Json };
  S3OriginConfig?: Json;
}
interface DistributionConfig {
  Origins: Origin[];
  DefaultCacheBehavior: Behavior;
  CacheBehaviors: Behavior[];
  CustomErrorResponses: Record<string, unknown>[];
}

const config = () =>
  onlyOf(resources, 'AWS::CloudFront::Distribution')[1].Properties.DistributionConfig as DistributionConfig;
const behaviorOf = (pattern: string): Behavior => {
  const found = config().CacheBehaviors.find((b) => b.PathPattern === pattern);
  if (!found) throw new Error(`no behavior ${pattern}`);
  return found;
};
const propertiesOf = (id: Json, key: string) =>
  resources[refOf(id) ?? '']?.Properties[key] as Record<string, Json>;
const parameters = () => synth.template.toJSON().Parameters as Record<string, Record<string, unknown>>;
const DAY = 86_400;
const YEAR = 31_536_000;

describe('live CDN: behaviours', () => {
  it('puts live/*.m3u8 then live/* before the recordings manifests (CloudFront takes the first match)', () => {
    expect(config().CacheBehaviors.map((b) => b.PathPattern)).toEqual([
      'live/*.m3u8',
      'live/*',
      '*.m3u8',
      '*.mpd',
    ]);
    expect(LIVE_PATHS).toEqual({ playlists: 'live/*.m3u8', segments: 'live/*' });
  });

  it.each(['live/*.m3u8', 'live/*'])(
    '%s: HTTPS (redirect), GET and HEAD only, the live origin',
    (pattern) => {
      const behavior = behaviorOf(pattern);
      expect(behavior.ViewerProtocolPolicy).toBe('redirect-to-https');
      expect(behavior.AllowedMethods).toEqual(['GET', 'HEAD']);
      const origin = config().Origins.find((o) => o.Id === behavior.TargetOriginId);
      expect(origin?.OriginPath ?? '').toBe('');
    },
  );

  it('reads the live origin (no origin path) with the same OAC as media/, behind Origin Shield', () => {
    const { Origins } = config();
    expect(Origins).toHaveLength(2);
    const media = Origins.find((o) => o.OriginPath === '/media');
    const live = Origins.find((o) => o.Id === behaviorOf('live/*').TargetOriginId);
    expect(behaviorOf('live/*.m3u8').TargetOriginId).toBe(live?.Id);
    expect(media?.Id).not.toBe(live?.Id);
    const bucket = { 'Fn::GetAtt': [recordingsBucketOf(synth), 'RegionalDomainName'] };
    expect(live?.DomainName).toEqual(bucket);
    expect(media?.DomainName).toEqual(bucket);
    const [oacId] = onlyOf(resources, 'AWS::CloudFront::OriginAccessControl');
    expect(live?.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [oacId, 'Id'] });
    expect(media?.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [oacId, 'Id'] });
    // OAC only: no legacy origin access identity.
    expect(live?.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    expect(live?.OriginShield?.Enabled).toBe(true);
  });

  it("runs Origin Shield in the stack's Region unless LiveOriginShieldRegion names another", () => {
    const live = config().Origins.find((o) => o.Id === behaviorOf('live/*').TargetOriginId);
    const region = live?.OriginShield?.OriginShieldRegion as { 'Fn::If': [string, Json, Json] };
    const [condition, ifEmpty, otherwise] = region['Fn::If'];
    expect(ifEmpty).toEqual({ Ref: 'AWS::Region' });
    expect(otherwise).toEqual({ Ref: 'LiveOriginShieldRegion' });
    const conditions = synth.template.toJSON().Conditions as Record<string, Json>;
    expect(conditions[condition]).toEqual({ 'Fn::Equals': [{ Ref: 'LiveOriginShieldRegion' }, ''] });
    expect(parameters().LiveOriginShieldRegion).toMatchObject({ Type: 'String', Default: '' });
    const pattern = new RegExp(String(parameters().LiveOriginShieldRegion?.AllowedPattern));
    for (const ok of ['', 'us-east-1', 'eu-central-1']) expect(pattern.test(ok), ok).toBe(true);
    for (const bad of ['US-EAST-1', 'eu-central', 'eu-central-1 '])
      expect(pattern.test(bad), bad).toBe(false);
  });
});

describe('live CDN: cache policies', () => {
  const cachePolicy = (pattern: string) =>
    propertiesOf(behaviorOf(pattern).CachePolicyId, 'CachePolicyConfig') as {
      MinTTL: number;
      DefaultTTL: number;
      MaxTTL: number;
      ParametersInCacheKeyAndForwardedToOrigin: Record<string, unknown>;
    };
  // Nothing of the request but its path: one cached copy per object, and no query string can reach S3.
  const pathOnly = {
    QueryStringsConfig: { QueryStringBehavior: 'none' },
    HeadersConfig: { HeaderBehavior: 'none' },
    CookiesConfig: { CookieBehavior: 'none' },
  };

  it('caches playlists exactly 1 s at the edge, compressed (gzip, brotli), keyed by path only', () => {
    const policy = cachePolicy('live/*.m3u8');
    expect([policy.MinTTL, policy.DefaultTTL, policy.MaxTTL]).toEqual([1, 1, 1]);
    expect(policy.ParametersInCacheKeyAndForwardedToOrigin).toEqual({
      ...pathOnly,
      EnableAcceptEncodingGzip: true,
      EnableAcceptEncodingBrotli: true,
    });
  });

  it('caches segments a day (at least, whatever the object says) and at most a year, keyed by path only', () => {
    const policy = cachePolicy('live/*');
    expect([policy.MinTTL, policy.DefaultTTL, policy.MaxTTL]).toEqual([DAY, DAY, YEAR]);
    expect(policy.ParametersInCacheKeyAndForwardedToOrigin).toMatchObject(pathOnly);
  });
});

describe('live CDN: response headers', () => {
  const headersPolicy = (pattern: string) =>
    propertiesOf(behaviorOf(pattern).ResponseHeadersPolicyId, 'ResponseHeadersPolicyConfig') as {
      CorsConfig: Record<string, unknown>;
      CustomHeadersConfig: { Items: { Header: string; Value: string; Override: boolean }[] };
      SecurityHeadersConfig: Record<string, unknown>;
    };

  it.each([
    ['live/*.m3u8', 'max-age=1'],
    ['live/*', 'max-age=31536000, immutable'],
  ])('%s: browsers get Cache-Control "%s", replacing the origin\'s', (pattern, value) => {
    expect(headersPolicy(pattern).CustomHeadersConfig.Items).toEqual([
      { Header: 'Cache-Control', Value: value, Override: true },
    ]);
  });

  it('shares those values with the local CDN stand-in (functions/core/live-delivery.ts)', () => {
    expect(LIVE_CACHE_CONTROL).toEqual({ playlist: 'max-age=1', segment: 'max-age=31536000, immutable' });
    expect(liveCacheControl('live/s/720p/index.m3u8')).toBe('max-age=1');
    expect(liveCacheControl('live/s/720p/42.m4s')).toBe('max-age=31536000, immutable');
    expect(liveCacheControl('live/s/720p/init-1.mp4')).toBe('max-age=31536000, immutable');
  });

  it.each(['live/*.m3u8', 'live/*'])(
    '%s: nothing uploaded runs as a page of the domain (nosniff, a sandboxing CSP), whatever its type',
    (pattern) => {
      expect(headersPolicy(pattern).SecurityHeadersConfig).toEqual({
        ContentTypeOptions: { Override: true },
        ContentSecurityPolicy: { ContentSecurityPolicy: "default-src 'none'; sandbox", Override: true },
      });
      expect(LIVE_SECURITY_HEADERS['Content-Security-Policy']).toBe("default-src 'none'; sandbox");
    },
  );

  it.each(['live/*.m3u8', 'live/*'])(
    '%s: CORS for players on any origin, GET/HEAD, Age exposed (hls.js times reloads by it)',
    (pattern) => {
      const cors = headersPolicy(pattern).CorsConfig;
      expect(cors).toMatchObject({
        AccessControlAllowOrigins: { Items: ['*'] },
        AccessControlAllowMethods: { Items: ['GET', 'HEAD'] },
        AccessControlAllowCredentials: false,
        OriginOverride: true,
      });
      expect((cors.AccessControlExposeHeaders as { Items: string[] }).Items).toContain('Age');
    },
  );
});

describe('live CDN: errors', () => {
  it('remembers a 404 for 1 s, so a viewer early for the first playlist is not held off 10 s', () => {
    expect(config().CustomErrorResponses).toEqual([{ ErrorCode: 404, ErrorCachingMinTTL: 1 }]);
  });
});

describe('live storage: the recordings bucket', () => {
  const bucketId = () => recordingsBucketOf(synth);
  const bucket = () => synth.resourceOf(synth.built.stack.media.recordings).Properties;
  const policy = (): Statement[] => {
    const found = Object.values(resources).find(
      (r) => r.Type === 'AWS::S3::BucketPolicy' && refOf(r.Properties.Bucket) === bucketId(),
    );
    if (!found) throw new Error('the recordings bucket has no policy');
    return (found.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
  };

  it('stays private: every public access blocked, and nothing allowed but this distribution', () => {
    expect(bucket().PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const allowed = policy().filter((s) => s.Effect === 'Allow');
    expect(allowed.map((s) => s.Principal)).toEqual(
      allowed.map(() => ({ Service: 'cloudfront.amazonaws.com' })),
    );
  });

  it('lets this distribution, and only it, GetObject on media/* and live/*, ListBucket narrowed to them', () => {
    const [distributionId] = onlyOf(resources, 'AWS::CloudFront::Distribution');
    const thisDistribution = `arn:\${AWS::Partition}:cloudfront::\${AWS::AccountId}:distribution/\${${distributionId}}`;
    const arn = `\${${bucketId()}.Arn}`;
    const lines = policy()
      .filter((s) => s.Effect === 'Allow')
      .flatMap((s) => {
        const { StringEquals, ...rest } = s.Condition as { StringEquals: Record<string, Json> };
        const source = render(StringEquals['AWS:SourceArn']);
        return asList(s.Resource).map(
          (r) => `${asList(s.Action).join(',')} ${render(r)} ${source} ${JSON.stringify(rest)}`,
        );
      });
    expect(sorted(lines)).toEqual(
      sorted([
        `s3:GetObject ${arn}/media/* ${thisDistribution} {}`,
        `s3:GetObject ${arn}/live/* ${thisDistribution} {}`,
        `s3:ListBucket ${arn} ${thisDistribution} {"StringLikeIfExists":{"s3:prefix":["media/*","live/*"]}}`,
      ]),
    );
  });

  it('lets browsers POST (presigned POST: live segments) and PUT (recording parts) from any origin', () => {
    const rules = (bucket().CorsConfiguration as { CorsRules: Record<string, unknown>[] }).CorsRules;
    expect(rules).toEqual([
      {
        AllowedMethods: ['PUT', 'POST'],
        AllowedOrigins: ['*'],
        // A form POST sends Content-Type multipart/form-data; an SDK may add more. Any header.
        AllowedHeaders: ['*'],
        ExposedHeaders: ['ETag'],
        MaxAge: 3600,
      },
    ]);
  });

  it('expires live/ after LiveRetentionDays (default 7, 1..365); no other prefix expires', () => {
    const rules = (bucket().LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
    expect(rules.filter((rule) => rule.ExpirationInDays !== undefined)).toEqual([
      {
        Id: 'ExpireLiveLadder',
        Prefix: 'live/',
        ExpirationInDays: { Ref: 'LiveRetentionDays' },
        Status: 'Enabled',
      },
    ]);
    expect(parameters().LiveRetentionDays).toMatchObject({
      Type: 'Number',
      Default: '7',
      MinValue: 1,
      MaxValue: 365,
    });
  });
});

describe('live storage: bucket grants on live/', () => {
  const liveHandlers = (Object.entries(handlers) as [HandlerName, HandlerDef][]).filter(([, def]) =>
    (def.bucket ?? []).some((grant) => grant.prefix === 'live/'),
  );
  const liveLines = (lines: string[], arn: string) => lines.filter((l) => l.includes(`${arn}/live/`));

  // The broadcaster's credential is a presigned POST signed by issueLiveCredential's role: what the
  // role may do on live/ bounds what any broadcaster can write. Other handlers (finishing a stream's
  // playlists, say) get what their own manifest entry names, on live/* and nowhere wider.
  it("gives every handler with a live/ grant exactly its manifest's actions on live/*, no more", () => {
    const arn = `\${${recordingsBucketOf(synth)}.Arn}`;
    for (const [name, def] of liveHandlers) {
      const role = synth.logicalId(synth.built.stack.functions[name].role);
      const actual = liveLines(allowedGrants(statementsOfRole(resources, role)), arn);
      const expected = (def.bucket ?? [])
        .filter((grant) => grant.prefix === 'live/')
        .flatMap((grant) => grant.actions.filter((a) => a !== 'ListBucket'))
        .map((action) => `s3:${action} ${arn}/live/* {}`);
      expect(sorted(actual), name).toEqual(sorted(expected));
      if (name === ('issueLiveCredential' as HandlerName)) {
        expect(actual, name).toEqual([`s3:PutObject ${arn}/live/* {}`]);
      }
    }
  });

  // Always run, so the mapping is checked before any manifest entry has a live/ grant.
  it('turns a { prefix: live/, actions: [PutObject] } grant into s3:PutObject on <bucket>/live/* only, nag-clean', () => {
    const app = new App();
    const stack = new Stack(app, 'LiveGrant');
    const bucket = new s3.Bucket(stack, 'Recordings');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const def: HandlerDef = {
      entry: 'functions/api/issue-live-credential.ts',
      env: [],
      grants: [],
      bucket: [{ prefix: 'live/', actions: ['PutObject'] }],
    };
    bucketGrantsFromManifest(role, def, bucket);
    const synthetic = Template.fromStack(stack).toJSON().Resources as Resources;
    const bucketId = stack.getLogicalId(bucket.node.defaultChild as CfnElement);
    const roleId = stack.getLogicalId(role.node.defaultChild as CfnElement);
    expect(allowedGrants(statementsOfRole(synthetic, roleId))).toEqual([
      `s3:PutObject \${${bucketId}.Arn}/live/* {}`,
    ]);
    // The live/* wildcard is acknowledged for this role (the grant's prefix), nothing else is.
    const findings = new AwsSolutionsChecks(app)
      .validateScope(app)
      .violations.filter((v) => v.ruleName.startsWith('AwsSolutions-IAM5'))
      .filter((v) => v.violatingResources.some((r) => r.constructPath?.startsWith(role.node.path)));
    expect(findings).toEqual([]);
  });
});
