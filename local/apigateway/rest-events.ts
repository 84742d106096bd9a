import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID } from '../constants.ts';
import { findHeader, formatRequestTime, headerMaps, parseQuery } from './request-maps.ts';

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

/** Stands in for the API id AWS fills into events and ARNs (the account's is `LOCAL_ACCOUNT_ID`). */
export const LOCAL_API_ID = 'local';

/**
 * Builds the REST API (v1) Lambda proxy event as API Gateway would: `path` stays
 * percent-encoded, path and query parameters are decoded, the single-value maps keep the last
 * value of a repeated name, and every "none" is `null`, not `{}`.
 */
export function toProxyEvent(req: RawRequest, target: EventTarget): APIGatewayProxyEvent {
  const headers = headerMaps(req.rawHeaders, req.sourceIp, target.now);
  const query = parseQuery(req.rawQuery);
  const host = findHeader(headers.single, 'host') ?? 'localhost';
  return {
    resource: target.resource,
    path: req.rawPath,
    httpMethod: req.method,
    headers: headers.single,
    multiValueHeaders: headers.multi,
    queryStringParameters: query?.single ?? null,
    multiValueQueryStringParameters: query?.multi ?? null,
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
      identity: identity(req.sourceIp, findHeader(headers.single, 'user-agent') ?? null),
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
