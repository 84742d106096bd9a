import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { clientIp, decodeLoosely, readBytes, splitUrl } from '../shared/http-io.ts';
import { AUTH_QUERY_PARAMS, verifySignature } from '../shared/sigv4.ts';
import { encodeKey } from './s3-client.ts';
import { conditionalWrites, withoutConditions } from './s3-conditional.ts';
import { corsFor, preflight } from './s3-cors.ts';
import { dotSegmentRefusal, hasDotSegment, s3Error } from './s3-errors.ts';
import { forwardBody, forwardHeaders, relay, reply } from './s3-forward.ts';
import {
  abortUpload,
  checkUploadPart,
  completeResult,
  listParts,
  planCompletion,
  type UploadRef,
} from './s3-multipart.ts';
import type { CreatedBy, S3Notifier } from './s3-notifications.ts';
import { postObject } from './s3-post.ts';
import type { UploadStore } from './s3-store.ts';
import type { S3rverBackend } from './s3rver-backend.ts';

export interface S3ProxyOptions {
  /** `/s3`: the start of every request target that is the stack's, not S3's. */
  readonly prefix: string;
  /** `<baseUrl>/s3`, for the Location of a completed upload. */
  readonly endpoint: string;
  readonly bucket: string;
  readonly backend: S3rverBackend;
  /** s3rver's multipart files, read where it has no API for them. */
  readonly store: UploadStore;
  readonly notifier: S3Notifier;
}

type Cors = Record<string, string[]>;

/** What a request names, once the stack's prefix and the presigning query parameters are off. */
interface S3Target {
  /** Path and query as s3rver gets them. */
  readonly forward: string;
  readonly query: URLSearchParams;
  /** The bucket as the path spells it (still percent-encoded). */
  readonly bucket: string;
  /** Decoded; undefined for a request on the bucket itself. */
  readonly key: string | undefined;
  readonly uploadId: string | null;
}

/**
 * The S3 proxy's request handler: the signature checked, the multipart calls s3rver lacks or
 * gets wrong answered over its store, everything else forwarded to it, created objects notified.
 */
