/**
 * What the manifest's `access` capabilities and resource-backed env must look like in the template,
 * written against the template's own resources (found by type, never through lib/), in `render` form.
 */
import {
  type EnvName,
  eventSources,
  type HandlerAccess,
  type HandlerDef,
  type HandlerName,
} from '../../functions/manifest.ts';
import type { Synthesized } from './fixture.ts';
import { mentions, onlyOf, rolesAssumedBy, statementsOfRole } from './template.ts';

export type Capability = keyof HandlerAccess;

const arnPrefix = (service: string) => `arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}`;

/** The schedule event source the WATCHDOG_* env and the `scheduleWatchdog` capability point at. */
export const watchdogSource = () => {
  const source = eventSources.find((s) => s.kind === 'schedule' && s.handler === 'streamWatchdog');
  if (!source) throw new Error('manifest has no schedule event source for streamWatchdog');
  return source;
};

/** The role Scheduler assumes to invoke `handler`: trusted by scheduler.amazonaws.com, naming its function. */
export function schedulerRoleOf(synth: Synthesized, handler: HandlerName): string {
  const fnId = synth.functionId(handler);
  const roles = rolesAssumedBy(synth.resources, 'scheduler.amazonaws.com').filter((id) =>
    mentions(statementsOfRole(synth.resources, id), fnId),
  );
  if (roles.length !== 1)
    throw new Error(`expected one scheduler role for ${handler}, found ${roles.length}`);
  return roles[0] ?? '';
}

function landmarks(synth: Synthesized) {
  const [apiId] = onlyOf(synth.resources, 'AWS::ApiGatewayV2::Api');
  const [, stage] = onlyOf(synth.resources, 'AWS::ApiGatewayV2::Stage');
  const [secretId] = onlyOf(synth.resources, 'AWS::SecretsManager::Secret');
  const source = watchdogSource();
  return {
    apiId,
    stageName: String(stage.Properties.StageName),
    secretId,
    group: source.group,
    schedulerRoleId: schedulerRoleOf(synth, source.handler),
    watchdogFunctionId: synth.functionId(source.handler),
  };
}

/** Every IAM `action resource` pair each capability must grant, and nothing more. */
export function capabilityPairs(synth: Synthesized): Record<Capability, string[]> {
  const l = landmarks(synth);
  return {
    manageConnections: [
      `execute-api:ManageConnections ${arnPrefix('execute-api')}:\${${l.apiId}}/${l.stageName}/*/@connections/*`,
    ],
    signalingSecret: [`secretsmanager:GetSecretValue \${${l.secretId}}`],
    scheduleWatchdog: [
      `scheduler:CreateSchedule ${arnPrefix('scheduler')}:schedule/${l.group}/*`,
      `iam:PassRole \${${l.schedulerRoleId}.Arn}`,
    ],
  };
}

/** The capabilities a handler's manifest entry names. */
export const capabilitiesOf = (def: HandlerDef): Capability[] =>
  (Object.keys(def.access ?? {}) as Capability[]).filter((c) => def.access?.[c] === true);

/** The env values that come from the stack's own resources. */
export function resourceEnv(synth: Synthesized): Partial<Record<EnvName, string>> {
  const l = landmarks(synth);
  const host = `\${${l.apiId}}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}/${l.stageName}`;
  return {
    SIGNALING_URL: `wss://${host}`,
    WS_CALLBACK_URL: `https://${host}`,
    SIGNALING_SECRET_ARN: `\${${l.secretId}}`,
    WATCHDOG_FUNCTION_ARN: `\${${l.watchdogFunctionId}.Arn}`,
    WATCHDOG_SCHEDULER_ROLE_ARN: `\${${l.schedulerRoleId}.Arn}`,
    WATCHDOG_SCHEDULE_GROUP: l.group,
  };
}
