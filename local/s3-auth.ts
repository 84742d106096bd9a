import type { IncomingHttpHeaders } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { ALGORITHM_IDENTIFIER, getSigningKey, SignatureV4 } from '@smithy/signature-v4';
import { accessDenied, s3Error } from './s3-errors.ts';
import { LOCAL_REGION } from './stream-records.ts';

/** The dummy keys every local client signs with (the handlers' `AWS_ACCESS_KEY_ID`/`SECRET`). */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** The query parameters of a presigned (query-string SigV4) request; s3rver never sees them. */
export const AUTH_QUERY_PARAMS = new Set([
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
]);

/** What a request to verify is made of, as it arrived (path and query still percent-encoded). */
export interface SignedRequest {
  readonly method: string;
  /** Including the stack's `/s3` prefix: the client signed the URL it called. */
  readonly rawPath: string;
  readonly rawQuery: string;
  readonly headers: IncomingHttpHeaders;
}

export type Verdict =
  | { readonly ok: true; readonly presigned: boolean; readonly payloadHash: string }
  | { readonly ok: false; readonly response: ReturnType<typeof s3Error> };

type HttpRequestShape = Parameters<SignatureV4['presign']>[0];

const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_EXPIRES_SECONDS = 7 * 24 * 3600;
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** Exposes the canonical request and string to sign the SDK's own signer would build. */
class SignatureCheck extends SignatureV4 {
  constructor() {
    // S3 signs the path as sent: no normalisation, no second round of URI escaping.
    super({
      service: 's3',
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      sha256: Sha256,
      uriEscapePath: false,
    });
  }

  async expected(request: HttpRequestShape, signed: readonly string[], payloadHash: string, scope: Scope) {
    const headers = Object.fromEntries(signed.map((name) => [name, canonicalValue(request.headers[name])]));
    const canonicalRequest = this.createCanonicalRequest(request, headers, payloadHash);
    const stringToSign = await this.createStringToSign(
      scope.longDate,
      scope.text,
      canonicalRequest,
      ALGORITHM_IDENTIFIER,
    );
    const key = await getSigningKey(Sha256, LOCAL_CREDENTIALS, scope.shortDate, LOCAL_REGION, 's3');
    const hmac = new Sha256(key);
    hmac.update(stringToSign);
    const signature = Buffer.from(await hmac.digest()).toString('hex');
    return { canonicalRequest, stringToSign, signature };
  }
}

const checker = new SignatureCheck();

interface Scope {
  readonly accessKeyId: string;
  readonly longDate: string;
  readonly shortDate: string;
  readonly region: string;
  readonly service: string;
  /** `20240101/us-east-1/s3/aws4_request` */
  readonly text: string;
}

/**
 * Verifies a request's SigV4 signature as S3 does, for both forms: presigned URLs (the query's
 * `X-Amz-*`, expiry included) and the SDK's `Authorization` header (within 15 minutes of
 * `x-amz-date`). Only the signature is checked, never a signed payload hash against the body
 * (S3's XAmzContentSHA256Mismatch), nor the chunk signatures of a streaming upload: the body is
 * already on its way to s3rver by then. Anonymous requests are refused: the bucket blocks public
 * access, as on AWS.
 */
export async function verifySignature(req: SignedRequest, now = Date.now()): Promise<Verdict> {
  const query = parseQuery(req.rawQuery);
  const authorization = header(req.headers, 'authorization');
  if (query.has('X-Amz-Algorithm')) {
    if (authorization) return fail(bothMechanisms());
    return verifyPresigned(req, query, now);
  }
  if (authorization) return verifyHeader(req, query, authorization, now);
  return fail(accessDenied());
}

async function verifyPresigned(req: SignedRequest, query: Query, now: number): Promise<Verdict> {
  const param = (name: string) => query.get(name)?.[0];
  if (param('X-Amz-Algorithm') !== ALGORITHM_IDENTIFIER) {
    return fail(queryError('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"'));
  }
  const [credential, date, expiresText, signedText, signature] = [
    'X-Amz-Credential',
    'X-Amz-Date',
    'X-Amz-Expires',
    'X-Amz-SignedHeaders',
    'X-Amz-Signature',
  ].map(param);
  if (!credential || !date || !expiresText || !signedText || !signature) {
    return fail(
      queryError(
        'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, ' +
          'X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
      ),
    );
  }
  const scope = parseScope(credential, date);
  if ('response' in scope) return fail(scope.response);
  const expires = Number(expiresText);
  if (!Number.isInteger(expires) || expires < 1) {
    return fail(queryError('X-Amz-Expires should be a number'));
  }
  if (expires > MAX_EXPIRES_SECONDS) {
    return fail(queryError('X-Amz-Expires must be less than a week (in seconds) that is; 604800'));
  }
  const signedAt = parseAmzDate(date);
  if (signedAt === undefined) return fail(queryError('X-Amz-Date must be in the ISO8601 Long Format'));
  if (now > signedAt + expires * 1000) {
    return fail(
      s3Error(403, 'AccessDenied', 'Request has expired', {
        'X-Amz-Expires': expires,
        Expires: isoSeconds(signedAt + expires * 1000),
        ServerTime: isoSeconds(now),
      }),
    );
  }
  if (signedAt - now > MAX_SKEW_MS) return fail(s3Error(403, 'AccessDenied', 'Request is not valid yet'));
  const payloadHash = param('X-Amz-Content-Sha256') ?? UNSIGNED_PAYLOAD;
  return compare(req, query, scope, signedText.split(';'), payloadHash, signature, true);
}

