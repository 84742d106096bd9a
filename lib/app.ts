import { App, type AppProps, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { LivestreamStack } from './livestream-stack.ts';

export interface LivestreamApp {
  readonly app: App;
  readonly stack: LivestreamStack;
  /** The registered rule pack; `nag.validateScope(app)` gives its report without a synth. */
  readonly nag: AwsSolutionsChecks;
}

/** The stack's construct id and its CloudFormation name: `cdk deploy DreamxLivestream`. */
export const STACK_NAME = 'DreamxLivestream';

/**
 * Builds the CDK app with cdk-nag's AwsSolutions pack applied, so `cdk synth` (bin/app.ts) and the
 * infra test (test/infra) check exactly the same thing. cdk-nag v3 is a CDK policy-validation plugin
 * (not an Aspect): any unacknowledged violation interrupts synthesis, so `cdk synth` fails.
 */
export function createApp(props: AppProps = {}): LivestreamApp {
  const app = new App(props);
  const stack = new LivestreamStack(app, STACK_NAME, {
    stackName: STACK_NAME,
    description: 'DreamX livestreaming: REST + WebSocket APIs, DynamoDB, recordings bucket and CDN',
  });
  // Cost allocation and ownership at a glance in the billing console.
  Tags.of(app).add('service', 'dreamx-livestream');
  const nag = new AwsSolutionsChecks(app, { verbose: true });
  Validations.of(app).addPlugins(nag);
  return { app, stack, nag };
}
