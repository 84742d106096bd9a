import type { IncomingHttpHeaders } from 'node:http';
import type { HttpResponse } from '../constants.ts';
import { s3Error } from './s3-errors.ts';

/**
 * The recordings bucket's one CORS rule, as lib/constructs/media.ts configures it on AWS: a
 * browser PUTs recording parts and POSTs live uploads (POST Object) from any origin with any
 * headers, and reads each part's ETag.
 */
export const BUCKET_CORS_RULE = {
  allowedMethods: ['PUT', 'POST'],
  exposedHeaders: ['ETag'],
  maxAgeSeconds: 3600,
} as const;

const VARY = 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method';

const header = (headers: IncomingHttpHeaders, name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

/**
 * S3's answer to a preflight: the rule's headers when the method is allowed (the requested
 * headers echoed, as S3 does for `AllowedHeaders: *`), 403 when no rule matches, 400 when the
 * request is no preflight at all.
 */
export function preflight(headers: IncomingHttpHeaders): HttpResponse {
  const origin = header(headers, 'origin');
  const method = header(headers, 'access-control-request-method');
  if (!origin) return s3Error(400, 'BadRequest', 'Insufficient information. Origin request header needed.');
  if (!method) return s3Error(400, 'BadRequest', 'Invalid Access-Control-Request-Method: null');
  if (!(BUCKET_CORS_RULE.allowedMethods as readonly string[]).includes(method)) {
    const refusal = s3Error(
      403,
      'AccessForbidden',
      'CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, ' +
        "request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
      { Method: method, ResourceType: 'OBJECT' },
    );
    refusal.headers.Vary = [VARY];
    return refusal;
  }
  const requested = header(headers, 'access-control-request-headers');
  return {
    statusCode: 200,
    headers: {
      ...corsHeaders(),
      ...(requested && { 'Access-Control-Allow-Headers': [requested] }),
    },
    body: Buffer.alloc(0),
  };
}

/**
 * The CORS headers S3 adds to an actual request that matches the rule (an Origin, a PUT or POST),
 * errors included; `Vary` alone otherwise, as a bucket with a CORS configuration does.
 */
export function corsFor(method: string, headers: IncomingHttpHeaders): Record<string, string[]> {
  if (!header(headers, 'origin')) return {};
  if (!(BUCKET_CORS_RULE.allowedMethods as readonly string[]).includes(method)) return { Vary: [VARY] };
  return corsHeaders();
}

function corsHeaders(): Record<string, string[]> {
  return {
    'Access-Control-Allow-Origin': ['*'],
    'Access-Control-Allow-Methods': [BUCKET_CORS_RULE.allowedMethods.join(', ')],
    'Access-Control-Expose-Headers': [BUCKET_CORS_RULE.exposedHeaders.join(', ')],
    'Access-Control-Max-Age': [String(BUCKET_CORS_RULE.maxAgeSeconds)],
    Vary: [VARY],
  };
}
