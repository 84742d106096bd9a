import { randomUUID } from 'node:crypto';
import type { EmulatorListener, EmulatorLogger, HttpResponse } from '../constants.ts';
import { loggable, readBytes, splitUrl, writeResponse } from './http-io.ts';
import { type AuthFailure, type SigningService, verifySignature } from './sigv4.ts';

/** One call to an AWS service API, read off the socket. */
export interface AwsRequest {
  readonly method: string;
  /** Still percent-encoded: labels are decoded by whoever knows the path template. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: Buffer;
}

/** A rest-json success: JSON body, or none (the SDK accepts an empty 200/204). */
export function awsResponse(statusCode: number, body?: unknown): HttpResponse {
  const bytes = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body));
  return { statusCode, headers: { 'Content-Type': ['application/json'] }, body: bytes };
}

/**
 * A rest-json error as AWS sends it: the SDK takes the error's name from `x-amzn-ErrorType`
 * (so `err.name === 'GoneException'`) and its fields from the body, with the member names of
 * each service's model (`message` for API Gateway management, `Message` for Scheduler).
 */
export function awsError(statusCode: number, type: string, body: Record<string, string>): HttpResponse {
  const response = awsResponse(statusCode, body);
  response.headers['x-amzn-ErrorType'] = [type];
  return response;
}

/**
 * The refusal of an unsigned or wrongly signed call, as AWS's JSON APIs answer it (API Gateway's
 * `@connections` among them): 403 with the exception the SDK names the error after.
 */
function signatureError(failure: AuthFailure): HttpResponse {
  if (failure.anonymous) {
    return awsError(403, 'MissingAuthenticationTokenException', { message: 'Missing Authentication Token' });
  }
  const type =
    {
      SignatureDoesNotMatch: 'InvalidSignatureException',
      InvalidAccessKeyId: 'UnrecognizedClientException',
      RequestTimeTooSkewed: 'InvalidSignatureException',
      AccessDenied: 'InvalidSignatureException',
    }[failure.code] ?? 'IncompleteSignatureException';
  return awsError(403, type, { message: failure.message });
}

export interface AwsListenerOptions {
  readonly maxBytes: number;
  /** The name the service's SDK client signs with: every call must carry its SigV4 signature. */
  readonly signing: Exclude<SigningService, 's3'>;
  readonly logger: EmulatorLogger;
}

/**
 * A node:http listener for a stand-in AWS API: reads the body (up to `maxBytes`, 413 past it),
 * verifies the SigV4 signature of the local stack's credentials as AWS requires IAM-signed
 * calls (so a web page open in the developer's browser cannot call it), answers with what
 * `handle` returns, adds a request id, and turns a bug in `handle` into a 500.
 */
export function awsListener(
  service: string,
  handle: (req: AwsRequest) => HttpResponse | Promise<HttpResponse>,
  options: AwsListenerOptions,
): EmulatorListener {
  return async (req, res) => {
    const started = Date.now();
    const [path, query] = splitUrl(req.url ?? '/');
    const method = req.method ?? 'GET';
    let response: HttpResponse;
    try {
      const body = await readBytes(req, options.maxBytes);
      if (body === undefined) {
        // Over the limit the body was not kept, so its signature cannot be checked: nothing is done.
        response = awsError(413, 'PayloadTooLargeException', {
          message: `Request body is larger than ${options.maxBytes} bytes`,
        });
      } else {
        const signature = { service: options.signing, method, rawPath: path, rawQuery: query, body };
        const verdict = await verifySignature({ ...signature, headers: req.headers });
        response = verdict.ok
          ? await handle({ method, path, query: new URLSearchParams(query), body })
          : signatureError(verdict.failure);
      }
    } catch (err) {
      options.logger.error(`${service} failed on ${req.method} ${loggable(req.url)}`, err);
      response = awsError(500, 'InternalServerException', { message: 'Internal error' });
    }
    response.headers['x-amzn-RequestId'] = [randomUUID()];
    writeResponse(res, response);
    options.logger.info(
      `${service} ${req.method} ${path} -> ${response.statusCode} ${Date.now() - started}ms`,
    );
  };
}
