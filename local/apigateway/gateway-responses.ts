import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { cors, gatewayErrors } from '../../functions/manifest.ts';
import type { HttpResponse } from '../constants.ts';

/** The gateway errors the CDK stack configures (one definition, in the manifest). */
export const GATEWAY_ERRORS = {
  ...gatewayErrors,
  /** The 29 s integration timeout: API Gateway's 504 with the same fixed 5xx body. */
  timeout: { ...gatewayErrors.internal, statusCode: 504 },
} as const;

/**
 * The preflight the CDK's `defaultCorsPreflightOptions` answers on every resource: any origin,
 * `Cors.ALL_METHODS`, the manifest's headers and cache time.
 */
export const CORS_PREFLIGHT_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'OPTIONS,GET,PUT,POST,DELETE,PATCH,HEAD',
  'Access-Control-Allow-Headers': cors.allowHeaders.join(','),
  'Access-Control-Max-Age': String(cors.maxAgeSeconds),
} as const;

/** A gateway error in the service's `{error:{code, message}}` shape, readable cross-origin. */
export function gatewayError(error: { statusCode: number; code: string; message: string }): HttpResponse {
  const { statusCode, code, message } = error;
  return {
    statusCode,
    headers: { 'Content-Type': ['application/json'], 'Access-Control-Allow-Origin': ['*'] },
    body: Buffer.from(JSON.stringify({ error: { code, message } })),
  };
}

/** The answer of the mock OPTIONS method CORS adds to each resource. */
export function preflight(): HttpResponse {
  const headers = Object.entries(CORS_PREFLIGHT_HEADERS).map(([name, value]) => [name, [value]]);
  return { statusCode: 204, headers: Object.fromEntries(headers), body: Buffer.alloc(0) };
}

type Scalar = string | number | boolean;
const isScalar = (v: unknown): v is Scalar => ['string', 'number', 'boolean'].includes(typeof v);
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Turns a handler's return value into a response, or `undefined` when API Gateway would reject
 * it as a malformed proxy response (and answer 502): no integer `statusCode`, a `body` that is
 * not a string, header values that are not scalars.
 */
export function fromProxyResult(result: unknown): HttpResponse | undefined {
  if (!isRecord(result)) return undefined;
  const { statusCode, body, headers = {}, multiValueHeaders = {}, isBase64Encoded = false } = result;
  if (
    typeof statusCode !== 'number' ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    return undefined;
  }
  if (body !== undefined && body !== null && typeof body !== 'string') return undefined;
  if (!isRecord(headers) || !isRecord(multiValueHeaders) || typeof isBase64Encoded !== 'boolean')
    return undefined;

  // API Gateway merges both maps; a name/value pair present in both appears once.
  const merged = new Map<string, { name: string; values: string[] }>();
  const put = (name: string, value: Scalar) => {
    const entry = merged.get(name.toLowerCase()) ?? { name, values: [] };
    if (!entry.values.includes(String(value))) entry.values.push(String(value));
    merged.set(name.toLowerCase(), entry);
  };
  for (const [name, values] of Object.entries(multiValueHeaders)) {
    if (!Array.isArray(values) || !values.every(isScalar)) return undefined;
    for (const value of values) put(name, value);
  }
  for (const [name, value] of Object.entries(headers)) {
    if (!isScalar(value)) return undefined;
    put(name, value);
  }
  // Without a Content-Type from the handler, API Gateway sends application/json.
  if (!merged.has('content-type'))
    merged.set('content-type', { name: 'Content-Type', values: ['application/json'] });

  const text = typeof body === 'string' ? body : '';
  return {
    statusCode,
    headers: Object.fromEntries([...merged.values()].map(({ name, values }) => [name, values])),
    body: isBase64Encoded ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8'),
  };
}

const UPGRADE_REFUSALS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  500: 'Internal server error',
  503: 'Service Unavailable',
};

/**
 * Answers a WebSocket upgrade with a plain HTTP error and drops the socket, as API Gateway does
 * when the authorizer or `$connect` refuses: `{"message": ...}` with the status. No-op when the
 * socket is already gone.
 */
export function refuseUpgrade(socket: Duplex, statusCode: number): void {
  if (socket.destroyed) return;
  const reason = STATUS_CODES[statusCode] ?? 'Error';
  const body = JSON.stringify({ message: UPGRADE_REFUSALS[statusCode] ?? reason });
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${statusCode} ${reason}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
