import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import {
  Agent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type RequestListener,
  type ServerResponse,
} from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { type EmulatorLogger, type HttpResponse, LOCAL_CREDENTIALS, LOCAL_REGION } from '../constants.ts';
import { createAsyncInvoker } from '../lambda/async-invoke.ts';
import { clientIp, decodeLoosely, loggable, readBytes, splitUrl, writeResponse } from '../shared/http-io.ts';
import { listenHttp } from '../shared/http-server.ts';
import { AUTH_QUERY_PARAMS, verifySignature } from '../shared/sigv4.ts';
import { AwsChunkedDecoder, isAwsChunked, withoutAwsChunked } from './aws-chunked.ts';
import { corsFor, preflight } from './s3-cors.ts';
import { requestIds, s3Error } from './s3-errors.ts';
import {
  abortUpload,
  checkUploadPart,
  completeResult,
  listParts,
  planCompletion,
  type UploadRef,
} from './s3-multipart.ts';
import { type CreatedBy, createS3Notifier, type S3Source } from './s3-notifications.ts';
import { uploadStore } from './s3-store.ts';

export interface LocalS3Options {
  /** Objects live under `<dataDir>/s3` (kept across restarts); in a temp dir removed at close otherwise. */
  readonly dataDir?: string;
  /** The stack's base URL; the stand-in answers at `<baseUrl><path>`. */
  readonly baseUrl: string;
  /** `/s3`: the browser uploads same-origin, and the SDK's endpoint may carry a path. */
  readonly path: string;
  /** The one bucket, created at start when missing. */
  readonly bucket: string;
  /** The manifest's `s3` event sources. */
  readonly sources: readonly S3Source[];
  /** Runs a handler (the stack's `invokeHandler` with the async timeout). */
  readonly invoke: (handler: string, event: unknown) => Promise<unknown>;
  readonly logger: EmulatorLogger;
  /** Delays before Lambda's two async retries; see `createAsyncInvoker`. */
  readonly retryDelaysMs?: readonly number[];
}

/** The S3 stand-in: s3rver behind a proxy that makes it answer like S3 where the service needs it. */
export interface LocalS3 {
  /** `<baseUrl>/s3`: what `AWS_ENDPOINT_URL_S3` points at (path-style requests). */
  readonly endpoint: string;
  readonly bucket: string;
  /** Whether a request target is the stand-in's (`/s3`, `/s3/...`, `/s3?...`). */
  owns(url: string): boolean;
  readonly listener: RequestListener;
  /**
   * s3rver itself, `http://127.0.0.1:<port>`: unsigned S3 calls from the other stand-ins, as
   * MediaConvert's role and CloudFront's origin access read the bucket on AWS.
   */
  readonly backend: string;
  /** Where s3rver keeps its files (its filesystem store). */
  readonly directory: string;
  /** Resolves once every notification so far reached its handler (or failed every retry). */
  idle(): Promise<void>;
  /** Stops notifying and waits for the handler invocations running. Idempotent. */
  drain(): Promise<void>;
  /** `drain()`, then stops s3rver (and removes its directory when it was temporary). Idempotent. */
  close(): Promise<void>;
}

/** Headers that describe one hop, never forwarded either way. */
const HOP_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'expect', 'host']);

/** `uploads/a b.webm` as a path: each segment percent-encoded, slashes kept. */
export const encodeKey = (key: string): string => key.split('/').map(encodeURIComponent).join('/');

/** An S3 client of the stand-ins themselves, signing with the local keys like any handler. */
export function localS3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    forcePathStyle: true,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/**
 * Starts s3rver on a random loopback port and returns the proxy that serves it under `path`:
 * - every request's SigV4 signature is verified (presigned URLs and the SDK's header), anonymous
 *   ones refused, and s3rver gets them unsigned (it knows only its own dummy keys);
 * - ListParts and AbortMultipartUpload, which s3rver lacks, over its filesystem store; UploadPart
 *   to an unknown upload and CompleteMultipartUpload's part list checked as S3 checks them, and a
 *   completed upload given S3's multipart ETag;
 * - the bucket's CORS rule; `aws-chunked` bodies decoded;
 * - S3 event notifications to the manifest's `s3` sources for objects created through it.
 * Whatever else s3rver does (GetObject, ListObjectsV2, DeleteObjects...) passes through.
 */
