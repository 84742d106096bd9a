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
