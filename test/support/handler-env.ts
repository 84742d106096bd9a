import type { EnvName, HandlerDef } from '../../functions/manifest.ts';

/** A plausible value for each variable (numbers inside the ranges the handlers enforce). */
export const SAMPLE: Partial<Record<EnvName, string>> = {
  AUTH_JWKS_URL: 'https://issuer.example.com/.well-known/jwks.json',
  SIGNALING_URL: 'wss://ws.example.com/ws',
  WS_CALLBACK_URL: 'https://ws.example.com/ws',
  DEFAULT_MAX_VIEWERS: '50',
  TURN_SERVER: '',
  TURN_USERNAME: '',
  TURN_PASSWORD: '',
  TURN_SECRET: '',
  TURN_TTL_SECONDS: '3600',
  CONNECTION_TTL_SECONDS: '7500',
  SIGNALING_TICKET_TTL_SECONDS: '60',
  BROADCASTER_GRACE_SECONDS: '60',
  SEAT_REPAIR_AFTER_SECONDS: '60',
  CHAT_RATE_LIMIT: '5',
  CHAT_ROOM_RATE_LIMIT: '10',
  CHAT_RETENTION_DAYS: '30',
  RECORDING_MAX_BYTES: '10737418240',
  RECORDING_UPLOAD_WINDOW_SECONDS: '900',
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