export async function startS3(options: LocalS3Options): Promise<LocalS3> {
  const { bucket, logger } = options;
  const temporary = options.dataDir === undefined;
  const directory = temporary
    ? await mkdtemp(join(tmpdir(), 'dreamx-s3-'))
    : join(options.dataDir as string, 's3');
  await mkdir(directory, { recursive: true });
  const s3rver = new S3rver({
    directory,
    silent: true,
    vhostBuckets: false,
    configureBuckets: [{ name: bucket }],
  });
  await s3rver.configureBuckets();
  const server = await listenHttp(s3rver.callback(), 0, '127.0.0.1');
  const agent = new Agent({ keepAlive: true });
  const backend = `http://127.0.0.1:${server.port}`;
  const endpoint = `${options.baseUrl}${options.path}`;
  const store = uploadStore(directory, bucket);
  const invoker = createAsyncInvoker({
    invoke: options.invoke,
    logger,
    retryDelaysMs: options.retryDelaysMs,
  });
  const notifier = createS3Notifier({ bucket, sources: options.sources, invoker });

  /** One request to s3rver; `body` streamed or sent whole. */
  const call = (method: string, target: string, headers: OutgoingHttpHeaders, body?: Readable | Buffer) =>
    new Promise<IncomingMessage>((resolve, reject) => {
      const out = httpRequest(
        { host: '127.0.0.1', port: server.port, method, path: target, headers, agent },
        resolve,
      );
      out.on('error', reject);
      if (body === undefined || Buffer.isBuffer(body)) out.end(body);
      else pipeline(body, out).catch(reject);
    });

  async function notifyCreated(how: CreatedBy, key: string, sourceIp: string): Promise<void> {
    // The object as stored: its size and ETag, as the record reports them.
    const head = await call('HEAD', `/${bucket}/${encodeKey(key)}`, {});
    head.resume();
    if (head.statusCode !== 200) return;
    const size = Number(head.headers['content-length'] ?? 0);
    const eTag = String(head.headers.etag ?? '').replaceAll('"', '');
    notifier.created({ how, key, size, eTag, sourceIp });
  }

  async function relay(res: ServerResponse, upstream: IncomingMessage, cors: Record<string, string[]>) {
    res.statusCode = upstream.statusCode ?? 502;
    for (const [name, value] of Object.entries(upstream.headers)) {
      if (value === undefined || HOP_HEADERS.has(name) || /^access-control-|^vary$/.test(name)) continue;
      res.setHeader(name, value);
    }
    for (const [name, value] of Object.entries(cors)) res.setHeader(name, value);
    if (!upstream.headers['x-amz-request-id']) res.setHeader('x-amz-request-id', requestIds().requestId);
    await pipeline(upstream, res);
  }

  async function complete(
    req: IncomingMessage,
    res: ServerResponse,
    ref: UploadRef,
    target: string,
    cors: Record<string, string[]>,
  ) {
    // 10,000 parts of ~120 bytes of XML each fit with room to spare.
    const body = await readBytes(req, 4 * 1024 * 1024);
    if (!body) return reply(res, s3Error(400, 'MaxMessageLengthExceeded', 'Your request was too big.'), cors);
    const plan = await planCompletion(store, ref, body);
    if ('statusCode' in plan) return reply(res, plan, cors);
    const upstream = await call(
      'POST',
      target,
      { 'content-type': 'application/xml', 'content-length': body.length },
      body,
    );
    if (upstream.statusCode !== 200) return relay(res, upstream, cors);
    upstream.resume();
    await store.setObjectEtag(ref.key, plan.etag);
    // Queued before the client hears back, so that `idle()` awaited after the call covers it.
    notifier.created({
      how: 'CompleteMultipartUpload',
      key: ref.key,
      size: plan.size,
      eTag: plan.etag,
      sourceIp: clientIp(req),
    });
    const location = `${endpoint}/${bucket}/${encodeKey(ref.key)}`;
    await reply(res, completeResult(ref, location, plan.etag), cors);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const [rawPath, rawQuery] = splitUrl(req.url ?? '/');
    const path = rawPath.slice(options.path.length) || '/';
    const query = new URLSearchParams(rawQuery);
    const cors = corsFor(method, req.headers);
    if (method === 'OPTIONS') return reply(res, preflight(req.headers), {}, req);
    const verdict = await verifySignature({ method, rawPath, rawQuery, headers: req.headers });
    if (!verdict.ok) {
      const { statusCode, code, message, detail } = verdict.failure;
      return reply(res, s3Error(statusCode, code, message, detail), cors, req);
    }

    const forwardQuery = rawQuery
      .split('&')
      .filter((pair) => pair !== '' && !AUTH_QUERY_PARAMS.has(pair.split('=')[0] ?? ''))
      .join('&');
    const target = forwardQuery ? `${path}?${forwardQuery}` : path;
    const [, bucketName = '', ...keyParts] = path.split('/');
    const key = keyParts.length ? decodeSegments(keyParts) : undefined;
    // S3 takes `..` as a plain name; s3rver's filesystem store would resolve it on disk.
    if (`${decodeSegments([bucketName])}/${key ?? ''}`.split('/').some((s) => s === '.' || s === '..')) {
      const refusal = s3Error(
        400,
        'InvalidArgument',
        'The local S3 stand-in takes no "." or ".." path segments.',
      );
      return reply(res, refusal, cors, req);
    }
    const uploadId = query.get('uploadId');
    if (key !== undefined && uploadId !== null) {
      if (bucketName !== bucket) {
        const missing = s3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', {
          BucketName: bucketName,
        });
        return reply(res, missing, cors, req);
      }
      const ref = { bucket, key, uploadId };
      if (method === 'GET') return reply(res, await listParts(store, ref, query), cors);
      if (method === 'DELETE') return reply(res, await abortUpload(store, ref), cors);
      if (method === 'POST') return complete(req, res, ref, target, cors);
      if (method === 'PUT') {
        const refusal = await checkUploadPart(store, ref, query.get('partNumber') ?? undefined);
        if (refusal) return reply(res, refusal, cors, req);
      }
    }
    const upstream = await call(method, target, forwardHeaders(req.headers), body(req));
    const created = method === 'PUT' && key !== undefined && uploadId === null && bucketName === bucket;
    // Notified before the client hears back, so that `idle()` awaited after the PUT covers it.
    if (created && upstream.statusCode === 200) {
      await notifyCreated(req.headers['x-amz-copy-source'] ? 'Copy' : 'Put', key, clientIp(req));
    }
    await relay(res, upstream, cors);
  }

  let closing: Promise<void> | undefined;
  return {
    endpoint,
    bucket,
    backend,
    directory,
    owns: (url) =>
      url === options.path || url.startsWith(`${options.path}/`) || url.startsWith(`${options.path}?`),
    listener: (req, res) => {
      const started = Date.now();
      handle(req, res)
        .catch((err: unknown) => {
          // Never the query string: a presigned URL's signature is a credential.
          logger.error(`S3 failed on ${req.method} ${loggable(req.url)}`, err);
          if (!res.headersSent)
            writeResponse(
              res,
              s3Error(500, 'InternalError', 'We encountered an internal error. Please try again.'),
            );
          else res.destroy();
        })
        .finally(() =>
          logger.info(`S3 ${req.method} ${loggable(req.url)} -> ${res.statusCode} ${Date.now() - started}ms`),
        );
    },
    idle: () => invoker.idle(),
    drain: () => invoker.close(),
    close: () => {
      closing ??= (async () => {
        await invoker.close();
        await server.close();
        agent.destroy();
        s3rver.logger.close();
        if (temporary) await rm(directory, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}

/** Answers with a response of the proxy's own; the request body, if any, is read first (see `readBytes`). */
async function reply(
  res: ServerResponse,
  response: HttpResponse,
  cors: Record<string, string[]>,
  unread?: IncomingMessage,
): Promise<void> {
  if (unread) for await (const _ of unread as AsyncIterable<Buffer>);
  for (const [name, value] of Object.entries(cors)) response.headers[name] = value;
  writeResponse(res, response);
}

/** The request's headers for s3rver: no signature, no hop headers, aws-chunked framing undone. */
function forwardHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
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

function body(req: IncomingMessage): Readable | undefined {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  return isAwsChunked(req.headers['content-encoding']) ? req.pipe(new AwsChunkedDecoder()) : req;
}

function decodeSegments(segments: string[]): string {
  return segments.map(decodeLoosely).join('/');
}