export function createS3Proxy(options: S3ProxyOptions) {
  const { bucket, backend, store, notifier } = options;
  const conditions = conditionalWrites(backend, bucket);

  async function notifyCreated(how: CreatedBy, key: string, sourceIp: string): Promise<void> {
    // The object as stored: its size and ETag, as the record reports them.
    const stored = await backend.stat(bucket, key);
    if (stored) notifier.created({ how, key, ...stored, sourceIp });
  }

  async function complete(
    req: IncomingMessage,
    res: ServerResponse,
    ref: UploadRef,
    target: string,
    cors: Cors,
  ) {
    // 10,000 parts of ~120 bytes of XML each fit with room to spare.
    const body = await readBytes(req, 4 * 1024 * 1024);
    if (!body) return reply(res, s3Error(400, 'MaxMessageLengthExceeded', 'Your request was too big.'), cors);
    const plan = await planCompletion(store, ref, body);
    if ('statusCode' in plan) return reply(res, plan, cors);
    const headers = { 'content-type': 'application/xml', 'content-length': body.length };
    const upstream = await backend.call('POST', target, headers, body);
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
    const location = `${options.endpoint}/${bucket}/${encodeKey(ref.key)}`;
    await reply(res, completeResult(ref, location, plan.etag), cors);
  }

  /**
   * A call on one multipart upload (`?uploadId=`): ListParts, AbortMultipartUpload and
   * CompleteMultipartUpload answered here, UploadPart checked. False when it goes on to s3rver.
   */
  async function answeredUpload(
    req: IncomingMessage,
    res: ServerResponse,
    at: S3Target,
    ref: UploadRef,
    cors: Cors,
  ): Promise<boolean> {
    if (at.bucket !== bucket) {
      const missing = s3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', {
        BucketName: at.bucket,
      });
      await reply(res, missing, cors, req);
      return true;
    }
    const method = req.method ?? 'GET';
    if (method === 'PUT') {
      const refusal = await checkUploadPart(store, ref, at.query.get('partNumber') ?? undefined);
      if (!refusal) return false;
      await reply(res, refusal, cors, req);
    } else if (method === 'GET') await reply(res, await listParts(store, ref, at.query), cors);
    else if (method === 'DELETE') await reply(res, await abortUpload(store, ref), cors);
    else if (method === 'POST') await complete(req, res, ref, at.forward, cors);
    else return false;
    return true;
  }

  /**
   * To s3rver and back; an object put (or copied) into the bucket is notified. A conditional put
   * (`If-Match`, `If-None-Match`) is checked and written in its key's turn, or refused as S3 does.
   */
  async function forward(req: IncomingMessage, res: ServerResponse, at: S3Target, cors: Cors) {
    const method = req.method ?? 'GET';
    const created = method === 'PUT' && at.uploadId === null && at.bucket === bucket ? at.key : undefined;
    const send = (headers: IncomingHttpHeaders) =>
      backend.call(method, at.forward, forwardHeaders(headers), forwardBody(req));
    let upstream: IncomingMessage;
    if (created !== undefined && conditions.applies(req.headers)) {
      const outcome = await conditions.guard(created, req.headers, () =>
        send(withoutConditions(req.headers)),
      );
      if ('refused' in outcome) return reply(res, outcome.refused, cors, req);
      upstream = outcome.written;
    } else upstream = await send(req.headers);
    // Notified before the client hears back, so that `idle()` awaited after the PUT covers it.
    if (created !== undefined && upstream.statusCode === 200) {
      await notifyCreated(req.headers['x-amz-copy-source'] ? 'Copy' : 'Put', created, clientIp(req));
    }
    await relay(res, upstream, cors);
  }

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    const [rawPath, rawQuery] = splitUrl(req.url ?? '/');
    const cors = corsFor(method, req.headers);
    if (method === 'OPTIONS') return reply(res, preflight(req.headers), {}, req);
    const at = targetOf(rawPath.slice(options.prefix.length) || '/', rawQuery);
    // POST Object (a browser's form upload to the bucket's URL) carries its authorization in the
    // form: a signed POST policy, not a signed request. POST on a bucket with a subresource
    // (`?delete`) is another API.
    if (method === 'POST' && !at.key && rawQuery === '') {
      return postObject(req, res, at.bucket, { bucket, endpoint: options.endpoint, backend, notifier }, cors);
    }
    const verdict = await verifySignature({ method, rawPath, rawQuery, headers: req.headers });
    if (!verdict.ok) {
      const { statusCode, code, message, detail } = verdict.failure;
      return reply(res, s3Error(statusCode, code, message, detail), cors, req);
    }
    if (hasDotSegment(`${decodeSegments([at.bucket])}/${at.key ?? ''}`)) {
      return reply(res, dotSegmentRefusal(), cors, req);
    }
    if (at.key !== undefined && at.uploadId !== null) {
      const ref = { bucket, key: at.key, uploadId: at.uploadId };
      if (await answeredUpload(req, res, at, ref, cors)) return;
    }
    await forward(req, res, at, cors);
  };
}

function targetOf(path: string, rawQuery: string): S3Target {
  const forwardQuery = rawQuery
    .split('&')
    .filter((pair) => pair !== '' && !AUTH_QUERY_PARAMS.has(pair.split('=')[0] ?? ''))
    .join('&');
  const query = new URLSearchParams(rawQuery);
  const [, bucket = '', ...keyParts] = path.split('/');
  return {
    forward: forwardQuery ? `${path}?${forwardQuery}` : path,
    query,
    bucket,
    key: keyParts.length ? decodeSegments(keyParts) : undefined,
    uploadId: query.get('uploadId'),
  };
}

function decodeSegments(segments: string[]): string {
  return segments.map(decodeLoosely).join('/');
}
