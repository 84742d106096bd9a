import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** The slice of s3rver's filesystem store (lib/stores/filesystem.js, 3.7.1) this module wraps. */
export interface FilesystemStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: unknown, md5: string): Promise<void>;
  putObject(object: StoredObject): Promise<{ size: number; md5: string }>;
  getObject(bucket: string, key: string, options?: unknown): Promise<unknown>;
  getMetadata(bucket: string, key: string): Promise<unknown>;
}

interface StoredObject {
  bucket: string;
  key: string;
  metadata: unknown;
  content: Buffer | Readable;
}

/**
 * S3 replaces an object atomically: a GET that overlaps a PUT (or POST) of the same key answers
 * the old object or the new one, whole. s3rver's filesystem store rewrites the object's file in
 * place, then its metadata, so a GET meanwhile reads a size from one version and bytes from
 * another: a short body, a 500, a truncated playlist. The live ladder rewrites each playlist every
 * second while players read it, so the stand-in must not do that. Wrapped here:
 *
 * - a write streams to a temporary file beside the object (a name s3rver's listing skips), then
 *   writes the metadata and renames the file over the object, both inside the key's write section;
 * - a read (GET, HEAD) takes the key's read section only while s3rver stats the file, reads the
 *   metadata and opens the file: an open file keeps its bytes when a rename replaces it.
 *
 * Readers of a key share its section; a write waits for the readers inside and holds back readers
 * that come after it (first come, first served), so it never starves.
 */
export function atomicOverwrites(store: FilesystemStore): void {
  const locks = new KeyLocks();
  const getObject = store.getObject.bind(store);
  const getMetadata = store.getMetadata.bind(store);
  store.getObject = (bucket, key, options) =>
    locks.read(`${bucket}/${key}`, () => getObject(bucket, key, options));
  store.getMetadata = (bucket, key) => locks.read(`${bucket}/${key}`, () => getMetadata(bucket, key));
  store.putObject = async (object) => {
    const path = store.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${randomUUID()}.partial`;
    const md5 = createHash('md5');
    let size = 0;
    try {
      const content = object.content;
      const chunks = async function* () {
        for await (const chunk of Buffer.isBuffer(content) ? [content] : (content as AsyncIterable<Buffer>)) {
          md5.update(chunk);
          size += chunk.length;
          yield chunk;
        }
      };
      await pipeline(chunks(), createWriteStream(temporary));
      const digest = md5.digest('hex');
      await locks.write(`${object.bucket}/${object.key}`, async () => {
        await store.putMetadata(object.bucket, object.key, object.metadata, digest);
        await rename(temporary, path);
      });
      return { size, md5: digest };
    } finally {
      await rm(temporary, { force: true });
    }
  };
}

interface Waiter {
  write: boolean;
  go: () => void;
}

/** A readers-writer lock per key, first come, first served; keys with nobody inside are forgotten. */
class KeyLocks {
  private readonly keys = new Map<string, { readers: number; writing: boolean; queue: Waiter[] }>();

  read<T>(key: string, work: () => Promise<T>): Promise<T> {
    return this.run(key, false, work);
  }

  write<T>(key: string, work: () => Promise<T>): Promise<T> {
    return this.run(key, true, work);
  }

  private async run<T>(key: string, write: boolean, work: () => Promise<T>): Promise<T> {
    let state = this.keys.get(key);
    if (!state) {
      state = { readers: 0, writing: false, queue: [] };
      this.keys.set(key, state);
    }
    const held = state;
    await new Promise<void>((go) => {
      held.queue.push({ write, go });
      this.pump(held);
    });
    try {
      return await work();
    } finally {
      if (write) held.writing = false;
      else held.readers--;
      this.pump(held);
      if (!held.writing && held.readers === 0 && held.queue.length === 0) this.keys.delete(key);
    }
  }

  private pump(state: { readers: number; writing: boolean; queue: Waiter[] }): void {
    for (let next = state.queue[0]; next; next = state.queue[0]) {
      if (state.writing || (next.write && state.readers > 0)) return;
      state.queue.shift();
      if (next.write) state.writing = true;
      else state.readers++;
      next.go();
    }
  }
}
