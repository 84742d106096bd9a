import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { RecordingBucket, StoredPart } from '../core/ports.ts';

let shared: S3Client | undefined;

/**
 * The process-wide S3 client. A custom endpoint (the local stack's `AWS_ENDPOINT_URL_S3`) cannot
 * serve virtual-hosted bucket names, hence path style there. Checksums only where S3 requires
 * them: otherwise the SDK would sign a checksum of an empty body into presigned part URLs.
 */
export function s3Client(): S3Client {
  shared ??= new S3Client({
    forcePathStyle: process.env.AWS_ENDPOINT_URL_S3 !== undefined,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return shared;
}

const isNoSuchUpload = (error: unknown) => error instanceof Error && error.name === 'NoSuchUpload';

/** The recordings bucket over the S3 API: multipart uploads, presigned parts, prefix deletes. */
export class S3RecordingBucket implements RecordingBucket {
  constructor(
    readonly name: string,
    private readonly s3: S3Client = s3Client(),
  ) {}

  async createUpload(key: string, contentType: string): Promise<string> {
    const out = await this.s3.send(
      new CreateMultipartUploadCommand({ Bucket: this.name, Key: key, ContentType: contentType }),
    );
    if (!out.UploadId) throw new Error('S3 returned no UploadId');
    return out.UploadId;
  }

  presignPart(
    key: string,
    uploadId: string,
    part: { partNumber: number; sizeBytes: number },
    expiresInSeconds: number,
  ): Promise<string> {
    // Content-Length is signed: S3 refuses a part of any other size than the one asked for.
    const command = new UploadPartCommand({
      Bucket: this.name,
      Key: key,
      UploadId: uploadId,
      PartNumber: part.partNumber,
      ContentLength: part.sizeBytes,
    });
    return getSignedUrl(this.s3, command, { expiresIn: expiresInSeconds });
  }

  async listParts(key: string, uploadId: string): Promise<StoredPart[] | undefined> {
    const parts: StoredPart[] = [];
    let marker: string | undefined;
    try {
      // At most 10 pages: S3 allows 10,000 parts and lists up to 1,000 at a time.
      for (let page = 0; page < 10; page++) {
        const out = await this.s3.send(
          new ListPartsCommand({ Bucket: this.name, Key: key, UploadId: uploadId, PartNumberMarker: marker }),
        );
        for (const part of out.Parts ?? []) {
          if (part.PartNumber === undefined || part.ETag === undefined) continue;
          parts.push({ partNumber: part.PartNumber, etag: part.ETag, sizeBytes: part.Size ?? 0 });
        }
        if (!out.IsTruncated) break;
        marker = out.NextPartNumberMarker;
      }
    } catch (error) {
      if (isNoSuchUpload(error)) return undefined;
      throw error;
    }
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  async completeUpload(key: string, uploadId: string, parts: readonly StoredPart[]): Promise<void> {
    await this.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.name,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
      }),
    );
  }

  async abortUpload(key: string, uploadId: string): Promise<void> {
    try {
      await this.s3.send(
        new AbortMultipartUploadCommand({ Bucket: this.name, Key: key, UploadId: uploadId }),
      );
    } catch (error) {
      if (!isNoSuchUpload(error)) throw error;
    }
  }

  async deletePrefix(prefix: string): Promise<number> {
    let deleted = 0;
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.name, Prefix: prefix, ContinuationToken: token }),
      );
      const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
      if (keys.length > 0) {
        const out = await this.s3.send(
          new DeleteObjectsCommand({ Bucket: this.name, Delete: { Objects: keys, Quiet: true } }),
        );
        const [failure] = out.Errors ?? [];
        if (failure) throw new Error(`S3 could not delete ${failure.Key}: ${failure.Code}`);
        deleted += keys.length;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return deleted;
  }
}
