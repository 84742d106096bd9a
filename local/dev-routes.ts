import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import type { DevIssuer } from './dev-issuer.ts';
import { USER_ID_PATTERN } from './dev-issuer.ts';
import type { ProxyHandler } from './rest-events.ts';
import type { EmulatorRoute } from './rest-routes.ts';

/**
 * Local-only routes, served by the emulator like any other but handled in-process. They do
 * not exist on AWS, where tokens come from the real identity provider.
 */
export const devRoutes = [
  { method: 'POST', path: '/api/dev/token', handler: 'devToken' },
  { method: 'GET', path: '/.well-known/jwks.json', handler: 'devJwks' },
] as const satisfies readonly EmulatorRoute[];

const TokenRequest = z.strictObject({
  userId: z.string().regex(USER_ID_PATTERN, 'must be 1 to 128 characters of A-Z a-z 0-9 _ . @ -'),
  roles: z
    .array(z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/))
    .max(20)
    .optional(),
  expiresInSeconds: z.number().int().min(1).max(86_400).optional(),
});

const DEFAULT_EXPIRES_IN = 3600;

const json = (
  statusCode: number,
  body: unknown,
  extra: Record<string, string> = {},
): APIGatewayProxyResult => ({
  statusCode,
  // Same-origin for the web app; the header lets a dev server on another port use it too.
  headers: { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*', ...extra },
  body: JSON.stringify(body),
});

/** The in-process handlers behind `devRoutes`, keyed by their `handler` names. */
export function devHandlers(issuer: DevIssuer): Record<(typeof devRoutes)[number]['handler'], ProxyHandler> {
  return {
    devToken: async (event: APIGatewayProxyEvent) => {
      let input: unknown;
      try {
        input = JSON.parse(event.body ?? '');
      } catch {
        return json(400, {
          error: { code: 'VALIDATION_FAILED', message: 'Body must be JSON: {"userId": "..."}' },
        });
      }
      const parsed = TokenRequest.safeParse(input);
      if (!parsed.success) {
        // The service's own validation shape (functions/api/request.ts): details.issues[].
        const issues = parsed.error.issues.map((i) => ({
          field: i.path.join('.') || 'body',
          message: i.message,
        }));
        const message = `Invalid body: ${issues[0]?.field}: ${issues[0]?.message}`;
        return json(400, { error: { code: 'VALIDATION_FAILED', message, details: { issues } } });
      }
      const { userId, roles, expiresInSeconds = DEFAULT_EXPIRES_IN } = parsed.data;
      const token = await issuer.mint({ userId, roles, expiresInSeconds });
      return json(201, { token, expiresIn: expiresInSeconds, userId }, { 'Cache-Control': 'no-store' });
    },
    devJwks: async () => json(200, issuer.jwks(), { 'Cache-Control': 'max-age=300' }),
  };
}
