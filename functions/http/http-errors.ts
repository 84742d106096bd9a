import { DomainError, RateLimitedError, ServiceUnavailableError, UnauthorizedError } from '../core/errors.ts';
import { log } from '../log.ts';
import { type HttpResult, json } from './responses.ts';

const STATUS: Record<string, number> = {
  ValidationError: 400,
  UnauthorizedError: 401,
  ForbiddenError: 403,
  NotFoundError: 404,
  ConflictError: 409,
  PayloadTooLargeError: 413,
  UnsupportedMediaTypeError: 415,
  RateLimitedError: 429,
  ServiceUnavailableError: 503,
};

/**
 * The one place errors become HTTP responses: `{error: {code, message, details?}}`. Anything
 * that is not a DomainError is a bug or an outage: logged with the request id, answered 500
 * without internals.
 */
export function errorResponse(error: unknown, requestId: string): HttpResult {
  if (error instanceof DomainError && STATUS[error.name]) {
    const headers: Record<string, string> = {};
    if (error instanceof ServiceUnavailableError) headers['Retry-After'] = String(error.retryAfterSeconds);
    if (error instanceof RateLimitedError)
      headers['Retry-After'] = String(Math.max(1, Math.ceil(error.retryAfterMs / 1000)));
    if (error instanceof UnauthorizedError)
      headers['WWW-Authenticate'] = `Bearer error="${error.code.toLowerCase()}"`;
    const body = {
      code: error.code,
      message: error.message,
      ...(error.details && { details: error.details }),
    };
    return json(STATUS[error.name] ?? 500, { error: body }, headers);
  }
  log.error('unhandled error', { requestId, error });
  return json(500, { error: { code: 'INTERNAL', message: 'Internal server error', requestId } });
}
