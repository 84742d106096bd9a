import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigurationError, optionalEnv, requireEnv } from '../config.ts';

/**
 * The ticket-signing secret, read once at cold start: from Secrets Manager on AWS
 * (`SIGNALING_SECRET_ARN`), or directly from `SIGNALING_SECRET` on the local stack, which has no
 * Secrets Manager. Never from a plain deploy parameter: it would sit readable in the console.
 */
export async function loadTicketSecret(client?: SecretsManagerClient): Promise<string> {
  const local = optionalEnv('SIGNALING_SECRET');
  if (local) return local;
  const arn = requireEnv('SIGNALING_SECRET_ARN');
  const out = await (client ?? new SecretsManagerClient({})).send(
    new GetSecretValueCommand({ SecretId: arn }),
  );
  if (!out.SecretString || out.SecretString.length < 32) {
    throw new ConfigurationError('The signaling secret must be a string of at least 32 characters');
  }
  return out.SecretString;
}
