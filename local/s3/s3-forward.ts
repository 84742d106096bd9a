import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { HttpResponse } from '../constants.ts';
import { writeResponse } from '../shared/http-io.ts';
import { AwsChunkedDecoder, isAwsChunked, withoutAwsChunked } from './aws-chunked.ts';
import { requestIds } from './s3-errors.ts';

// What passes between a client and s3rver through the proxy, and what the proxy answers itself.

/** Headers that describe one hop, never forwarded either way. */
const HOP_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'expect', 'host']);

/** The request's headers for s3rver: no signature, no hop headers, aws-chunked framing undone. */
export function forwardHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_HEADERS.has(name) || name === 'authorization') continue;
    out[name] = value;
  }
  const encoding = headers['content-encoding'];
  if (isAwsChunked(encoding)) {
    const rest = withoutAwsChunked(encoding);
    if (rest) out['content-encoding'] = rest;
    else delete out['content-encoding'];
    delete out['content-length'];
    const decoded = headers['x-amz-decoded-content-length'];
    if (typeof decoded === 'string') out['content-length'] = decoded;
  }
  return out;
}

/** The request's body for s3rver (none for GET and HEAD), aws-chunked framing undone. */
export function forwardBody(req: IncomingMessage): Readable | undefined {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  return isAwsChunked(req.headers['content-encoding']) ? req.pipe(new AwsChunkedDecoder()) : req;
}

/** Passes s3rver's answer on: its status, headers but the hop and CORS ones, then the bucket's CORS. */
export async function relay(res: ServerResponse, upstream: IncomingMessage, cors: Record<string, string[]>) {
  res.statusCode = upstream.statusCode ?? 502;
  for (const [name, value] of Object.entries(upstream.headers)) {
    if (value === undefined || HOP_HEADERS.has(name) || /^access-control-|^vary$/.test(name)) continue;
    res.setHeader(name, value);
  }
  for (const [name, value] of Object.entries(cors)) res.setHeader(name, value);
  if (!upstream.headers['x-amz-request-id']) res.setHeader('x-amz-request-id', requestIds().requestId);
  await pipeline(upstream, res);
}

/** Answers with a response of the proxy's own; the request body, if any, is read first (see `readBytes`). */
export async function reply(
  res: ServerResponse,
  response: HttpResponse,
  cors: Record<string, string[]>,
  unread?: IncomingMessage,
): Promise<void> {
  if (unread) for await (const _ of unread as AsyncIterable<Buffer>);
  for (const [name, value] of Object.entries(cors)) response.headers[name] = value;
  writeResponse(res, response);
}
