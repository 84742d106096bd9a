import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import type { HandlerName } from '../../functions/manifest.ts';
import { createApp, type LivestreamApp } from '../../lib/app.ts';
import type { CfnResource, Resources } from './template.ts';

export interface Synthesized {
  readonly built: LivestreamApp;
  readonly template: Template;
  readonly resources: Resources;
  /** The logical id CloudFormation sees for a construct's main resource. */
  readonly logicalId: (construct: IConstruct) => string;
  /** The template resource of a construct's main resource. */
  readonly resourceOf: (construct: IConstruct) => CfnResource;
  readonly functionId: (name: HandlerName) => string;
}

/** Synthesizes the app exactly as `cdk synth` does (same entry, same cdk.json feature flags). */
export function synthesize(): Synthesized {
  const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'));
  const built = createApp({ context: cdkJson.context });
  const template = Template.fromStack(built.stack); // bundles every handler with esbuild
  const resources = template.toJSON().Resources as Resources;
  const logicalId = (construct: IConstruct): string =>
    built.stack.getLogicalId(construct.node.defaultChild as CfnElement);
  const resourceOf = (construct: IConstruct): CfnResource => {
    const found = resources[logicalId(construct)];
    if (!found) throw new Error(`no resource for ${construct.node.path}`);
    return found;
  };
  const functionId = (name: HandlerName) => logicalId(built.stack.functions[name].function);
  return { built, template, resources, logicalId, resourceOf, functionId };
}

/** Removes the temporary cloud assembly (bundled assets included) that synthesis wrote. */
export function cleanUp(synth: Synthesized | undefined): void {
  const outdir = synth?.built.app.outdir;
  if (outdir?.startsWith(tmpdir())) rmSync(outdir, { recursive: true, force: true });
}

/** Synthesis bundles every function; generous for slow CI machines. */
export const SYNTH_TIMEOUT_MS = 180_000;

export const sorted = (values: Iterable<string>): string[] => [...values].sort();
