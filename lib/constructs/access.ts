import type * as iam from 'aws-cdk-lib/aws-iam';
import type { HandlerAccess, HandlerDef } from '../../functions/manifest.ts';

/** A manifest `access` capability: `manageConnections`, `signalingSecret`, ... */
export type Capability = keyof HandlerAccess;

/**
 * How each capability is granted to a function's role: one precise statement (or pair) made by the
 * construct that owns the resource. A `Record`, so a new manifest capability fails `tsc` until it
 * has a grant.
 */
export type CapabilityGrants = Readonly<Record<Capability, (role: iam.Role) => void>>;

/** Grants a handler exactly the capabilities its manifest `access` names, and nothing else. */
export function accessFromManifest(role: iam.Role, handler: HandlerDef, grants: CapabilityGrants): void {
  const access: HandlerAccess = handler.access ?? {};
  for (const capability of Object.keys(access) as Capability[]) {
    if (access[capability]) grants[capability](role);
  }
}
