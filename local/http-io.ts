import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { HttpResponse } from './constants.ts';

/**
 * The body as UTF-8, null when empty (API Gateway's "no body"), undefined when it is over
 * `limit` bytes.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<string | null | undefined> {
  const bytes = await readBytes(req, limit);
  if (bytes === undefined) return undefined;
  return bytes.length === 0 ? null : bytes.toString('utf8');
}

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
