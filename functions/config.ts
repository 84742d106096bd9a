import type { TurnConfig } from './core/ice.ts';
import type { EnvName } from './manifest.ts';
import { type TunableName, tunables } from './tunables.ts';

/** A deployment mistake, reported at cold start rather than on some later request. */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

export function requireEnv(name: EnvName): string {
  const value = process.env[name];
  if (!value) throw new ConfigurationError(`Environment variable ${name} is required`);
  return value;
}

export function optionalEnv(name: EnvName): string | undefined {
  return process.env[name] || undefined;
}

/** A tunable's value from the environment, or its default (tunables.ts); out of range throws at cold start. */
export function tunable(name: TunableName): number {
  const { default: fallback, min, max } = tunables[name];
  const raw = optionalEnv(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigurationError(`${name} must be an integer in ${min}..${max}, got "${raw}"`);
  }
  return value;
}

/** TURN from the environment: a shared secret wins over static credentials. */
export function turnConfigFromEnv(): TurnConfig {
  const server = optionalEnv('TURN_SERVER');
  const secret = optionalEnv('TURN_SECRET');
  const username = optionalEnv('TURN_USERNAME');
  const password = optionalEnv('TURN_PASSWORD');
  if (!server) {
    if (secret || username || password)
      throw new ConfigurationError('TURN credentials are set but TURN_SERVER is not');
    return { kind: 'none' };
  }
  const urls = server.split(',').map((url) => url.trim());
  if (secret) {
    return {
      kind: 'shared-secret',
      urls,
      secret,
      ttlSeconds: tunable('TURN_TTL_SECONDS'),
    };
  }
  if (!username || !password) {
    throw new ConfigurationError('TURN_SERVER needs TURN_SECRET, or both TURN_USERNAME and TURN_PASSWORD');
  }
  return { kind: 'static', urls, username, password };
}
