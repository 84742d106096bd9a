import type { RequestListener } from 'node:http';
import type { EmulatorLogger } from '../constants.ts';
import { createAsyncInvoker } from '../lambda/async-invoke.ts';
import { loggedListener, writeResponse } from '../shared/http-io.ts';
import { s3Error } from './s3-errors.ts';
import { createS3Notifier, type S3Source } from './s3-notifications.ts';
import { createS3Proxy } from './s3-proxy.ts';
import { uploadStore } from './s3-store.ts';
import { startS3rver } from './s3rver-backend.ts';

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

/**
 * Starts s3rver on a random loopback port and returns the proxy that serves it under `path`:
 * - every request's SigV4 signature is verified (presigned URLs and the SDK's header), anonymous
 *   ones refused, and s3rver gets them unsigned (it knows only its own dummy keys);
 * - ListParts and AbortMultipartUpload, which s3rver lacks, over its filesystem store; UploadPart
 *   to an unknown upload and CompleteMultipartUpload's part list checked as S3 checks them, and a
 *   completed upload given S3's multipart ETag;
 * - POST Object (a browser's form upload) under a SigV4 POST policy, checked as S3 checks it
 *   (s3-post.ts, post-policy.ts);
 * - conditional writes (PutObject `If-Match`, `If-None-Match: *`), which s3rver ignores;
 * - the bucket's CORS rule; `aws-chunked` bodies decoded;
 * - S3 event notifications to the manifest's `s3` sources for objects created through it.
 * Whatever else s3rver does (GetObject, ListObjectsV2, DeleteObjects...) passes through.
 */
export async function startS3(options: LocalS3Options): Promise<LocalS3> {
  const { bucket, logger } = options;
  const s3rver = await startS3rver({ dataDir: options.dataDir, bucket });
  const endpoint = `${options.baseUrl}${options.path}`;
  const invoker = createAsyncInvoker({
    invoke: options.invoke,
    logger,
    retryDelaysMs: options.retryDelaysMs,
  });
  const handle = createS3Proxy({
    prefix: options.path,
    endpoint,
    bucket,
    backend: s3rver,
    store: uploadStore(s3rver.directory, bucket),
    notifier: createS3Notifier({ bucket, sources: options.sources, invoker }),
  });

  let closing: Promise<void> | undefined;
  return {
    endpoint,
    bucket,
    backend: s3rver.url,
    directory: s3rver.directory,
    owns: (url) =>
      url === options.path || url.startsWith(`${options.path}/`) || url.startsWith(`${options.path}?`),
    listener: loggedListener(handle, {
      name: 'S3',
      logger,
      failure: (res) =>
        writeResponse(
          res,
          s3Error(500, 'InternalError', 'We encountered an internal error. Please try again.'),
        ),
    }),
    idle: () => invoker.idle(),
    drain: () => invoker.close(),
    close: () => {
      closing ??= (async () => {
        await invoker.close();
        await s3rver.close();
      })();
      return closing;
    },
  };
}
