import { eventSources, tables } from '../../functions/manifest.ts';
import { tunables } from '../../functions/tunables.ts';
import {
  LOCAL_ACCOUNT_ID,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  MEDIA_PATH,
  MEDIACONVERT_PATH,
  RECORDINGS_BUCKET,
  S3_PATH,
  SCHEDULER_PATH,
  WS_PATH,
} from '../constants.ts';
import { localFunctionArn } from './lambda-context.ts';

export interface HandlerEnvInput {
  readonly dynamoEndpoint: string;
  readonly jwksUrl: string;
  readonly issuer: string;
  readonly audience: string;
  /** `http://127.0.0.1:<port>`: the WebSocket, @connections and Scheduler stand-ins live under it. */
  readonly baseUrl: string;
  readonly signalingSecret: string;
}

/**
 * The environment the handlers read at cold start, pointed at the local stand-ins. Everything
 * a deployment parameter sets on AWS is here, except `TURN_*`, left as the developer set them
 * (no TURN is fine on one machine: host candidates connect). The tunables (functions/tunables.ts)
 * keep what the developer set, else their defaults.
 */
export function localHandlerEnv(input: HandlerEnvInput, current: NodeJS.ProcessEnv = process.env) {
  const watchdog = eventSources.find((source) => source.handler === 'streamWatchdog');
  const tableEnv = Object.fromEntries(
    Object.entries(tables).map(([key, table]) => [`${key.toUpperCase()}_TABLE`, table.name]),
  );
  const wsHost = input.baseUrl.replace(/^http/, 'ws');
  // Every tunable at its default unless the developer set it (a shorter grace, a lower limit...).
  const tuned = Object.fromEntries(
    Object.entries(tunables).map(([name, { default: fallback }]) => [
      name,
      current[name] || String(fallback),
    ]),
  );
  return {
    ...tuned,
    AWS_REGION: LOCAL_REGION,
    // Dummies, always: the SDK then never walks the credential chain (slow IMDS probes), and a
    // developer's real keys never end up signing requests to a local process.
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    // The SDK's own per-service endpoint overrides: every client in the process goes local.
    AWS_ENDPOINT_URL_DYNAMODB: input.dynamoEndpoint,
    AWS_ENDPOINT_URL_SCHEDULER: `${input.baseUrl}${SCHEDULER_PATH}`,
    // Handlers pass WS_CALLBACK_URL as `endpoint` anyway; this catches a client built without it.
    AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI: `${input.baseUrl}${WS_PATH}`,
    // The handlers' S3 client goes path-style whenever this is set: `<base>/s3/<bucket>/<key>`.
    AWS_ENDPOINT_URL_S3: `${input.baseUrl}${S3_PATH}`,
    AWS_ENDPOINT_URL_MEDIACONVERT: `${input.baseUrl}${MEDIACONVERT_PATH}`,
    ...tableEnv,
    AUTH_JWKS_URL: input.jwksUrl,
    AUTH_ISSUER: input.issuer,
    AUTH_AUDIENCE: input.audience,
    // Just past API Gateway's 2 h connection limit, as on AWS (dynalite does not expire rows).
    SIGNALING_URL: `${wsHost}${WS_PATH}`,
    // The secret itself, not a Secrets Manager ARN: there is no Secrets Manager locally.
    SIGNALING_SECRET: input.signalingSecret,
    WS_CALLBACK_URL: `${input.baseUrl}${WS_PATH}`,
    WATCHDOG_FUNCTION_ARN: localFunctionArn('streamWatchdog'),
    // Not checked locally (no IAM), but CreateSchedule requires one, as on AWS.
    WATCHDOG_SCHEDULER_ROLE_ARN: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/local-scheduler`,
    WATCHDOG_SCHEDULE_GROUP: watchdog?.group ?? 'stream-watchdog',
    RECORDINGS_BUCKET,
    // Not checked locally (no IAM), but CreateJob requires one, as on AWS.
    MEDIACONVERT_ROLE_ARN: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/local-mediaconvert`,
    MEDIA_BASE_URL: `${input.baseUrl}${MEDIA_PATH}`,
  } satisfies Record<string, string>;
}
