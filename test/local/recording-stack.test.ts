import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaConvertClient, ProbeCommand } from '@aws-sdk/client-mediaconvert';
import {
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { recordedClip } from './media-harness.ts';

/** What the handlers build: everything from the environment, path-style for a custom endpoint. */
const handlerS3 = () => new S3Client({ forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' });

describe('startLocalStack: the recording stand-ins', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    process.env.RECORDING_MAX_BYTES = '1048576';
    stack = await startLocalStack({ quiet: true });
  });
  afterAll(async () => {
    await stack.close();
    delete process.env.RECORDING_MAX_BYTES;
  });

  it('points the handlers at S3, MediaConvert and the CDN on the stack port', () => {
    expect(process.env).toMatchObject({
      AWS_ENDPOINT_URL_S3: `${stack.url}/s3`,
      AWS_ENDPOINT_URL_MEDIACONVERT: `${stack.url}/mediaconvert`,
      RECORDINGS_BUCKET: 'dreamx-recordings',
      MEDIA_BASE_URL: `${stack.url}/media`,
      MEDIACONVERT_ROLE_ARN: 'arn:aws:iam::000000000000:role/local-mediaconvert',
      // The developer's limit is kept; the upload window is the deployment default.
      RECORDING_MAX_BYTES: '1048576',
      RECORDING_UPLOAD_WINDOW_SECONDS: '900',
    });
    expect(stack.s3).toMatchObject({ endpoint: `${stack.url}/s3`, bucket: 'dreamx-recordings' });
    expect(stack.media.url).toBe(`${stack.url}/media`);
  });

  it('takes presigned part uploads same-origin, and serves media/ on /media', async () => {
    const s3 = handlerS3();
    try {
      const key = 'media/stack-test/source.webm';
      const { UploadId } = await s3.send(
        new CreateMultipartUploadCommand({ Bucket: stack.s3.bucket, Key: key, ContentType: 'video/webm' }),
      );
      const url = await getSignedUrl(
        s3,
        new UploadPartCommand({
          Bucket: stack.s3.bucket,
          Key: key,
          UploadId,
          PartNumber: 1,
          ContentLength: 4,
        }),
        { expiresIn: 60 },
      );
      const put = await fetch(url, { method: 'PUT', body: 'abcd' });
      const parts = await s3.send(new ListPartsCommand({ Bucket: stack.s3.bucket, Key: key, UploadId }));
      await s3.send(
        new PutObjectCommand({
          Bucket: stack.s3.bucket,
          Key: 'media/stack-test/index.m3u8',
          Body: '#EXTM3U\n',
          ContentType: 'application/vnd.apple.mpegurl',
        }),
      );
      const served = await fetch(`${stack.media.url}/stack-test/index.m3u8`);

      expect(url.startsWith(`${stack.url}/s3/dreamx-recordings/media/stack-test/source.webm?`)).toBe(true);
      expect(put.status).toBe(200);
      expect(parts.Parts?.map((p) => p.Size)).toEqual([4]);
      expect(served.status).toBe(200);
      expect(served.headers.get('access-control-allow-origin')).toBe('*');
      expect(await served.text()).toBe('#EXTM3U\n');
      expect((await fetch(`${stack.media.url}/stack-test/none.m3u8`)).status).toBe(404);
    } finally {
      s3.destroy();
    }
  });

  it('serves MediaConvert to a client built with no options', async () => {
    const s3 = handlerS3();
    const mediaConvert = new MediaConvertClient({});
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: stack.s3.bucket,
          Key: 'media/stack-test/clip.webm',
          Body: await recordedClip({ seconds: 1, width: 320, height: 240 }),
        }),
      );
      const probed = await mediaConvert.send(
        new ProbeCommand({ InputFiles: [{ FileUrl: 's3://dreamx-recordings/media/stack-test/clip.webm' }] }),
      );
      const missing = await mediaConvert
        .send(new ProbeCommand({ InputFiles: [{ FileUrl: 's3://dreamx-recordings/uploads/none.webm' }] }))
        .catch((err: Error) => err.name);

      expect(probed.ProbeResults?.[0]?.Container?.Tracks?.[0]?.VideoProperties).toMatchObject({
        Width: 320,
        Height: 240,
      });
      expect(missing).toBe('BadRequestException');
      await stack.media.idle();
    } finally {
      s3.destroy();
      mediaConvert.destroy();
    }
  });
});

describe('startLocalStack (persisted): the bucket', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-stack-s3-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('keeps objects under <dataDir>/s3 across a restart', async () => {
    const first = await startLocalStack({ dataDir: dir, quiet: true });
    let s3 = handlerS3();
    await s3.send(
      new PutObjectCommand({ Bucket: first.s3.bucket, Key: 'media/kept/index.m3u8', Body: 'kept' }),
    );
    s3.destroy();
    await first.close();

    const second = await startLocalStack({ dataDir: dir, quiet: true });
    s3 = handlerS3();
    try {
      const got = await s3.send(
        new GetObjectCommand({ Bucket: second.s3.bucket, Key: 'media/kept/index.m3u8' }),
      );
      expect(await got.Body?.transformToString()).toBe('kept');
      await expect(access(join(dir, 's3', 'dreamx-recordings'))).resolves.toBeUndefined();
    } finally {
      s3.destroy();
      await second.close();
    }
  });
});
