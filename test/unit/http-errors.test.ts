import { describe, expect, it, vi } from 'vitest';
import {
  ConflictError,
  ServiceUnavailableError,
  UnauthorizedError,
  ValidationError,
} from '../../functions/core/errors.ts';
import { errorResponse } from '../../functions/http/http-errors.ts';

describe('errorResponse', () => {
  it('maps each domain error to its status with the {error:{code,message,details}} body', () => {
    const res = errorResponse(new ConflictError('full', 'STREAM_FULL', { maxViewers: 2 }), 'r1');
    expect(res.statusCode).toBe(409);
    expect(JSON.parse(res.body)).toEqual({
      error: { code: 'STREAM_FULL', message: 'full', details: { maxViewers: 2 } },
    });
    expect(errorResponse(new ValidationError('bad'), 'r1').statusCode).toBe(400);
  });

  it('tells a throttled caller when to retry', () => {
    const res = errorResponse(new ServiceUnavailableError('busy', { retryAfterSeconds: 2 }), 'r1');
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['Retry-After']).toBe('2');
  });

  it('names the bearer error on 401', () => {
    const res = errorResponse(new UnauthorizedError('expired', 'TOKEN_EXPIRED'), 'r1');
    expect(res.headers?.['WWW-Authenticate']).toBe('Bearer error="token_expired"');
  });

  it('answers anything else with 500 and no internals, and logs it with the request id', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = errorResponse(new TypeError('secret internals at db.ts:42'), 'req-7');
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret internals');
    expect(JSON.parse(res.body)).toEqual({
      error: { code: 'INTERNAL', message: 'Internal server error', requestId: 'req-7' },
    });
    expect(spy.mock.calls[0]?.[0]).toContain('req-7');
    spy.mockRestore();
  });
});
