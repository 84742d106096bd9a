import middy from '@middy/core';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { DynamoRecordingStore } from '../adapters/recording-store.ts';
import { systemClock } from '../adapters/system.ts';
import { requireEnv } from '../config.ts';
import { applyJobState, type JobStateDetail } from '../core/recording-pipeline.ts';
import { log } from '../log.ts';

const deps = {
  recordings: new DynamoRecordingStore(requireEnv('STREAMS_TABLE')),
  clock: systemClock,
  mediaBaseUrl: requireEnv('MEDIA_BASE_URL'),
};

/**
 * "MediaConvert Job State Change" events for this service's jobs (the rule filters on the job's
 * user metadata): progress, then `ready` with the CDN URLs, or `failed` with MediaConvert's reason.
 */
export const handler = middy<EventBridgeEvent<string, JobStateDetail>, void, Error, Context>().handler(
  async (event, context) => {
    const outcome = await applyJobState(deps, event.detail);
    log.info('recording job state', {
      requestId: context.awsRequestId,
      jobId: event.detail.jobId,
      status: event.detail.status,
      streamId: event.detail.userMetadata?.streamId,
      outcome,
    });
  },
);
