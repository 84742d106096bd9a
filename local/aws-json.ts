import { randomUUID } from 'node:crypto';
import type { EmulatorListener, EmulatorLogger } from './emulator.ts';
import type { HttpResponse } from './gateway-responses.ts';
import { readBytes, writeResponse } from './http-io.ts';
import { loggable, splitUrl } from './request-maps.ts';

/** One call to an AWS service API, read off the socket. */
export interface AwsRequest {
  readonly method: string;
  /** Still percent-encoded: labels are decoded by whoever knows the path template. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Undefined when it was over the listener's size limit. */
  readonly body: Buffer | undefined;
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
 * A node:http listener for a stand-in AWS API: reads the body (up to `maxBytes`), answers with
 * what `handle` returns, adds a request id, and turns a bug in `handle` into a 500.
 */
export function awsListener(
  service: string,
  handle: (req: AwsRequest) => HttpResponse | Promise<HttpResponse>,
  options: { maxBytes: number; logger: EmulatorLogger },
): EmulatorListener {
  return async (req, res) => {
    const started = Date.now();
    const [path, query] = splitUrl(req.url ?? '/');
    let response: HttpResponse;
    try {
      const body = await readBytes(req, options.maxBytes);
      response = await handle({ method: req.method ?? 'GET', path, query: new URLSearchParams(query), body });
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
