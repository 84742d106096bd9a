import type { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import type { LiveUploads, UploadCredential } from '../core/ports.ts';
import { s3Client } from './recording-bucket.ts';

/**
 * Live uploads over S3 presigned POST policies, signed with the function's own credentials (its
 * role's `s3:PutObject` on `live/*` is what the policy carries; on Lambda the session token
 * becomes one more field, covered by the policy like the others).
 */
export class S3LiveUploads implements LiveUploads {
  constructor(
    private readonly bucket: string,
    private readonly s3: S3Client = s3Client(),
  ) {}

  async credential(
    keyPrefix: string,
    limits: { maxBytes: number; expiresInSeconds: number },
  ): Promise<UploadCredential> {
    const { url, fields } = await createPresignedPost(this.s3, {
      Bucket: this.bucket,
      // A key ending in `${filename}` is how the SDK is told the key is not fixed: it then signs
      // `starts-with $key` (the same condition as below) instead of one exact key. The `key` field
      // it returns is dropped: the broadcaster names each object itself.
      Key: `${keyPrefix}\${filename}`,
      Conditions: [
        ['starts-with', '$key', keyPrefix],
        ['content-length-range', 1, limits.maxBytes],
        // Any type, but one must be sent: players need `.m3u8` served as a playlist.
        ['starts-with', '$Content-Type', ''],
        { bucket: this.bucket },
      ],
      Expires: limits.expiresInSeconds,
    });
    const { key: _named, ...form } = fields;
    return { url, fields: form, expiresAt: policyExpiration(form.Policy) };
  }
}

/** The policy's own `expiration` (whole seconds), so what the API answers is exactly what S3 enforces. */
function policyExpiration(policy: string | undefined): number {
  const document = JSON.parse(Buffer.from(policy ?? '', 'base64').toString('utf8')) as {
    expiration?: string;
  };
  const expiresAt = Date.parse(document.expiration ?? '');
  if (Number.isNaN(expiresAt)) throw new Error('The presigned POST policy has no expiration');
  return expiresAt;
}
