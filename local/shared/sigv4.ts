import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { ALGORITHM_IDENTIFIER, getSigningKey, SignatureV4 } from '@smithy/signature-v4';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../constants.ts';
import { decodeLoosely } from './http-io.ts';

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

/**
 * The signing name of the service called: `s3`, or another AWS API (`execute-api` for
 * `@connections`, `scheduler`, `mediaconvert`). S3 signs the path as sent and declares the
 * payload's hash in `x-amz-content-sha256`; every other service escapes the path once more and
 * signs the body's own SHA-256.
 */
export type SigningService = 's3' | 'execute-api' | 'scheduler' | 'mediaconvert';

/** What a request to verify is made of, as it arrived (path and query still percent-encoded). */
export interface SignedRequest {
  /** `s3` when absent. */
  readonly service?: SigningService;
  readonly method: string;
  /** Including the stack's prefix (`/s3`, `/ws`...): the client signed the URL it called. */
  readonly rawPath: string;
  readonly rawQuery: string;
  readonly headers: IncomingHttpHeaders;
  /** The body, for every service but S3: its hash is part of what was signed. */
  readonly body?: Buffer;
}

/** Why a request is refused, in S3's terms (`code`, `status`); other services map them to theirs. */
export interface AuthFailure {
  readonly statusCode: number;
  readonly code: string;
  readonly message: string;
  readonly detail?: Readonly<Record<string, string | number>>;
  /** Not signed at all (S3 says AccessDenied; API Gateway, Missing Authentication Token). */
  readonly anonymous?: true;
}

export type Verdict =
  | { readonly ok: true; readonly presigned: boolean; readonly payloadHash: string }
  | { readonly ok: false; readonly failure: AuthFailure };

type HttpRequestShape = Parameters<SignatureV4['presign']>[0];

const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_EXPIRES_SECONDS = 7 * 24 * 3600;
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** Exposes the canonical request and string to sign the SDK's own signer would build. */
class SignatureCheck extends SignatureV4 {
  constructor(private readonly signingName: SigningService) {
    // S3 signs the path as sent: no normalisation, no second round of URI escaping.
    super({
      service: signingName,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      sha256: Sha256,
      uriEscapePath: signingName !== 's3',
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
    const signature = await localSignature(scope.shortDate, this.signingName, stringToSign);
    return { canonicalRequest, stringToSign, signature };
  }
}

/**
 * HMAC-SHA256 of `data` with the local credentials' signing key for `shortDate` (`20240101`) and
 * `service`, in hex: the last step of every SigV4 signature, and all of a POST policy's.
 */
export async function localSignature(
  shortDate: string,
  service: SigningService,
  data: string,
): Promise<string> {
  const key = await getSigningKey(Sha256, LOCAL_CREDENTIALS, shortDate, LOCAL_REGION, service);
  const hmac = new Sha256(key);
  hmac.update(data);
  return Buffer.from(await hmac.digest()).toString('hex');
}

const checkers = new Map<SigningService, SignatureCheck>();
const checkerFor = (service: SigningService) => {
  const checker = checkers.get(service) ?? new SignatureCheck(service);
  checkers.set(service, checker);
  return checker;
};

export interface Scope {
  readonly accessKeyId: string;
  readonly longDate: string;
  readonly shortDate: string;
  readonly region: string;
  readonly service: string;
  /** `20240101/us-east-1/s3/aws4_request` */
  readonly text: string;
}

/**
 * Verifies a request's SigV4 signature, signed with the local stack's credentials for its
 * service, in both forms: presigned URLs (the query's `X-Amz-*`, expiry included) and the SDK's
 * `Authorization` header (within 15 minutes of `x-amz-date`). Anonymous requests are refused: S3's
 * bucket blocks public access, and the other APIs take IAM-signed calls only, as on AWS.
 *
 * For S3 only the signature is checked, never a signed payload hash against the body (S3's
 * XAmzContentSHA256Mismatch), nor the chunk signatures of a streaming upload: the body is already
 * on its way to s3rver by then. For the others the body is at hand and its hash is signed.
 */
export async function verifySignature(req: SignedRequest, now = Date.now()): Promise<Verdict> {
  const query = parseQuery(req.rawQuery);
  const authorization = header(req.headers, 'authorization');
  if (query.has('X-Amz-Algorithm')) {
    if (authorization) return fail(bothMechanisms());
    return verifyPresigned(req, query, now);
  }
  if (authorization) return verifyHeader(req, query, authorization, now);
  return fail({ ...failure(403, 'AccessDenied', 'Access Denied'), anonymous: true });
}

const serviceOf = (req: SignedRequest): SigningService => req.service ?? 's3';

/** What the client signed as the payload: S3's declared hash, or the body's own SHA-256. */
function payloadHashOf(req: SignedRequest, declared: string | undefined): string | undefined {
  if (serviceOf(req) === 's3') return declared;
  return createHash('sha256')
    .update(req.body ?? Buffer.alloc(0))
    .digest('hex');
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
  const scope = parseScope(credential, date, serviceOf(req));
  if ('failure' in scope) return fail(scope.failure);
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
      failure(403, 'AccessDenied', 'Request has expired', {
        'X-Amz-Expires': expires,
        Expires: isoSeconds(signedAt + expires * 1000),
        ServerTime: isoSeconds(now),
      }),
    );
  }
  if (signedAt - now > MAX_SKEW_MS) return fail(failure(403, 'AccessDenied', 'Request is not valid yet'));
  const payloadHash = payloadHashOf(req, param('X-Amz-Content-Sha256') ?? UNSIGNED_PAYLOAD) as string;
  return compare(req, query, scope, signedText.split(';'), payloadHash, signature, true);
}

