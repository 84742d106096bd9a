import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { EmulatorLogger, HttpResponse } from '../constants.ts';

/**
 * The body as bytes, undefined when it is over `limit`. An oversize body is still read to the
 * end, without being kept: answering before the client has finished sending makes many clients
 * report a connection reset instead of the 413.
 */
export async function readBytes(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  return size > limit ? undefined : Buffer.concat(chunks);
}

/** The caller's IPv4 address without the IPv4-mapped-IPv6 prefix, as API Gateway reports it. */
export function clientIp(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

export function writeResponse(res: ServerResponse, response: HttpResponse): void {
  // The client may have gone away while the handler ran.
  if (res.headersSent || res.destroyed) return;
  res.statusCode = response.statusCode;
  for (const [name, values] of Object.entries(response.headers)) res.setHeader(name, values);
  res.setHeader('Content-Length', response.body.length);
  res.end(response.body);
}

/** Splits a request target into path and query ('' when there is none). */
export function splitUrl(url: string): [path: string, query: string] {
  const at = url.indexOf('?');
  return at < 0 ? [url, ''] : [url.slice(0, at), url.slice(at + 1)];
}

/**
 * A request target as log lines may show it: the path only. A query string can hold a
 * credential (a signaling ticket, a presigned URL's signature, a cursor), so it never reaches a log.
 */
export const loggable = (url: string | undefined): string => splitUrl(url ?? '/')[0];

/** Percent-decodes; a malformed escape is passed through rather than failing the request. */
export function decodeLoosely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export interface LoggedListenerOptions {
  /** Names the stand-in in its log lines (`S3 GET /s3/... -> 200 3ms`). */
  readonly name: string;
  /** Names it in the failure line instead, where that differs. */
  readonly failureName?: string;
  readonly logger: EmulatorLogger;
  /** Answers a request `serve` failed on before answering; once it had begun, the socket is dropped. */
  readonly failure: (res: ServerResponse) => void;
}

/**
 * A mounted stand-in's request listener around `serve`: a failure is logged and answered, and
 * every request gets one log line. Never with the query string: a presigned URL's signature is
 * a credential.
 */
export function loggedListener(
  serve: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  options: LoggedListenerOptions,
): RequestListener {
  const { name, logger } = options;
  return (req, res) => {
    const started = Date.now();
    serve(req, res)
      .catch((err: unknown) => {
        logger.error(`${options.failureName ?? name} failed on ${req.method} ${loggable(req.url)}`, err);
        if (!res.headersSent) options.failure(res);
        else res.destroy();
      })
      .finally(() =>
        logger.info(
          `${name} ${req.method} ${loggable(req.url)} -> ${res.statusCode} ${Date.now() - started}ms`,
        ),
      );
  };
}
