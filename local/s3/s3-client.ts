import { S3Client } from '@aws-sdk/client-s3';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../constants.ts';

/** `uploads/a b.webm` as a path: each segment percent-encoded, slashes kept. */
export const encodeKey = (key: string): string => key.split('/').map(encodeURIComponent).join('/');

/** An S3 client of the stand-ins themselves, signing with the local keys like any handler. */
export function localS3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    forcePathStyle: true,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
