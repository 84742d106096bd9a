import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

/** What a Lambda proxy handler looks like to the emulator: the Middy handlers fit it. */
export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => unknown;

/** The parts of an HTTP request an event is built from, already read off the socket. */
export interface RawRequest {
  readonly method: string;
  /** Path as sent, still percent-encoded. */
  readonly rawPath: string;
  /** Everything after `?`, or '' when there is none. */
  readonly rawQuery: string;
  /** Node's `rawHeaders`: name, value, name, value... with the client's casing and repeats. */
  readonly rawHeaders: readonly string[];
  readonly body: string | null;
  readonly sourceIp: string;
}

export interface EventTarget {
  /** The resource path (`/api/livestream/{streamId}`), API Gateway's `resource`. */
  readonly resource: string;
  readonly pathParameters: Record<string, string> | null;
  readonly stage: string;
  readonly requestId: string;
  readonly now: number;
}

/** Stand-ins for the fields AWS fills with the account and API ids. */
export const LOCAL_ACCOUNT_ID = '000000000000';
export const LOCAL_API_ID = 'local';

/**
 * Builds the REST API (v1) Lambda proxy event as API Gateway would: `path` stays
 * percent-encoded, path and query parameters are decoded, the single-value maps keep the last
 * value of a repeated name, and every "none" is `null`, not `{}`.
 */
export function toProxyEvent(req: RawRequest, target: EventTarget): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  const add = (name: string, value: string) => {
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  };
  let forwardedFor: string | undefined;
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    const value = req.rawHeaders[i + 1] as string;
    if (name.toLowerCase() === 'x-forwarded-for') forwardedFor = value;
    else add(name, value);
  }
  // API Gateway appends the caller to X-Forwarded-For; rate limits keyed on it see the same value.
  add('X-Forwarded-For', forwardedFor ? `${forwardedFor}, ${req.sourceIp}` : req.sourceIp);
  if (!header(headers, 'x-amzn-trace-id')) {
    add(
      'X-Amzn-Trace-Id',
      `Root=1-${Math.floor(target.now / 1000).toString(16)}-${randomBytes(12).toString('hex')}`,
    );
  }

  const { single, multi } = parseQuery(req.rawQuery);
  const host = header(headers, 'host') ?? 'localhost';
  return {
    resource: target.resource,
    path: req.rawPath,
    httpMethod: req.method,
    headers,
    multiValueHeaders,
    queryStringParameters: single,
    multiValueQueryStringParameters: multi,
    pathParameters: target.pathParameters,
    stageVariables: null,
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: LOCAL_API_ID,
      authorizer: undefined,
      domainName: host,
      domainPrefix: host.split('.')[0],
      extendedRequestId: randomBytes(8).toString('base64url'),
      httpMethod: req.method,
      identity: identity(req.sourceIp, header(headers, 'user-agent') ?? null),
      // As behind a custom domain: no stage prefix, because the local URL has none either.
      path: req.rawPath,
      protocol: 'HTTP/1.1',
      requestId: target.requestId,
      requestTime: formatRequestTime(target.now),
      requestTimeEpoch: target.now,
      resourceId: 'local',
      resourcePath: target.resource,
      stage: target.stage,
    },
    body: req.body,
    isBase64Encoded: false,
  };
}

/** Header lookup ignoring case, as HTTP does; the event itself keeps the client's casing. */
function header(headers: Record<string, string>, lowerName: string): string | undefined {
  for (const [name, value] of Object.entries(headers)) if (name.toLowerCase() === lowerName) return value;
  return undefined;
}

function parseQuery(rawQuery: string) {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decodeLoosely(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decodeLoosely(pair.slice(eq + 1));
    single[key] = value;
    multi[key] = [...(multi[key] ?? []), value];
  }
  const none = Object.keys(single).length === 0;
  return { single: none ? null : single, multi: none ? null : multi };
}

/** Percent-decodes; a malformed escape is passed through rather than failing the request. */
function decodeLoosely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function identity(
  sourceIp: string,
  userAgent: string | null,
): APIGatewayProxyEvent['requestContext']['identity'] {
  return {
    accessKey: null,
    accountId: null,
    apiKey: null,
    apiKeyId: null,
    caller: null,
    clientCert: null,
    cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null,
    cognitoIdentityId: null,
    cognitoIdentityPoolId: null,
    principalOrgId: null,
    sourceIp,
    user: null,
    userAgent,
    userArn: null,
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `09/Apr/2015:12:34:56 +0000`, API Gateway's `requestTime` format. */
function formatRequestTime(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}
