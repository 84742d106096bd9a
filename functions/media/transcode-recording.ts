import type { S3Event } from 'aws-lambda';
import { transcodeUpload } from '../core/recording-pipeline.ts';
import { lambda } from '../handler.ts';
import { log } from '../log.ts';
import { transcodeDeps } from '../wiring.ts';

const deps = transcodeDeps();

/**
 * S3 ObjectCreated under `uploads/` (a completed recording upload): probe the source and submit
 * its MediaConvert job. A throw makes Lambda retry the async invocation (twice).
 */
export const handler = lambda<S3Event, void>(
  'transcodeRecording',
  async (event) => {
    for (const record of event.Records) {
      // S3 URL-encodes keys in events, with `+` for spaces.
      const key = decodeURIComponent(record.s3.object.key.replaceAll('+', ' '));
      if (record.s3.bucket.name !== deps.bucket) continue;
      const outcome = await transcodeUpload(deps, { key, sizeBytes: record.s3.object.size });
      log.info('recording upload', { key, outcome });
    }
  },
  'rethrow',
);
