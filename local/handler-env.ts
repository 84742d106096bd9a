import { tables } from '../functions/manifest.ts';

export interface HandlerEnvInput {
  readonly dynamoEndpoint: string;
  readonly jwksUrl: string;
  readonly issuer: string;
  readonly audience: string;
}

/**
 * The environment the handlers read at cold start, pointed at the local stand-ins. Everything
 * a deployment parameter sets on AWS is here, except `TURN_*`, left as the developer set them
 * (no TURN is fine on one machine: host candidates connect).
 */
export function localHandlerEnv(input: HandlerEnvInput, current: NodeJS.ProcessEnv = process.env) {
  const tableEnv = Object.fromEntries(
    Object.entries(tables).map(([key, table]) => [`${key.toUpperCase()}_TABLE`, table.name]),
  );
  return {
    AWS_REGION: 'us-east-1',
    // Dummies, always: the SDK then never walks the credential chain (slow IMDS probes), and a
    // developer's real keys never end up signing requests to a local process.
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    // The SDK's own per-service endpoint override: every DynamoDB client in the process goes local.
    AWS_ENDPOINT_URL_DYNAMODB: input.dynamoEndpoint,
    ...tableEnv,
    AUTH_JWKS_URL: input.jwksUrl,
    AUTH_ISSUER: input.issuer,
    AUTH_AUDIENCE: input.audience,
    DEFAULT_MAX_VIEWERS: current.DEFAULT_MAX_VIEWERS || '50',
    // Just past API Gateway's 2 h connection limit, as on AWS (dynalite does not expire rows).
    CONNECTION_TTL_SECONDS: '7500',
  } satisfies Record<string, string>;
}
