import middy from '@middy/core';
import type { Context, S3Event } from 'aws-lambda';
import { DynamoRecordingStore } from '../adapters/recording-store.ts';
import { DynamoStreamStore } from '../adapters/stream-store.ts';
import { systemClock } from '../adapters/system.ts';
import { MediaConvertTranscoder } from '../adapters/transcoder.ts';
import { requireEnv } from '../config.ts';
import { transcodeUpload } from '../core/recording-pipeline.ts';
import { log } from '../log.ts';

const table = requireEnv('STREAMS_TABLE');
const deps = {
  streams: new DynamoStreamStore(table),
  recordings: new DynamoRecordingStore(table),
  transcoder: new MediaConvertTranscoder(),
  clock: systemClock,
  bucket: requireEnv('RECORDINGS_BUCKET'),
  roleArn: requireEnv('MEDIACONVERT_ROLE_ARN'),
};

/**
 * S3 ObjectCreated under `uploads/` (a completed recording upload): probe the source and submit
 * its MediaConvert job. A throw makes Lambda retry the async invocation (twice).
 */
export const handler = middy<S3Event, void, Error, Context>().handler(async (event, context) => {
  for (const record of event.Records) {
    // S3 URL-encodes keys in events, with `+` for spaces.
    const key = decodeURIComponent(record.s3.object.key.replaceAll('+', ' '));
    if (record.s3.bucket.name !== deps.bucket) continue;
    const outcome = await transcodeUpload(deps, { key, sizeBytes: record.s3.object.size });
    log.info('recording upload', { requestId: context.awsRequestId, key, outcome });
  }
});
