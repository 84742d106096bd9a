import { Duration } from 'aws-cdk-lib';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { type HandlerDef, type HandlerName, handlers } from '../../functions/manifest.ts';
import { accessFromManifest, type CapabilityGrants } from './access.ts';
import { bucketGrantsFromManifest } from './bucket-grants.ts';
import type { Tables } from './data.ts';
import { environmentFromManifest, type ResourceEnvName, resourceEnvNames } from './environment.ts';
import { ServiceFunction } from './function.ts';
import { grantsFromManifest } from './grants.ts';
import { DeployParameters } from './parameters.ts';

export type Functions = Record<HandlerName, ServiceFunction>;

export interface HandlersProps {
  readonly tables: Tables;
  /** The recordings bucket the manifest's `bucket` grants are on. */
  readonly recordings: IBucket;
}

/** The stack resources handlers reach beyond their tables; every name and capability must have one. */
export interface HandlerResources {
  readonly environment: Readonly<Record<ResourceEnvName, string>>;
  readonly access: CapabilityGrants;
}

/**
 * One function per manifest handler; construct id = handler name, so logical ids stay stable.
 * Built in two steps because the WebSocket API, the watchdog's schedules and the functions reference
 * each other: the constructor gives table names, parameters, DynamoDB and bucket grants; `connect` then
 * gives the resource-backed env and the manifest's `access` capabilities.
 */
export class Handlers extends Construct {
  readonly functions: Functions;
  private connected = false;

  constructor(scope: Construct, id: string, props: HandlersProps) {
    super(scope, id);
    const parameters = new DeployParameters(this);
    this.functions = Object.fromEntries(
      this.entries().map(([name, def]) => {
        const fn = new ServiceFunction(this, name, {
          entry: def.entry,
          environment: environmentFromManifest(def, props.tables, parameters),
          ...(def.timeoutSeconds !== undefined && { timeout: Duration.seconds(def.timeoutSeconds) }),
        });
        grantsFromManifest(fn.function, def, props.tables);
        bucketGrantsFromManifest(fn.role, def, props.recordings);
        return [name, fn];
      }),
    ) as Functions;
    // Forgetting `connect` would deploy functions that fail at cold start; fail the synth instead.
    this.node.addValidation({
      validate: () => (this.connected ? [] : ['Handlers.connect() was never called']),
    });
  }

  /** Adds each handler's resource-backed env and grants its `access` capabilities. Call once. */
  connect(resources: HandlerResources): void {
    if (this.connected) throw new Error('Handlers.connect() called twice');
    this.connected = true;
    for (const [name, def] of this.entries()) {
      const fn = this.functions[name];
      for (const env of resourceEnvNames(def)) fn.function.addEnvironment(env, resources.environment[env]);
      accessFromManifest(fn.role, def, resources.access);
    }
  }

  private entries(): [HandlerName, HandlerDef][] {
    return Object.entries(handlers) as [HandlerName, HandlerDef][];
  }
}
