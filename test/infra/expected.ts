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
  handlers,
} from '../../functions/manifest.ts';
import type { Synthesized } from './fixture.ts';
import { mentions, ofType, onlyOf, rolesAssumedBy, statementsOfRole } from './template.ts';

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

/** The one role MediaConvert may assume: the role recording transcodes run as. */
export function mediaConvertRoleOf(synth: Synthesized): string {
  const roles = rolesAssumedBy(synth.resources, 'mediaconvert.amazonaws.com');
  if (roles.length !== 1) throw new Error(`expected one MediaConvert role, found ${roles.length}`);
  return roles[0] ?? '';
}

function landmarks(synth: Synthesized) {
  const [apiId] = onlyOf(synth.resources, 'AWS::ApiGatewayV2::Api');
  const [, stage] = onlyOf(synth.resources, 'AWS::ApiGatewayV2::Stage');
  const [secretId] = onlyOf(synth.resources, 'AWS::SecretsManager::Secret');
  const [distributionId] = onlyOf(synth.resources, 'AWS::CloudFront::Distribution');
  const source = watchdogSource();
  return {
    apiId,
    stageName: String(stage.Properties.StageName),
    secretId,
    group: source.group,
    schedulerRoleId: schedulerRoleOf(synth, source.handler),
    watchdogFunctionId: synth.functionId(source.handler),
    bucketId: recordingsBucketOf(synth),
    mediaConvertRoleId: mediaConvertRoleOf(synth),
    distributionId,
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
    transcode: [
      // Probe has no resource type; CreateJob is pinned to the Default queue the jobs go to.
      'mediaconvert:Probe *',
      `mediaconvert:CreateJob ${arnPrefix('mediaconvert')}:queues/Default`,
      `iam:PassRole \${${l.mediaConvertRoleId}.Arn}`,
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
    RECORDINGS_BUCKET: `\${${l.bucketId}}`,
    MEDIACONVERT_ROLE_ARN: `\${${l.mediaConvertRoleId}.Arn}`,
    MEDIA_BASE_URL: `https://\${${l.distributionId}.DomainName}`,
  };
}

/** The recordings bucket: the one bucket whose policy lets CloudFront read. */
export function recordingsBucketOf(synth: Synthesized): string {
  return synth.logicalId(synth.built.stack.media.recordings);
}

/**
 * What a handler's manifest `bucket` grants must be, as `allowedGrants` lines: object actions on
 * `<bucket>/<prefix>*`, ListBucket on the bucket limited to the prefix.
 */
export function bucketGrants(synth: Synthesized, def: HandlerDef): string[] {
  const bucket = `\${${recordingsBucketOf(synth)}.Arn}`;
  return (def.bucket ?? []).flatMap((grant) =>
    grant.actions.map((action) =>
      action === 'ListBucket'
        ? `s3:ListBucket ${bucket} ${JSON.stringify({ StringLike: { 's3:prefix': `${grant.prefix}*` } })}`
        : `s3:${action} ${bucket}/${grant.prefix}* {}`,
    ),
  );
}

/** The same as `action resource` pairs. */
export const bucketPairs = (synth: Synthesized, def: HandlerDef): string[] =>
  bucketGrants(synth, def).map((line) => line.split(' ').slice(0, 2).join(' '));

/** The manifest's `dynamodb-stream` event sources. */
export const streamSources = () => eventSources.filter((source) => source.kind === 'dynamodb-stream');

const sourcesOf = (def: HandlerDef) => streamSources().filter((source) => handlers[source.handler] === def);

/** What reading a consumed stream takes (granted by the event source): on that stream's ARN only. */
const STREAM_READ = ['DescribeStream', 'GetRecords', 'GetShardIterator', 'ListStreams'];

/** The stream read pairs of a handler: none unless the manifest feeds it from a table's stream. */
export function streamReadPairs(synth: Synthesized, def: HandlerDef): string[] {
  return sourcesOf(def).flatMap((source) => {
    const tableId = synth.logicalId(synth.built.stack.tables[source.table]);
    return STREAM_READ.map((action) => `dynamodb:${action} \${${tableId}.StreamArn}`);
  });
}

/** The mapping feeding `handler` from a stream, found in the template by its function. */
export function mappingOf(synth: Synthesized, handler: HandlerName) {
  const fnId = synth.functionId(handler);
  const found = ofType(synth.resources, 'AWS::Lambda::EventSourceMapping').filter(([, m]) =>
    mentions(m.Properties.FunctionName, fnId),
  );
  if (found.length !== 1 || !found[0])
    throw new Error(`expected one mapping for ${handler}, found ${found.length}`);
  return found[0][1];
}

/** The logical id of the on-failure queue of the mapping feeding `handler`. */
export function deadLetterQueueOf(synth: Synthesized, handler: HandlerName): string {
  const config = mappingOf(synth, handler).Properties.DestinationConfig as {
    OnFailure: { Destination: { 'Fn::GetAtt': [string, string] } };
  };
  return config.OnFailure.Destination['Fn::GetAtt'][0];
}

/** The manifest's event sources that invoke their handler asynchronously (S3, EventBridge). */
export const asyncSources = () =>
  eventSources.filter((source) => source.kind === 's3' || source.kind === 'eventbridge');

/** The handlers `asyncSources` invoke, each once. */
export const asyncHandlers = (): HandlerName[] => [
  ...new Set(asyncSources().map((source) => source.handler)),
];

/** The asynchronous-invocation config of `handler`'s function, found in the template by its function. */
export function invokeConfigOf(synth: Synthesized, handler: HandlerName) {
  const fnId = synth.functionId(handler);
  const found = ofType(synth.resources, 'AWS::Lambda::EventInvokeConfig').filter(([, c]) =>
    mentions(c.Properties.FunctionName, fnId),
  );
  if (found.length !== 1 || !found[0])
    throw new Error(`expected one invoke config for ${handler}, found ${found.length}`);
  return found[0][1];
}

/** The logical id of the queue where `handler`'s failed asynchronous invocations go. */
export function asyncDeadLetterQueueOf(synth: Synthesized, handler: HandlerName): string {
  const config = invokeConfigOf(synth, handler).Properties.DestinationConfig as {
    OnFailure: { Destination: { 'Fn::GetAtt': [string, string] } };
  };
  return config.OnFailure.Destination['Fn::GetAtt'][0];
}

const SEND = ['GetQueueAttributes', 'GetQueueUrl', 'SendMessage'];

/**
 * Sending to a dead-letter queue with the function's role: a stream mapping's failed batch (the ESM
 * sends it), and a failed asynchronous invocation (Lambda's on-failure destination).
 */
export function deadLetterPairs(synth: Synthesized, def: HandlerDef): string[] {
  const streamQueues = sourcesOf(def).map((source) => deadLetterQueueOf(synth, source.handler));
  const asyncQueues = asyncHandlers()
    .filter((handler) => handlers[handler] === def)
    .map((handler) => asyncDeadLetterQueueOf(synth, handler));
  return [...streamQueues, ...asyncQueues].flatMap((queue) => SEND.map((a) => `sqs:${a} \${${queue}.Arn}`));
}