async function verifyHeader(req: SignedRequest, query: Query, authorization: string, now: number) {
  const match =
    /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]+)\s*$/.exec(
      authorization,
    );
  if (!match) {
    return fail(
      failure(
        400,
        'AuthorizationHeaderMalformed',
        'The authorization header is malformed; the authorization header requires three components: ' +
          'Credential, SignedHeaders, and Signature.',
      ),
    );
  }
  const [, credential = '', signedText = '', signature = ''] = match;
  const date = header(req.headers, 'x-amz-date') ?? '';
  const scope = parseScope(credential, date, serviceOf(req));
  if ('failure' in scope) return fail(scope.failure);
  const signedAt = parseAmzDate(date);
  if (signedAt === undefined) {
    return fail(
      failure(403, 'AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header'),
    );
  }
  if (Math.abs(now - signedAt) > MAX_SKEW_MS) {
    return fail(
      failure(
        403,
        'RequestTimeTooSkewed',
        'The difference between the request time and the current time is too large.',
        { RequestTime: date, ServerTime: isoSeconds(now), MaxAllowedSkewMilliseconds: MAX_SKEW_MS },
      ),
    );
  }
  const payloadHash = payloadHashOf(req, header(req.headers, 'x-amz-content-sha256'));
  if (!payloadHash) {
    return fail(
      failure(400, 'InvalidRequest', 'Missing required header for this request: x-amz-content-sha256'),
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
  const expected = await checkerFor(serviceOf(req)).expected(request, signed, payloadHash, scope);
  if (expected.signature === provided) return { ok: true, presigned, payloadHash };
  const bytes = (text: string) =>
    Buffer.from(text)
      .toString('hex')
      .replace(/(..)(?!$)/g, '$1 ');
  return fail(
    failure(
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
export function parseScope(
  credential: string,
  longDate: string,
  expected: SigningService,
): Scope | { failure: AuthFailure } {
  const parts = credential.split('/');
  const [accessKeyId = '', shortDate = '', region = '', service = '', terminator = ''] = parts;
  if (parts.length !== 5 || terminator !== 'aws4_request') {
    return {
      failure: failure(400, 'AuthorizationHeaderMalformed', `The credential ${credential} is malformed.`),
    };
  }
  if (accessKeyId !== LOCAL_CREDENTIALS.accessKeyId) {
    return {
      failure: failure(
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
      failure: failure(
        400,
        'AuthorizationHeaderMalformed',
        `The authorization header is malformed; the region '${region}' is wrong; expecting '${LOCAL_REGION}'`,
        { Region: LOCAL_REGION },
      ),
    };
  }
  if (service !== expected || shortDate !== longDate.slice(0, 8)) {
    return {
      failure: failure(
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
    const name = decodeLoosely(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decodeLoosely(pair.slice(eq + 1));
    query.set(name, [...(query.get(name) ?? []), value]);
  }
  return query;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(',') : value;
}

const canonicalValue = (value: string | undefined) => (value ?? '').replace(/\s+/g, ' ').trim();

/** `20240101T120000Z` to epoch ms. */
export function parseAmzDate(text: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  return Date.UTC(y as number, (mo as number) - 1, d, h, mi, s);
}

export const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const failure = (
  statusCode: number,
  code: string,
  message: string,
  detail?: Readonly<Record<string, string | number>>,
): AuthFailure => ({ statusCode, code, message, ...(detail && { detail }) });

const queryError = (message: string) => failure(400, 'AuthorizationQueryParametersError', message);

const bothMechanisms = () =>
  failure(
    400,
    'InvalidArgument',
    'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string ' +
      'parameter or the Authorization header should be specified',
    { ArgumentName: 'Authorization' },
  );

const fail = (reason: AuthFailure): Verdict => ({ ok: false, failure: reason });
