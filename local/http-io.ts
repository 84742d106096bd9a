import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpResponse } from './gateway-responses.ts';

/**
 * The body as UTF-8, null when empty (API Gateway's "no body"), undefined when it is over
 * `limit` bytes. An oversize body is still read to the end, without being kept: answering
 * before the client has finished sending makes many clients report a connection reset
 * instead of the 413.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<string | null | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  if (size > limit) return undefined;
  return size === 0 ? null : Buffer.concat(chunks).toString('utf8');
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
