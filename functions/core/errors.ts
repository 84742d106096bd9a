/**
 * Domain errors. Each carries a stable machine-readable `code`; the one mapper in
 * `functions/http/http-errors.ts` turns them into HTTP statuses. Messages are written for the
 * API caller and never contain internals.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  readonly details?: Record<string, unknown>;

  constructor(message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, { cause: options?.cause });
    this.name = new.target.name;
    this.details = options?.details;
  }
}

/** The request is malformed: bad JSON, a field of the wrong type or size. */
export class ValidationError extends DomainError {
  readonly code: string;
  constructor(message: string, details?: Record<string, unknown>, code = 'VALIDATION_FAILED') {
    super(message, { details });
    this.code = code;
  }
}

export class PayloadTooLargeError extends DomainError {
  readonly code = 'PAYLOAD_TOO_LARGE';
}

export class UnsupportedMediaTypeError extends DomainError {
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
}

/** No credentials, or credentials that do not verify. */
export class UnauthorizedError extends DomainError {
  readonly code: string;
  constructor(message: string, code: 'UNAUTHORIZED' | 'TOKEN_EXPIRED' | 'INVALID_TOKEN' = 'UNAUTHORIZED') {
    super(message);
    this.code = code;
  }
}

/** Authenticated, but not allowed to do this to this resource. */
export class ForbiddenError extends DomainError {
  readonly code: string;
  constructor(message: string, code = 'FORBIDDEN') {
    super(message);
    this.code = code;
  }
}

export class NotFoundError extends DomainError {
  readonly code: string;
  constructor(message: string, code = 'NOT_FOUND') {
    super(message);
    this.code = code;
  }
}

/** The resource is in a state that does not allow the action (wrong lifecycle state, full). */
export class ConflictError extends DomainError {
  readonly code: string;
  constructor(message: string, code: string, details?: Record<string, unknown>) {
    super(message, { details });
    this.code = code;
  }
}

/** A dependency is overloaded (DynamoDB throttling after the SDK's retries); safe to retry. */
export class ServiceUnavailableError extends DomainError {
  readonly code = 'SERVICE_UNAVAILABLE';
  readonly retryAfterSeconds: number;
  constructor(message: string, options: { cause?: unknown; retryAfterSeconds?: number } = {}) {
    super(message, { cause: options.cause });
    this.retryAfterSeconds = options.retryAfterSeconds ?? 1;
  }
}

/** Too many requests from this caller; `retryAfterMs` says when the next one would pass. */
export class RateLimitedError extends DomainError {
  readonly code: string;
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number, code = 'RATE_LIMITED') {
    super(message, { details: { retryAfterMs } });
    this.code = code;
    this.retryAfterMs = retryAfterMs;
  }
}