async function verifyHeader(req: SignedRequest, query: Query, authorization: string, now: number) {
  const match =
    /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]+)\s*$/.exec(
      authorization,
    );
  if (!match) {
    return fail(
      s3Error(
        400,
        'AuthorizationHeaderMalformed',
        'The authorization header is malformed; the authorization header requires three components: ' +
          'Credential, SignedHeaders, and Signature.',
      ),
    );
  }
  const [, credential = '', signedText = '', signature = ''] = match;
  const date = header(req.headers, 'x-amz-date') ?? '';
  const scope = parseScope(credential, date);
  if ('response' in scope) return fail(scope.response);
  const signedAt = parseAmzDate(date);
  if (signedAt === undefined) {
    return fail(
      s3Error(403, 'AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header'),
    );
  }
  if (Math.abs(now - signedAt) > MAX_SKEW_MS) {
    return fail(
      s3Error(
        403,
        'RequestTimeTooSkewed',
        'The difference between the request time and the current time is too large.',
        { RequestTime: date, ServerTime: isoSeconds(now), MaxAllowedSkewMilliseconds: MAX_SKEW_MS },
      ),
    );
  }
  const payloadHash = header(req.headers, 'x-amz-content-sha256');
  if (!payloadHash) {
    return fail(
      s3Error(400, 'InvalidRequest', 'Missing required header for this request: x-amz-content-sha256'),
    );
  }
  return compare(req, query, scope, signedText.split(';'), payloadHash, signature, false);
}

async function compare(
  req: SignedRequest,
  query: Query,
  scope: Scope,
  signed: string[],
  payloadHash: string,
  provided: string,
  presigned: boolean,
): Promise<Verdict> {
  const request: HttpRequestShape = {
    method: req.method,
    protocol: 'http:',
    hostname: '',
    path: req.rawPath,
    query: Object.fromEntries(
      [...query].map(([name, values]) => [name, values.length === 1 ? (values[0] as string) : values]),
    ),
    headers: Object.fromEntries(signed.map((name) => [name, header(req.headers, name) ?? ''])),
  };
  const expected = await checker.expected(request, signed, payloadHash, scope);
  if (expected.signature === provided) return { ok: true, presigned, payloadHash };
  const bytes = (text: string) =>
    Buffer.from(text)
      .toString('hex')
      .replace(/(..)(?!$)/g, '$1 ');
  return fail(
    s3Error(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      {
        AWSAccessKeyId: scope.accessKeyId,
        StringToSign: expected.stringToSign,
        SignatureProvided: provided,
        StringToSignBytes: bytes(expected.stringToSign),
        CanonicalRequest: expected.canonicalRequest,
        CanonicalRequestBytes: bytes(expected.canonicalRequest),
      },
    ),
  );
}

/** `local/20240101/us-east-1/s3/aws4_request`, checked against the key, date, region and service. */
function parseScope(credential: string, longDate: string): Scope | { response: ReturnType<typeof s3Error> } {
  const parts = credential.split('/');
  const [accessKeyId = '', shortDate = '', region = '', service = '', terminator = ''] = parts;
  if (parts.length !== 5 || terminator !== 'aws4_request') {
    return {
      response: s3Error(400, 'AuthorizationHeaderMalformed', `The credential ${credential} is malformed.`),
    };
  }
  if (accessKeyId !== LOCAL_CREDENTIALS.accessKeyId) {
    return {
      response: s3Error(
        403,
        'InvalidAccessKeyId',
        'The AWS Access Key Id you provided does not exist in our records.',
        {
          AWSAccessKeyId: accessKeyId,
        },
      ),
    };
  }
  if (region !== LOCAL_REGION) {
    return {
      response: s3Error(
        400,
        'AuthorizationHeaderMalformed',
        `The authorization header is malformed; the region '${region}' is wrong; expecting '${LOCAL_REGION}'`,
        { Region: LOCAL_REGION },
      ),
    };
  }
  if (service !== 's3' || shortDate !== longDate.slice(0, 8)) {
    return {
      response: s3Error(
        400,
        'AuthorizationHeaderMalformed',
        `The authorization header is malformed; incorrect service "${service}" or date "${shortDate}".`,
      ),
    };
  }
  return { accessKeyId, longDate, shortDate, region, service, text: parts.slice(1).join('/') };
}

type Query = Map<string, string[]>;

/** Percent-decoded, `+` kept as is (SigV4 clients encode a space as `%20`), repeats kept. */
export function parseQuery(rawQuery: string): Query {
  const query: Query = new Map();
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    query.set(name, [...(query.get(name) ?? []), value]);
  }
  return query;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(',') : value;
}

const canonicalValue = (value: string | undefined) => (value ?? '').replace(/\s+/g, ' ').trim();

/** `20240101T120000Z` to epoch ms. */
function parseAmzDate(text: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  return Date.UTC(y as number, (mo as number) - 1, d, h, mi, s);
}

const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const queryError = (message: string) => s3Error(400, 'AuthorizationQueryParametersError', message);

const bothMechanisms = () =>
  s3Error(
    400,
    'InvalidArgument',
    'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string ' +
      'parameter or the Authorization header should be specified',
    { ArgumentName: 'Authorization' },
  );

const fail = (response: ReturnType<typeof s3Error>): Verdict => ({ ok: false, response });
