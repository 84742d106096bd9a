/**
 * Small readers over a synthesized CloudFormation template, so the specs in stack.test.ts can
 * compare it with the manifest. They read raw template JSON and trust nothing in lib/.
 */

export type Json = unknown;

export interface CfnResource {
  readonly Type: string;
  readonly Properties: Record<string, Json>;
  readonly DeletionPolicy?: string;
  readonly DependsOn?: string[];
}

export type Resources = Record<string, CfnResource>;

export interface Statement {
  readonly Effect: string;
  readonly Action?: string | string[];
  readonly Resource?: Json;
  readonly Principal?: Json;
  readonly Condition?: Json;
}

export const asList = <T>(value: T | readonly T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? [...value] : [value as T];

export const ofType = (resources: Resources, type: string): [string, CfnResource][] =>
  Object.entries(resources).filter(([, resource]) => resource.Type === type);

/** `{ Ref: id }` -> id; anything else -> undefined. */
export const refOf = (value: Json): string | undefined =>
  typeof value === 'object' && value !== null && 'Ref' in value ? String(value.Ref) : undefined;

/** True if `value` (any intrinsic) mentions the logical id `id` anywhere. */
export const mentions = (value: Json, id: string): boolean => JSON.stringify(value).includes(`"${id}"`);

/** Rebuilds an API Gateway resource's full path from PathPart / ParentId links. */
export function resourcePath(resources: Resources, resourceId: Json): string {
  const id = refOf(resourceId);
  if (id === undefined) {
    // Only the root resource is referenced as Fn::GetAtt [RestApi, RootResourceId].
    if (!JSON.stringify(resourceId).includes('RootResourceId')) throw new Error('unexpected resource id');
    return '';
  }
  const resource = resources[id];
  if (resource?.Type !== 'AWS::ApiGateway::Resource') throw new Error(`${id} is not an API resource`);
  return `${resourcePath(resources, resource.Properties.ParentId)}/${String(resource.Properties.PathPart)}`;
}

/** Every statement of every policy attached to the role: its inline policies and AWS::IAM::Policy. */
export function statementsOfRole(resources: Resources, roleId: string): Statement[] {
  const role = resources[roleId];
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${roleId} is not a role`);
  const inline = asList(role.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[]);
  const attached = ofType(resources, 'AWS::IAM::Policy')
    .filter(([, policy]) => asList(policy.Properties.Roles).some((r) => refOf(r) === roleId))
    .map(([, policy]) => policy.Properties as { PolicyDocument: { Statement: Statement[] } });
  return [...inline, ...attached].flatMap((policy) => policy.PolicyDocument.Statement);
}

/**
 * An intrinsic as readable text: `Ref` -> `${Id}`, `Fn::GetAtt` -> `${Id.Attr}`, `Fn::Join` joined,
 * literals as they are. `{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":s3:::b"]]}` ->
 * `arn:${AWS::Partition}:s3:::b`. Anything else stays JSON, so it can only fail a comparison.
 */
export function render(value: Json): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const ref = refOf(value);
    if (ref !== undefined) return `\${${ref}}`;
    const getAtt = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
    if (getAtt) return `\${${getAtt.join('.')}}`;
    const join = (value as { 'Fn::Join'?: [string, Json[]] })['Fn::Join'];
    if (join) return join[1].map(render).join(join[0]);
  }
  return JSON.stringify(value);
}

/** Allowed `action resource` pairs, resources rendered (`render`) so intrinsics compare by value. */
export const allowedPairs = (statements: readonly Statement[]): string[] =>
  statements
    .filter((statement) => statement.Effect === 'Allow')
    .flatMap((statement) =>
      asList(statement.Action).flatMap((action) =>
        asList(statement.Resource).map((resource) => `${action} ${render(resource)}`),
      ),
    );

/** Logical ids of the roles whose trust policy lets `service` (e.g. `scheduler.amazonaws.com`) assume them. */
export const rolesAssumedBy = (resources: Resources, service: string): string[] =>
  ofType(resources, 'AWS::IAM::Role')
    .filter(([, role]) =>
      (role.Properties.AssumeRolePolicyDocument as { Statement: Statement[] }).Statement.some((s) =>
        asList((s.Principal as { Service?: string | string[] } | undefined)?.Service).includes(service),
      ),
    )
    .map(([id]) => id);

/** The logical id of the one resource of `type`; throws when there is none or more than one. */
export function onlyOf(resources: Resources, type: string): [string, CfnResource] {
  const found = ofType(resources, type);
  if (found.length !== 1 || !found[0]) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  return found[0];
}

/** Allowed `action resource condition` lines: as `allowedPairs`, with each statement's condition as JSON. */
export const allowedGrants = (statements: readonly Statement[]): string[] =>
  statements
    .filter((statement) => statement.Effect === 'Allow')
    .flatMap((statement) =>
      asList(statement.Action).flatMap((action) =>
        asList(statement.Resource).map(
          (resource) => `${action} ${render(resource)} ${JSON.stringify(statement.Condition ?? {})}`,
        ),
      ),
    );

/** Lambda functions that serve a custom resource (its ServiceToken): CDK's own, not the manifest's. */
export const customResourceHandlers = (resources: Resources): string[] =>
  Object.values(resources)
    .filter((resource) => resource.Type.startsWith('Custom::'))
    .map(
      (resource) => (resource.Properties.ServiceToken as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'],
    )
    .filter((getAtt) => getAtt !== undefined)
    .map(([id]) => id);

/** Logical ids a value references (`Ref`, `Fn::GetAtt`, `${Id}` in `Fn::Sub`), pseudo parameters excluded. */
function referencedIds(value: Json, into: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const item of value) referencedIds(item, into);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string') into.add(inner);
      else if (key === 'Fn::GetAtt')
        into.add(String(asList(inner as string | string[])[0]).split('.')[0] ?? '');
      else if (key === 'Fn::Sub') {
        const [text, vars] = asList(inner as Json[]);
        for (const match of String(text).matchAll(/\$\{([^}!.]+)/g)) into.add(match[1] ?? '');
        referencedIds(vars, into);
      } else referencedIds(inner, into);
    }
  }
  return into;
}

/**
 * A dependency cycle among the resources (references and DependsOn), as the ids around it, or
 * undefined. CloudFormation rejects a template with one at deploy time; `cdk synth` does not notice.
 */
export function dependencyCycle(resources: Resources): string[] | undefined {
  const edges = new Map(
    Object.entries(resources).map(([id, resource]) => {
      const targets = referencedIds(resource.Properties ?? {}, new Set(asList(resource.DependsOn)));
      return [id, [...targets].filter((target) => target in resources)];
    }),
  );
  const state = new Map<string, 'open' | 'done'>();
  const visit = (id: string, path: string[]): string[] | undefined => {
    if (state.get(id) === 'open') return [...path.slice(path.indexOf(id)), id];
    if (state.get(id) === 'done') return undefined;
    state.set(id, 'open');
    for (const next of edges.get(id) ?? []) {
      const cycle = visit(next, [...path, id]);
      if (cycle) return cycle;
    }
    state.set(id, 'done');
    return undefined;
  };
  for (const id of edges.keys()) {
    const cycle = visit(id, []);
    if (cycle) return cycle;
  }
  return undefined;
}
