import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Repository root: manifest entries and the lock file are relative to it. */

/** Every function's memory (MB), which also sets its CPU share; the bench's cost model reads it. */
export const FUNCTION_MEMORY_MB = 512;
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * How every function is bundled, as plain esbuild settings: the stack uses them, and so does
 * `npm run bench`'s cold-start scenario, so it measures exactly what deploys.
 */
export const BUNDLE = {
  target: 'node22',
  // Prefer the ESM build of dependencies, so tree-shaking works.
  mainFields: ['module', 'main'],
  minify: true,
  // ESM bundles have no `require`; some CommonJS dependencies call it. Aliased to avoid clashes.
  banner:
    "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
} as const;

export interface ServiceFunctionProps {
  /** Path from the repository root to the file exporting `handler` (the manifest's `entry`). */
  readonly entry: string;
  readonly environment: Readonly<Record<string, string>>;
  /** @default 10 seconds: handlers do a few DynamoDB calls; API Gateway gives up at 29 s anyway. */
  readonly timeout?: Duration;
}

/**
 * The one place function defaults live: Node.js 22 on arm64, an ESM bundle with source maps,
 * X-Ray tracing, an explicit log group, and an own role that starts with no permissions beyond
 * its own logs and X-Ray. Data access is added by `grantsFromManifest`.
 */
export class ServiceFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      // Operational logs with bounded retention; nothing to keep once the function is gone.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Own role instead of AWSLambdaBasicExecutionRole, which may write to every log group.
    this.role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.function = new NodejsFunction(this, 'Function', {
      entry: `${REPO_ROOT}${props.entry}`,
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: `${REPO_ROOT}package-lock.json`,
      runtime: lambda.Runtime.NODEJS_22_X,
      // Graviton: cheaper per GB-second and at least as fast for this I/O-bound code.
      architecture: lambda.Architecture.ARM_64,
      // CPU scales with memory; 512 MB keeps cold starts and JWT verification fast for little cost.
      memorySize: FUNCTION_MEMORY_MB,
      timeout: props.timeout ?? Duration.seconds(10),
      role: this.role,
      // Default TEXT log format kept on purpose: functions/log.ts prints one JSON line per entry, which
      // the JSON format would wrap again as an escaped string in `message`.
      logGroup: this.logGroup,
      // Active tracing; CDK adds the two X-Ray write actions to the role (suppressed below).
      tracing: lambda.Tracing.ACTIVE,
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      bundling: {
        format: OutputFormat.ESM,
        target: BUNDLE.target,
        mainFields: [...BUNDLE.mainFields],
        minify: BUNDLE.minify,
        sourceMap: true,
        banner: BUNDLE.banner,
        // Bundle SDK v3 instead of using the runtime's copy: pinned to the tested version, tree-shaken.
        bundleAwsSDK: true,
      },
    });
    Validations.of(this).acknowledge(
      // The product mandates nodejs22.x (the version the code is built and tested on).
      {
        id: 'AwsSolutions-L1',
        reason: 'Runtime nodejs22.x is mandated by the product; upgrades are deliberate.',
      },
      // X-Ray PutTraceSegments / PutTelemetryRecords do not support resource-level permissions.
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray write actions (added by active tracing) do not support resource-level permissions.',
      },
    );
  }
}
