import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { recordingDeps } from '../api/deps.ts';
import { finishAbandonedUpload } from '../core/recording-upload.ts';
import { log } from '../log.ts';

const deps = recordingDeps();

/**
 * The streams table's stream, filtered to ended streams whose upload is still open: completes
 * each with the parts S3 holds (or fails it), so a crashed broadcaster's recording still plays.
 * Each stream is reported on its own, so one failure retries only that record onward.
 */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse, Error, Context>().handler(
  async (event, context) => {
    for (const record of event.Records) {
      const image = record.dynamodb?.NewImage;
      const streamId = image ? unmarshall(image as Record<string, AttributeValue>).streamId : undefined;
      if (typeof streamId !== 'string') continue;
      try {
        await finishAbandonedUpload(deps, streamId);
        log.info('recording finished at stream end', { requestId: context.awsRequestId, streamId });
      } catch (error) {
        log.error('recording finish failed', { requestId: context.awsRequestId, streamId, error });
        return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
      }
    }
    return { batchItemFailures: [] };
  },
);
