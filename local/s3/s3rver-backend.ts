import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { Agent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import S3rver from 's3rver';
import { listenHttp } from '../shared/http-server.ts';
import { gatePerKey } from './key-gate.ts';
import { encodeKey } from './s3-client.ts';

/** s3rver on a loopback port of its own: the store behind the S3 proxy, which it calls unsigned. */
export interface S3rverBackend {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Where s3rver keeps its files (its filesystem store). */
  readonly directory: string;
  /** One request to s3rver; `body` streamed or sent whole. */
  call(
    method: string,
    target: string,
    headers: OutgoingHttpHeaders,
    body?: Readable | Buffer,
  ): Promise<IncomingMessage>;
  /** An object as stored (its size, its ETag without quotes), undefined when there is none. */
  stat(bucket: string, key: string): Promise<{ size: number; eTag: string } | undefined>;
  /** Stops s3rver and removes its directory when it was temporary. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts s3rver on a random loopback port with `bucket` in it (made when missing). Objects live
 * under `<dataDir>/s3`, kept across restarts; in a temporary directory without `dataDir`.
 */
export async function startS3rver(options: { dataDir?: string; bucket: string }): Promise<S3rverBackend> {
  const temporary = options.dataDir === undefined;
  const directory = temporary
    ? await mkdtemp(join(tmpdir(), 'dreamx-s3-'))
    : join(options.dataDir as string, 's3');
  await mkdir(directory, { recursive: true });
  const s3rver = new S3rver({
    directory,
    silent: true,
    vhostBuckets: false,
    configureBuckets: [{ name: options.bucket }],
  });
  await s3rver.configureBuckets();
  const server = await listenHttp(gatePerKey(s3rver.callback()), 0, '127.0.0.1');
  const agent = new Agent({ keepAlive: true });

  const call: S3rverBackend['call'] = (method, target, headers, body) =>
    new Promise<IncomingMessage>((resolve, reject) => {
      const out = httpRequest(
        { host: '127.0.0.1', port: server.port, method, path: target, headers, agent },
        resolve,
      );
      out.on('error', reject);
      if (body === undefined || Buffer.isBuffer(body)) out.end(body);
      else pipeline(body, out).catch(reject);
    });

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${server.port}`,
    directory,
    call,
    async stat(bucket, key) {
      const head = await call('HEAD', `/${bucket}/${encodeKey(key)}`, {});
      head.resume();
      if (head.statusCode !== 200) return undefined;
      const size = Number(head.headers['content-length'] ?? 0);
      return { size, eTag: String(head.headers.etag ?? '').replaceAll('"', '') };
    },
    close: () => {
      closing ??= (async () => {
        await server.close();
        agent.destroy();
        s3rver.logger.close();
        if (temporary) await rm(directory, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
