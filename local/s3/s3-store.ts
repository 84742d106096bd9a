import { createHash } from 'node:crypto';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * What the S3 stand-in reads of s3rver's own filesystem store, for the multipart calls s3rver
 * lacks (ListParts, AbortMultipartUpload) and the checks it skips. This is s3rver-internal
 * knowledge, from node_modules/s3rver/lib/stores/filesystem.js as of 3.7.1, pinned by a test
 * (test/local/s3/s3.test.ts) so an upgrade that moves things fails loudly:
 *
 *   <root>/<bucket>/._S3rver_uploads/<uploadId>/key          the upload's object key
 *   <root>/<bucket>/._S3rver_uploads/<uploadId>/metadata     its CreateMultipartUpload headers
 *   <root>/<bucket>/._S3rver_uploads/<uploadId>/<n>          part n's bytes
 *   <root>/<bucket>/._S3rver_uploads/<uploadId>/<n>.md5      part n's MD5, hex (its ETag)
 *   <root>/<bucket>/<dirs of key>/<name>._S3rver_object.md5  an object's ETag, hex
 *
 * s3rver removes the upload directory once it completes.
 */
export const S3RVER_UPLOADS_DIR = '._S3rver_uploads';

/** s3rver's upload ids: 16 random bytes in hex. Anything else is no upload (and no path to walk). */
const UPLOAD_ID = /^[0-9a-f]{32}$/;

export interface StoredPart {
  readonly partNumber: number;
  /** The part's MD5 in hex, without quotes. */
  readonly etag: string;
  readonly size: number;
  readonly lastModified: Date;
}

export interface UploadStore {
  /** The object key of an upload in progress, or undefined when there is none by that id. */
  uploadKey(uploadId: string): Promise<string | undefined>;
  /** The upload's parts, ascending by number. */
  parts(uploadId: string): Promise<StoredPart[]>;
  /** Deletes the upload and its parts. */
  remove(uploadId: string): Promise<void>;
  /** Replaces a stored object's ETag (s3rver gives a completed upload the MD5 of the whole). */
  setObjectEtag(key: string, etag: string): Promise<void>;
}

export function uploadStore(root: string, bucket: string): UploadStore {
  const uploadDir = (uploadId: string) => join(root, bucket, S3RVER_UPLOADS_DIR, uploadId);
  return {
    async uploadKey(uploadId) {
      if (!UPLOAD_ID.test(uploadId)) return undefined;
      return readFile(join(uploadDir(uploadId), 'key'), 'utf8').catch(() => undefined);
    },
    async parts(uploadId) {
      const dir = uploadDir(uploadId);
      const names = (await readdir(dir).catch(() => [] as string[])).filter((name) =>
        /^[1-9]\d*$/.test(name),
      );
      const parts = await Promise.all(
        names.map(async (name): Promise<StoredPart | undefined> => {
          try {
            const [info, md5] = await Promise.all([
              stat(join(dir, name)),
              readFile(join(dir, `${name}.md5`), 'utf8'),
            ]);
            return { partNumber: Number(name), etag: md5.trim(), size: info.size, lastModified: info.mtime };
          } catch {
            return undefined; // a part still being written has no .md5 yet
          }
        }),
      );
      return parts.filter((part) => part !== undefined).sort((a, b) => a.partNumber - b.partNumber);
    },
    async remove(uploadId) {
      if (UPLOAD_ID.test(uploadId)) await rm(uploadDir(uploadId), { recursive: true, force: true });
    },
    async setObjectEtag(key, etag) {
      const dirs = key.split('/');
      const name = dirs.pop() ?? '';
      await writeFile(join(root, bucket, ...dirs, `${name}._S3rver_object.md5`), etag);
    },
  };
}

/** S3's ETag of a multipart object: the MD5 of the parts' binary MD5s, then `-<number of parts>`. */
export function multipartEtag(partEtags: readonly string[]): string {
  const md5 = createHash('md5');
  for (const etag of partEtags) md5.update(Buffer.from(etag, 'hex'));
  return `${md5.digest('hex')}-${partEtags.length}`;
}
