/**
 * The live ladder's uploads (docs/live.md, "The upload credential"): every object is a presigned
 * POST straight to the bucket, under the stream's live prefix. One credential serves every
 * rendition and is renewed at two thirds of its life; each rendition has its own
 * {@link UploadQueue} (queue.ts).
 */
import { ApiError } from '../errors.ts';
import type { LiveCredential } from '../types.ts';

/**
 * Where credentials come from (the SDK passes `api.liveCredential(streamId, ...)`; tests, a fake).
 *
 * @example
 * const source: CredentialSource = () => api.liveCredential(streamId);
 */
export type CredentialSource = () => Promise<LiveCredential>;

/** A credential is renewed once this share of its lifetime has passed. */
export const RENEW_AT = 2 / 3;

/**
 * The current credential: fetched on first use and again once `RENEW_AT` of its lifetime (from
 * when it arrived to `expiresAt`) has passed, or after `invalidate()` (storage refused it). One
 * fetch at a time, shared by every caller.
 *
 * @example
 * const credentials = new Credentials(() => api.liveCredential(streamId));
 * const { url, fields } = await credentials.current();
 */
export class Credentials {
  private held: { credential: LiveCredential; renewAt: number } | undefined;
  private fetching: Promise<LiveCredential> | undefined;

  constructor(
    private readonly source: CredentialSource,
    private readonly now: () => number = Date.now,
  ) {}

  current(): Promise<LiveCredential> {
    if (this.held && this.now() < this.held.renewAt) return Promise.resolve(this.held.credential);
    this.fetching ??= this.source()
      .then((credential) => {
        const arrived = this.now();
        const lifetime = Math.max(0, Date.parse(credential.expiresAt) - arrived);
        this.held = { credential, renewAt: arrived + lifetime * RENEW_AT };
        return credential;
      })
      .finally(() => {
        this.fetching = undefined;
      });
    return this.fetching;
  }

  /** The next `current()` fetches a fresh one. */
  invalidate(): void {
    this.held = undefined;
  }
}

/**
 * POSTs one object: `multipart/form-data` with every field of the policy, then `key` (the
 * credential's prefix + `path`), `Content-Type`, and `file` last, as S3 requires. Resolves on a
 * 2xx; rejects with an {@link ApiError}: `NETWORK` (no answer), `FORBIDDEN` (403: the policy
 * refused it or expired), `PAYLOAD_TOO_LARGE` (over `maxBytes`), `SERVICE_UNAVAILABLE` (5xx,
 * 429), `UPLOAD_FAILED` (any other refusal).
 *
 * @example
 * await postObject(credential, '720p/0.m4s', new Blob([bytes]), 'video/mp4');
 */
export async function postObject(
  credential: LiveCredential,
  path: string,
  body: Blob,
  contentType: string,
  doFetch: typeof fetch = globalThis.fetch,
): Promise<void> {
  const key = `${credential.keyPrefix}${path}`;
  if (body.size > credential.maxBytes) {
    throw new ApiError(413, 'PAYLOAD_TOO_LARGE', `${key} is ${body.size} bytes, over ${credential.maxBytes}`);
  }
  const form = new FormData();
  for (const [name, value] of Object.entries(credential.fields)) form.append(name, value);
  form.append('key', key);
  form.append('Content-Type', contentType);
  form.append('file', body);
  let res: Response;
  try {
    res = await doFetch(credential.url, { method: 'POST', body: form });
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new ApiError(0, 'NETWORK', `POST of ${key} got no answer: ${reason}`, { cause });
  }
  const text = await res.text().catch(() => '');
  if (res.ok) return;
  const code =
    res.status === 403
      ? 'FORBIDDEN'
      : res.status === 413 || /EntityTooLarge/.test(text)
        ? 'PAYLOAD_TOO_LARGE'
        : res.status >= 500 || res.status === 429
          ? 'SERVICE_UNAVAILABLE'
          : 'UPLOAD_FAILED';
  const reason = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
  throw new ApiError(
    res.status,
    code,
    `POST of ${key} answered HTTP ${res.status}${reason ? ` (${reason})` : ''}`,
    {
      details: { key, ...(reason && { reason }) },
    },
  );
}

/**
 * Whether trying again may help: no answer, a 5xx or 429, or a 403 (the policy may have expired:
 * the caller renews the credential first). A too-large object or a malformed form will not pass.
 */
export function retryable(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    ['NETWORK', 'SERVICE_UNAVAILABLE', 'FORBIDDEN', 'THROTTLED'].includes(error.code)
  );
}

/** Attempt `n` (from 0) of an upload waits this long first: 250 ms doubling, at most 4 s. */
export const retryDelayMs = (attempt: number): number =>
  attempt === 0 ? 0 : Math.min(4000, 250 * 2 ** (attempt - 1));

/** Attempts at one object before the ladder gives up: about half a minute of trying. */
export const UPLOAD_ATTEMPTS = 10;

/**
 * Reads a playlist the ladder wrote, through the CDN (the credential's playback URL's folder +
 * `path`), bypassing the browser's cache: its text, or undefined when there is none (404, or 403
 * as S3 answers a missing key to a reader without ListBucket). Anything else rejects.
 *
 * @example
 * const index = await readPlaylist(credential, '720p/index.m3u8');
 */
export async function readPlaylist(
  credential: LiveCredential,
  path: string,
  doFetch: typeof fetch = globalThis.fetch,
): Promise<string | undefined> {
  const url = new URL(path, credential.playback.hls).toString();
  let res: Response;
  try {
    res = await doFetch(url, { cache: 'no-store' });
  } catch (cause) {
    throw new ApiError(0, 'NETWORK', `GET ${url} got no answer`, { cause });
  }
  const text = await res.text().catch(() => '');
  if (res.status === 404 || res.status === 403) return undefined;
  if (!res.ok)
    throw new ApiError(
      res.status,
      res.status >= 500 ? 'SERVICE_UNAVAILABLE' : 'UPLOAD_FAILED',
      `GET ${url} answered HTTP ${res.status}`,
    );
  return text;
}
