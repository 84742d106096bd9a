import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { finishAbandonedUpload } from '../core/recording-upload.ts';
import { lambda } from '../handler.ts';
import { log } from '../log.ts';
import { newImageOf } from '../stream-images.ts';
import { recordingDeps } from '../wiring.ts';

const deps = recordingDeps();

/**
 * The streams table's stream, filtered to ended streams whose upload is still open: completes
 * each with the parts S3 holds (or fails it), so a crashed broadcaster's recording still plays.
 * Each stream is reported on its own, so one failure retries only that record onward.
 */
export const handler = lambda<DynamoDBStreamEvent, DynamoDBBatchResponse>(
  'finishRecording',
  async (event) => {
    for (const record of event.Records) {
      const streamId = newImageOf(record)?.streamId;
      if (typeof streamId !== 'string') continue;
      try {
        await finishAbandonedUpload(deps, streamId);
        log.info('recording finished at stream end', { streamId });
      } catch (error) {
        // Report this record (and so the rest of the batch) for retry; those before it are done.
        log.error('recording finish failed', { streamId, error });
        return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
      }
    }
    return { batchItemFailures: [] };
  },
  'rethrow',
);
