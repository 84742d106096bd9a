import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { LiveObjects, LiveText } from '../core/ports.ts';
import { s3Client } from './recording-bucket.ts';

/** The HTTP status an S3 error came with (the SDK's `$metadata`), if any. */
const statusOf = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;

/**
 * The live ladder's objects in the recordings bucket over the S3 API. Writes are conditional
 * (`If-Match`, S3's conditional writes): S3 answers 412 when the object changed since it was read,
 * 409 when another conditional write to it raced this one, 404 when it went; each is "not written".
 */
export class S3LiveObjects implements LiveObjects {
  constructor(
    readonly bucket: string,
    private readonly s3: S3Client = s3Client(),
  ) {}

  async read(key: string): Promise<LiveText | undefined> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const text = (await out.Body?.transformToString('utf-8')) ?? '';
      if (!out.ETag) throw new Error(`S3 returned no ETag for ${key}`);
      return { text, etag: out.ETag, ...(out.CacheControl && { cacheControl: out.CacheControl }) };
    } catch (error) {
      if (error instanceof Error && error.name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  async writeIfUnchanged(
    key: string,
    text: string,
    options: { ifMatch: string; contentType: string; cacheControl?: string },
  ): Promise<boolean> {
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: text,
          IfMatch: options.ifMatch,
          ContentType: options.contentType,
          CacheControl: options.cacheControl,
        }),
      );
      return true;
    } catch (error) {
      if ([404, 409, 412].includes(statusOf(error) ?? 0)) return false;
      throw error;
    }
  }

  async listFolders(prefix: string, limit: number): Promise<string[]> {
    const out = await this.s3.send(
      new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, Delimiter: '/', MaxKeys: limit }),
    );
    return (out.CommonPrefixes ?? []).flatMap(({ Prefix: folder }) =>
      folder?.startsWith(prefix) && folder.endsWith('/') ? [folder.slice(prefix.length, -1)] : [],
    );
  }
}
