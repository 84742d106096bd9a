import { Construct } from 'constructs';
import { type HandlerDef, type HandlerName, handlers } from '../../functions/manifest.ts';
import type { Tables } from './data.ts';
import { ServiceFunction } from './function.ts';
import { environmentFromManifest, grantsFromManifest } from './grants.ts';
import { DeployParameters } from './parameters.ts';

export type Functions = Record<HandlerName, ServiceFunction>;

export interface HandlersProps {
  readonly tables: Tables;
}

/** One function per manifest handler; construct id = handler name, so logical ids are stable. */
export class Handlers extends Construct {
  readonly functions: Functions;

  constructor(scope: Construct, id: string, props: HandlersProps) {
    super(scope, id);
    const parameters = new DeployParameters(this);
    const entries = Object.entries(handlers) as [HandlerName, HandlerDef][];
    this.functions = Object.fromEntries(
      entries.map(([name, def]) => {
        const fn = new ServiceFunction(this, name, {
          entry: def.entry,
          environment: environmentFromManifest(def, props.tables, parameters),
        });
        grantsFromManifest(fn.function, def, props.tables);
        return [name, fn];
      }),
    ) as Functions;
  }
}
