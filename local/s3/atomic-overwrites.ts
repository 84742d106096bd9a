import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, fstat } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * The slice of s3rver's filesystem store (node_modules/s3rver/lib/stores/filesystem.js, 3.7.1)
 * that is replaced here. s3rver-internal knowledge, as in s3-store.ts; test/local/s3/overwrite
 * fails loudly if an upgrade moves it.
 */
interface FilesystemStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5: string): Promise<void>;
  putObject(object: StoredObject): Promise<{ size: number; md5: string }>;
  getObject(bucket: string, key: string, options?: unknown): Promise<ReadObject | null>;
}
interface StoredObject {
  bucket: string;
  key: string;
  content: Buffer | Readable;
  metadata: Record<string, string>;
}
interface ReadObject {
  content: (Readable & { fd?: number | null }) | null;
  metadata: Record<string, string | number>;
}

/** Reads that found the object replaced between sizing and opening it are tried again this often. */
const READ_ATTEMPTS = 5;

/**
 * Makes s3rver replace objects as S3 does, atomically: a GET while the key is being PUT answers
 * the old object or the new one, whole. s3rver alone truncates the file in place and sizes a read
 * before opening it, so a read racing a write gets a body cut short (a 500, a reset): the live
 * ladder's playlists are overwritten every second while players read them.
 *
 * A write goes to a temporary file beside the object (its name ends `.tmp`, which no listing
 * takes for an object) and is renamed over it; its ETag and metadata go the same way, first. A
 * read whose opened file is not the size it was given (replaced in between) is read again.
 */
export function atomicOverwrites(s3rver: unknown): void {
  const { store } = s3rver as { store: FilesystemStore };
  const original = { getObject: store.getObject.bind(store), putMetadata: store.putMetadata.bind(store) };

  store.putObject = async (object) => {
    const path = (resource: string) => store.getResourcePath(object.bucket, object.key, resource);
    const temp = `.${randomBytes(6).toString('hex')}.tmp`;
    const objectPath = path('object');
    await mkdir(dirname(objectPath), { recursive: true });
    const md5 = createHash('md5');
    let size = 0;
    const content = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
    try {
      await pipeline(
        content,
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            md5.update(chunk);
            size += chunk.length;
            yield chunk;
          }
        },
        createWriteStream(objectPath + temp),
      );
      const etag = md5.digest('hex');
      // The ETag and metadata under a temporary key, then each renamed over the object's own.
      const tempKey = `${object.key}${temp}`;
      await original.putMetadata(object.bucket, tempKey, object.metadata, etag);
      const own = (resource: string) => store.getResourcePath(object.bucket, tempKey, resource);
      await rename(own('object.md5'), path('object.md5'));
      await rename(own('metadata.json'), path('metadata.json'));
      await rename(objectPath + temp, objectPath);
      return { size, md5: etag };
    } catch (error) {
      await rm(objectPath + temp, { force: true });
      throw error;
    }
  };

  store.getObject = async (bucket, key, options) => {
    for (let attempt = 1; ; attempt++) {
      const object = await original.getObject(bucket, key, options);
      const fd = object?.content?.fd;
      if (!object?.content || typeof fd !== 'number' || attempt === READ_ATTEMPTS) return object;
      const opened = await new Promise<number>((resolve, reject) =>
        fstat(fd, (error, stats) => (error ? reject(error) : resolve(stats.size))),
      );
      if (opened === Number(object.metadata['content-length'])) return object;
      object.content.destroy();
    }
  };
}
