import type { EnvName, HandlerDef, TableKey } from '../../functions/manifest.ts';
import type { Tables } from './data.ts';
import type { DeployParameters } from './parameters.ts';

/**
 * Where a variable's value comes from on AWS: a manifest table's name, a deploy parameter, one of
 * this stack's own resources (wired by `Handlers.connect`, since those resources reference the
 * functions), or nowhere: `local-only` names are never set on AWS.
 */
type EnvSource = { readonly table: TableKey } | 'parameter' | 'resource' | 'local-only';

// `satisfies Record<EnvName, ...>`: a new manifest name fails `tsc` here until it is given a source.
const ENV_SOURCES = {
  STREAMS_TABLE: { table: 'streams' },
  VIEWERS_TABLE: { table: 'viewers' },
  CONNECTIONS_TABLE: { table: 'connections' },
  CHAT_TABLE: { table: 'chat' },
  AUDIENCE_TABLE: { table: 'audience' },
  AUTH_JWKS_URL: 'parameter',
  AUTH_ISSUER: 'parameter',
  AUTH_AUDIENCE: 'parameter',
  DEFAULT_MAX_VIEWERS: 'parameter',
  PEER_SEATS_FALLBACK: 'parameter',
  PEER_SEATS_MAX: 'parameter',
  PEER_SEAT_KBPS: 'parameter',
  PRESENCE_WINDOW_SECONDS: 'parameter',
  TURN_SERVER: 'parameter',
  TURN_USERNAME: 'parameter',
  TURN_PASSWORD: 'parameter',
  TURN_SECRET: 'parameter',
  TURN_TTL_SECONDS: 'parameter',
  CONNECTION_TTL_SECONDS: 'parameter',
  SIGNALING_TICKET_TTL_SECONDS: 'parameter',
  BROADCASTER_GRACE_SECONDS: 'parameter',
  SEAT_REPAIR_AFTER_SECONDS: 'parameter',
  CHAT_RATE_LIMIT: 'parameter',
  CHAT_ROOM_RATE_LIMIT: 'parameter',
  CHAT_RETENTION_DAYS: 'parameter',
  SIGNALING_URL: 'resource',
  SIGNALING_SECRET_ARN: 'resource',
  WS_CALLBACK_URL: 'resource',
  WATCHDOG_FUNCTION_ARN: 'resource',
  WATCHDOG_SCHEDULER_ROLE_ARN: 'resource',
  WATCHDOG_SCHEDULE_GROUP: 'resource',
  RECORDINGS_BUCKET: 'resource',
  MEDIACONVERT_ROLE_ARN: 'resource',
  MEDIA_BASE_URL: 'resource',
  RECORDING_MAX_BYTES: 'parameter',
  RECORDING_UPLOAD_WINDOW_SECONDS: 'parameter',
  LIVE_UPLOAD_TTL_SECONDS: 'parameter',
  LIVE_SEGMENT_MAX_BYTES: 'parameter',
  // The signing key stays in Secrets Manager; on AWS handlers read it by SIGNALING_SECRET_ARN.
  SIGNALING_SECRET: 'local-only',
} as const satisfies Record<EnvName, EnvSource>;

type Sources = typeof ENV_SOURCES;
type NamesFrom<S extends EnvSource> = { [N in EnvName]: Sources[N] extends S ? N : never }[EnvName];

export type TableEnvName = NamesFrom<{ readonly table: TableKey }>;
/** Filled from a deploy parameter (parameters.ts gives each one). */
export type ParameterEnvName = NamesFrom<'parameter'>;
/** Filled from this stack's own resources, after the functions exist. */
export type ResourceEnvName = NamesFrom<'resource'>;

const isFrom = <S extends 'parameter' | 'resource'>(name: EnvName, source: S): name is NamesFrom<S> =>
  ENV_SOURCES[name] === source;

/**
 * The table names and deploy parameters a handler lists. Resource-backed names are left to
 * `resourceEnvNames` + `Handlers.connect`; a local-only name in a handler's env is a manifest bug.
 */
export function environmentFromManifest(
  handler: HandlerDef,
  data: Tables,
  parameters: DeployParameters,
): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const name of handler.env) {
    const source: EnvSource = ENV_SOURCES[name];
    if (source === 'local-only') throw new Error(`${name} is local-only and must never be set on AWS`);
    if (typeof source === 'object') environment[name] = data[source.table].tableName;
    else if (isFrom(name, 'parameter')) environment[name] = parameters.value(name);
  }
  return environment;
}

/** The names of a handler's env that come from the stack's own resources. */
export const resourceEnvNames = (handler: HandlerDef): ResourceEnvName[] =>
  handler.env.filter((name): name is ResourceEnvName => isFrom(name, 'resource'));
