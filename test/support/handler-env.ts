import type { EnvName, HandlerDef } from '../../functions/manifest.ts';
import { tunables } from '../../functions/tunables.ts';

/** A plausible value for each variable: the tunables at their defaults, the rest made up. */
export const SAMPLE: Partial<Record<EnvName, string>> = {
  ...Object.fromEntries(Object.entries(tunables).map(([name, t]) => [name, String(t.default)])),
  AUTH_JWKS_URL: 'https://issuer.example.com/.well-known/jwks.json',
  SIGNALING_URL: 'wss://ws.example.com/ws',
  WS_CALLBACK_URL: 'https://ws.example.com/ws',
  TURN_SERVER: '',
  TURN_USERNAME: '',
  TURN_PASSWORD: '',
  TURN_SECRET: '',
  MEDIA_BASE_URL: 'https://d111111abcdef8.cloudfront.net',
  MEDIACONVERT_ROLE_ARN: 'arn:aws:iam::111122223333:role/mediaconvert',
};

/**
 * Exactly the environment a handler's manifest entry lists, with sample values; plus
 * `SIGNALING_SECRET` where the entry reads the Secrets Manager ARN, since this machine cannot
 * reach Secrets Manager and the same loader takes the local path then.
 */
export function manifestEnvironment(def: HandlerDef): Record<string, string> {
  const env: Record<string, string> = { AWS_REGION: 'us-east-1' };
  for (const name of def.env) env[name] = SAMPLE[name] ?? `sample-${name.toLowerCase()}`;
  if ('SIGNALING_SECRET_ARN' in env) env.SIGNALING_SECRET = 's'.repeat(43);
  return env;
}
