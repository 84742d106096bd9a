import middy, { type MiddyfiedHandler } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { z } from 'zod';
import { createTokenVerifier, type TokenVerifier } from '../adapters/jwt.ts';
import { requireEnv } from '../config.ts';
import type { StreamRecord, User } from '../core/model.ts';
import { errorResponse } from './http-errors.ts';
import { header, jsonBody, parseWith, queryParams } from './request.ts';
import type { HttpResult } from './responses.ts';

/** `user`: a verified JWT is required. `optional`: verified when sent (the handler decides). */
export type AuthMode = 'user' | 'optional' | 'public';

/** Who is asking, as an owner check sees them: before anything they sent is read. */
export interface Caller<A extends AuthMode> {
  user: A extends 'user' ? User : User | undefined;
  header(name: string): string | undefined;
}

/**
 * Reads the path's stream and throws unless the caller may act on it: one of core's checks
 * (`ownedStream`, `broadcastersStream`, `moderatedStream`), 404 before 403.
 */
export type OwnerCheck<A extends AuthMode> = (streamId: string, caller: Caller<A>) => Promise<StreamRecord>;

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
  /**
   * Owner-only routes: who may act on the path's stream is settled before the query and body
   * are read, so someone else gets 403 whatever they sent, never a validation error. The stream
   * read is handed to the handler as `stream`: pass it to the core, which then reads nothing.
   */
  owner?: OwnerCheck<A>;
}

export interface RouteRequest<B, Q, P, A extends AuthMode, S = undefined> extends Caller<A> {
  body: B;
  query: Q;
  params: P;
  /** The stream the route's owner check read (routes with `owner` only). */
  stream: S;
  requestId: string;
}

type Handler<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType, A extends AuthMode, S> = (
  request: RouteRequest<z.infer<B>, z.infer<Q>, z.infer<P>, A, S>,
) => Promise<HttpResult>;

/** What `route()` builds: a Lambda handler for API Gateway's proxy integration. */
export type RestHandler = MiddyfiedHandler<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>;

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
 * The one wiring for every REST handler: authenticate, validate the path, settle ownership,
 * then validate query and body with zod, run `fn`, and map any error to the JSON error shape.
 * That order is the order of refusals: 401, 400 for the path, 404, 403, then 400/413/415 for
 * what was sent. Handlers stay a few lines.
 */
export function route<
  A extends AuthMode,
  B extends z.ZodType = z.ZodUnknown,
  Q extends z.ZodType = z.ZodUnknown,
  P extends z.ZodType = z.ZodUnknown,
>(spec: RouteSpec<B, Q, P, A> & { owner: OwnerCheck<A> }, fn: Handler<B, Q, P, A, StreamRecord>): RestHandler;
export function route<
  A extends AuthMode,
  B extends z.ZodType = z.ZodUnknown,
  Q extends z.ZodType = z.ZodUnknown,
  P extends z.ZodType = z.ZodUnknown,
>(spec: RouteSpec<B, Q, P, A> & { owner?: undefined }, fn: Handler<B, Q, P, A, undefined>): RestHandler;
export function route<A extends AuthMode, B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType>(
  spec: RouteSpec<B, Q, P, A>,
  // `never`: each overload's handler takes what its spec yields (a stream with `owner`, else none).
  fn: Handler<B, Q, P, A, never>,
): RestHandler {
  if (spec.owner && !(spec.params instanceof z.ZodObject && 'streamId' in spec.params.shape)) {
    throw new Error('route(): an owner check needs a params schema with streamId');
  }
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
      const caller: Caller<A> = {
        user: user as Caller<A>['user'],
        header: (name) => header(event, name),
      };
      // Then whether they may act on this stream: someone else learns nothing from validation.
      const stream = spec.owner
        ? await spec.owner((params as { streamId: string }).streamId, caller)
        : undefined;
      const query = spec.query ? parseWith(spec.query, queryParams(event), 'query') : undefined;
      const body = spec.body ? parseWith(spec.body, jsonBody(event), 'body') : undefined;
      return fn({
        ...caller,
        // Absent schemas yield `unknown`, so `undefined` is a faithful value for them.
        body: body as z.infer<B>,
        query: query as z.infer<Q>,
        params: params as z.infer<P>,
        stream: stream as never,
        requestId: context.awsRequestId,
      });
    });
}
