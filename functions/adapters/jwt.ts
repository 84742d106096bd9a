import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import { ServiceUnavailableError, UnauthorizedError } from '../core/errors.ts';
import type { User } from '../core/model.ts';

export interface JwtSettings {
  jwksUrl: string;
  issuer: string;
  audience: string;
}

export type TokenVerifier = (authorization: string | undefined) => Promise<User>;

/** Claims that carry roles: DreamX's own issuer uses `roles`, Cognito `cognito:groups`. */
const ROLE_CLAIMS = ['roles', 'cognito:groups'] as const;

/**
 * Verifies `Authorization: Bearer <JWT>` against the issuer's JWKS (fetched once, cached and
 * refreshed by jose on an unknown `kid`). Only asymmetric algorithms: a shared-secret JWT
 * would let anyone holding the secret mint users.
 */
export function createTokenVerifier(settings: JwtSettings): TokenVerifier {
  const jwks = createRemoteJWKSet(new URL(settings.jwksUrl));
  return async (authorization) => {
    const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(authorization ?? '');
    if (!authorization) throw new UnauthorizedError('Sign in: send Authorization: Bearer <token>');
    if (!match?.[1]) throw new UnauthorizedError('Authorization must be "Bearer <JWT>"', 'INVALID_TOKEN');
    try {
      const { payload } = await jwtVerify(match[1], jwks, {
        issuer: settings.issuer,
        audience: settings.audience,
        algorithms: ['RS256', 'ES256', 'EdDSA'],
      });
      if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 128) {
        throw new UnauthorizedError('The token has no usable subject', 'INVALID_TOKEN');
      }
      const roles = ROLE_CLAIMS.flatMap((claim) => {
        const value = payload[claim];
        return Array.isArray(value) ? value.filter((r): r is string => typeof r === 'string') : [];
      });
      return { userId: payload.sub, roles };
    } catch (error) {
      if (error instanceof UnauthorizedError) throw error;
      if (error instanceof errors.JWKSTimeout) {
        throw new ServiceUnavailableError('Sign-in keys are unavailable; retry shortly', { cause: error });
      }
      if (error instanceof errors.JWTExpired)
        throw new UnauthorizedError('The token has expired', 'TOKEN_EXPIRED');
      if (error instanceof errors.JOSEError)
        throw new UnauthorizedError('The token is not valid', 'INVALID_TOKEN');
      throw error; // the JWKS endpoint is down: a 500, not the caller's fault
    }
  };
}
