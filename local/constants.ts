import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname } from 'node:path';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

// What more than one stand-in needs: the account they all pretend to be, where each is mounted on
// the stack's port, the media types they agree on, and the types they hand each other. A
// constant only one service uses stays in its folder.

/** Stands in for the account id AWS fills into ARNs and events. */
export const LOCAL_ACCOUNT_ID = '000000000000';
/** The local stack's region, as in the handlers' `AWS_REGION`. */
export const LOCAL_REGION = 'us-east-1';
/** The dummy keys every local client signs with (the handlers' `AWS_ACCESS_KEY_ID`/`SECRET`). */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** Where the stack serves the WebSocket API and the other stand-ins, under its base URL. */
export const WS_PATH = '/ws';
export const SCHEDULER_PATH = '/scheduler';
/** S3, same-origin with the API: the browser PUTs recording parts to presigned `<base>/s3/...` URLs. */
export const S3_PATH = '/s3';
export const MEDIACONVERT_PATH = '/mediaconvert';
/** The CloudFront stand-in: the bucket's `media/` prefix, as `MEDIA_BASE_URL`. */
export const MEDIA_PATH = '/media';
/** The one bucket (on AWS CloudFormation names it; handlers only ever read RECORDINGS_BUCKET). */
export const RECORDINGS_BUCKET = 'dreamx-recordings';

/** The CDK's default function timeout (lib/constructs/function.ts), for invocations no gateway waits on. */
export const ASYNC_TIMEOUT_MS = 10_000;

/** Content types the transcoder stores its outputs with, and CloudFront passes on for objects stored without. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.mpd': 'application/dash+xml',
  '.cmfv': 'video/mp4',
  '.cmfa': 'audio/mp4',
  '.m4s': 'video/mp4',
  '.mp4': 'video/mp4',
  '.jpg': 'image/jpeg',
};

export const contentTypeOf = (name: string) =>
  CONTENT_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';

export interface EmulatorLogger {
  /** One line per request; the stack passes a no-op when `quiet`. */
  info(line: string): void;
  /** Handler failures: what CloudWatch would show, since the client only sees a 502. */
  error(line: string, err?: unknown): void;
}

/** A node:http request listener whose promise never rejects (errors become responses). */
export type EmulatorListener = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** A response ready for the socket: header values as lists, body as bytes. */
export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string[]>;
  readonly body: Buffer;
}

/** What a Lambda proxy handler looks like to the emulator: the Middy handlers fit it. */
export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => unknown;
