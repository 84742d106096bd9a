import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { z } from 'zod';
import { createTokenVerifier, type TokenVerifier } from '../adapters/jwt.ts';
import { requireEnv } from '../config.ts';
import type { User } from '../core/model.ts';
import { errorResponse } from './http-errors.ts';
import { header, jsonBody, parseWith, queryParams } from './request.ts';
import type { HttpResult } from './responses.ts';

/** `user`: a verified JWT is required. `optional`: verified when sent (the handler decides). */
export type AuthMode = 'user' | 'optional' | 'public';

export interface RouteSpec<
  B extends z.ZodType,
  Q extends z.ZodType,
  P extends z.ZodType,
  A extends AuthMode,
> {
  auth: A;
  body?: B;
  query?: Q;
  params?: P;
}

export interface RouteRequest<B, Q, P, A extends AuthMode> {
  body: B;
  query: Q;
  params: P;
  user: A extends 'user' ? User : User | undefined;
  header(name: string): string | undefined;
  requestId: string;
}

let verifier: TokenVerifier | undefined;

/** Built once per cold start, from configuration that must be present. */
function tokenVerifier(): TokenVerifier {
  verifier ??= createTokenVerifier({
    jwksUrl: requireEnv('AUTH_JWKS_URL'),
    issuer: requireEnv('AUTH_ISSUER'),
    audience: requireEnv('AUTH_AUDIENCE'),
  });
  return verifier;
}

/**
 * The one wiring for every REST handler: parse and validate path, query and body with zod,
 * authenticate, run `fn`, and map any error to the JSON error shape. Handlers stay a few lines.
 */
export function route<
  A extends AuthMode,
  B extends z.ZodType = z.ZodUnknown,
  Q extends z.ZodType = z.ZodUnknown,
  P extends z.ZodType = z.ZodUnknown,
>(
  spec: RouteSpec<B, Q, P, A>,
  fn: (request: RouteRequest<z.infer<B>, z.infer<Q>, z.infer<P>, A>) => Promise<HttpResult>,
) {
  const verify = spec.auth === 'public' ? undefined : tokenVerifier();
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
    .use({
      onError: (request) => {
        request.response = errorResponse(request.error, request.context.awsRequestId);
      },
    })
    .handler(async (event, context) => {
      // Who is asking comes first: an anonymous caller learns nothing from validation errors.
      const authorization = header(event, 'authorization');
      const user =
        verify && (spec.auth === 'user' || authorization !== undefined)
          ? await verify(authorization)
          : undefined;
      const params = spec.params ? parseWith(spec.params, event.pathParameters ?? {}, 'path') : undefined;
      const query = spec.query ? parseWith(spec.query, queryParams(event), 'query') : undefined;
      const body = spec.body ? parseWith(spec.body, jsonBody(event), 'body') : undefined;
      return fn({
        // Absent schemas yield `unknown`, so `undefined` is a faithful value for them.
        body: body as z.infer<B>,
        query: query as z.infer<Q>,
        params: params as z.infer<P>,
        user: user as RouteRequest<unknown, unknown, unknown, A>['user'],
        header: (name) => header(event, name),
        requestId: context.awsRequestId,
      });
    });
}
