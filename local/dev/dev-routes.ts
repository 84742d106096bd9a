import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import { findHeader } from '../apigateway/request-maps.ts';
import type { EmulatorRoute } from '../apigateway/rest-routes.ts';
import type { ProxyHandler } from '../constants.ts';
import type { DevIssuer } from './dev-issuer.ts';
import { USER_ID_PATTERN } from './dev-issuer.ts';

/**
 * Local-only routes, served by the emulator like any other but handled in-process. They do
 * not exist on AWS, where tokens come from the real identity provider.
 */
export const devRoutes = [
  { method: 'POST', path: '/api/dev/token', handler: 'devToken' },
  // Its own preflight instead of the gateway's any-origin one: only the app's pages are told yes.
  { method: 'OPTIONS', path: '/api/dev/token', handler: 'devToken' },
  { method: 'GET', path: '/.well-known/jwks.json', handler: 'devJwks' },
] as const satisfies readonly EmulatorRoute[];

/** Where `npx vite` serves the app with hot reload (README), proxying `/api` to the stack. */
export const VITE_DEV_ORIGIN = 'http://localhost:5173';

/** The origins of the app's own pages: the stack's URL, as 127.0.0.1 and as localhost, and Vite's. */
export function appOrigins(stackUrl: string): string[] {
  const { origin, port } = new URL(stackUrl);
  return [...new Set([origin, `http://127.0.0.1:${port}`, `http://localhost:${port}`, VITE_DEV_ORIGIN])];
}

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
  headers: Record<string, string> = {},
): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'Content-Type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/**
 * The in-process handlers behind `devRoutes`, keyed by their `handler` names. The token issuer
 * hands out any user's token, admin included, to whoever asks: a page of another site open in
 * the developer's browser while `npm start` runs must not be able to ask. Requests from the
 * app's `origins` get their CORS answer; those without an Origin (curl, scripts) are not a
 * browser page's; any other Origin is refused, with no CORS header and no token.
 */
export function devHandlers(
  issuer: DevIssuer,
  options: { origins: readonly string[] },
): Record<(typeof devRoutes)[number]['handler'], ProxyHandler> {
  const allowed = new Set(options.origins);
  return {
    devToken: async (event: APIGatewayProxyEvent) => {
      const origin = findHeader(event.headers as Record<string, string>, 'origin');
      if (origin !== undefined && !allowed.has(origin)) {
        const message = `Dev tokens are for the local app's own pages (${[...allowed].join(', ')}), not ${origin}`;
        return json(403, { error: { code: 'ORIGIN_NOT_ALLOWED', message } });
      }
      const cors: Record<string, string> = origin
        ? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' }
        : {};
      if (event.httpMethod === 'OPTIONS') {
        return {
          statusCode: 204,
          headers: {
            ...cors,
            'Access-Control-Allow-Methods': 'POST',
            'Access-Control-Allow-Headers': 'Content-Type',
            'Access-Control-Max-Age': '600',
          },
          body: '',
        };
      }
      let input: unknown;
      try {
        input = JSON.parse(event.body ?? '');
      } catch {
        const message = 'Body must be JSON: {"userId": "..."}';
        return json(400, { error: { code: 'VALIDATION_FAILED', message } }, cors);
      }
      const parsed = TokenRequest.safeParse(input);
      if (!parsed.success) {
        // The service's own validation shape (functions/http/request.ts): details.issues[].
        const issues = parsed.error.issues.map((i) => ({
          field: i.path.join('.') || 'body',
          message: i.message,
        }));
        const message = `Invalid body: ${issues[0]?.field}: ${issues[0]?.message}`;
        return json(400, { error: { code: 'VALIDATION_FAILED', message, details: { issues } } }, cors);
      }
      const { userId, roles, expiresInSeconds = DEFAULT_EXPIRES_IN } = parsed.data;
      const token = await issuer.mint({ userId, roles, expiresInSeconds });
      return json(
        201,
        { token, expiresIn: expiresInSeconds, userId },
        { ...cors, 'Cache-Control': 'no-store' },
      );
    },
    // Public keys: any page may read them.
    devJwks: async () =>
      json(200, issuer.jwks(), { 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'max-age=300' }),
  };
}
