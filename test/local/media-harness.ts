import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { RequestListener } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MediaConvertClient } from '@aws-sdk/client-mediaconvert';
import type { S3Client } from '@aws-sdk/client-s3';
import { createMediaCdn } from '../../local/cloudfront/media-cdn.ts';
import { createAsyncInvoker } from '../../local/lambda/async-invoke.ts';
import { ffmpegPath } from '../../local/mediaconvert/ffmpeg.ts';
import { createMediaConvert, type LocalMediaConvert } from '../../local/mediaconvert/mediaconvert.ts';
import type { EventBridgeSource } from '../../local/mediaconvert/mediaconvert-events.ts';
import { type LocalS3, startS3 } from '../../local/s3/s3.ts';
import { localS3Client } from '../../local/s3/s3-client.ts';
import type { S3Source } from '../../local/s3/s3-notifications.ts';
import { awsListener } from '../../local/shared/aws-json.ts';
import { listenHttp } from '../../local/shared/http-server.ts';

const run = promisify(execFile);
export const BUCKET = 'dreamx-recordings';

/** One asynchronous invocation a stand-in made: which handler, with what event. */
export interface Invocation {
  readonly handler: string;
  readonly event: unknown;
}

export interface MediaRig {
  readonly url: string;
  readonly s3: LocalS3;
  readonly mediaConvert: LocalMediaConvert;
  /** Signs with the local keys, like the handlers' client. */
  readonly client: S3Client;
  readonly mediaConvertClient: MediaConvertClient;
  /** Every handler invocation (S3 notifications, job events), in order. */
  readonly invocations: Invocation[];
  /** Errors the stand-ins logged. */
  readonly errors: string[];
  close(): Promise<void>;
}

/**
 * The stack's S3, MediaConvert and CloudFront stand-ins on one port, as the stack mounts them,
 * with handlers that only record what they get (`fail` makes a handler throw).
 */
export async function startMediaRig(
  options: {
    s3Sources?: readonly S3Source[];
    eventSources?: readonly EventBridgeSource[];
    fail?: (handler: string) => boolean;
    dataDir?: string;
  } = {},
): Promise<MediaRig> {
  const errors: string[] = [];
  const invocations: Invocation[] = [];
  const logger = { info: () => {}, error: (line: string) => void errors.push(line) };
  const invoke = async (handler: string, event: unknown) => {
    invocations.push({ handler, event });
    if (options.fail?.(handler)) throw new Error(`${handler} fails on purpose`);
  };
  let app: RequestListener = (_req, res) => res.end();
  const http = await listenHttp((req, res) => app(req, res), 0, '127.0.0.1');
  const url = `http://127.0.0.1:${http.port}`;
  const s3 = await startS3({
    dataDir: options.dataDir,
    baseUrl: url,
    path: '/s3',
    bucket: BUCKET,
    sources: options.s3Sources ?? [],
    invoke,
    logger,
    retryDelaysMs: [10, 20],
  });
  const invoker = createAsyncInvoker({ invoke, logger, retryDelaysMs: [10, 20] });
  const mediaConvert = createMediaConvert({
    base: '/mediaconvert',
    s3: { bucket: BUCKET, backend: s3.backend, endpoint: s3.endpoint },
    sources: options.eventSources ?? [],
    invoker,
    logger,
  });
  const api = awsListener('MediaConvert', mediaConvert.handle, {
    maxBytes: 1024 * 1024,
    signing: 'mediaconvert',
    logger,
  });
  const cdn = createMediaCdn({
    path: '/media',
    backend: s3.backend,
    bucket: BUCKET,
    originPrefix: 'media/',
    livePrefix: 'live/',
    logger,
  });
  app = (req, res) => {
    const target = req.url ?? '/';
    if (s3.owns(target)) return s3.listener(req, res);
    if (target.startsWith(mediaConvert.prefix)) return void api(req, res);
    if (cdn.owns(target)) return cdn.listener(req, res);
    res.statusCode = 404;
    res.end();
  };
  const client = localS3Client(s3.endpoint);
  const mediaConvertClient = new MediaConvertClient({
    endpoint: `${url}/mediaconvert`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return {
    url,
    s3,
    mediaConvert,
    client,
    mediaConvertClient,
    invocations,
    errors,
    close: async () => {
      client.destroy();
      mediaConvertClient.destroy();
      await s3.drain();
      await mediaConvert.close();
      await invoker.close();
      await http.close();
      await s3.close();
    },
  };
}

/**
 * A WebM like a browser's MediaRecorder makes: VP8 + Opus, written to a pipe (so without a
 * Duration element, as MediaRecorder writes it live), a moving test pattern and a tone.
 */
export async function recordedClip(options: {
  seconds: number;
  width: number;
  height: number;
}): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'dreamx-clip-'));
  try {
    const file = join(dir, 'clip.webm');
    await run('sh', [
      '-c',
      `"$0" -v error -y -f lavfi -i testsrc2=size=${options.width}x${options.height}:rate=30 ` +
        `-f lavfi -i sine=frequency=440:sample_rate=48000 -t ${options.seconds} ` +
        '-c:v libvpx -b:v 1M -deadline realtime -cpu-used 8 -c:a libopus -b:a 64k -f webm pipe:1 > "$1"',
      ffmpegPath(),
      file,
    ]);
    return await readFile(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Polls `check` until it stops throwing (bounded), for what arrives asynchronously. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 5_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
