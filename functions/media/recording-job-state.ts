import type { EventBridgeEvent } from 'aws-lambda';
import { applyJobState, type JobStateDetail } from '../core/recording-pipeline.ts';
import { lambda } from '../handler.ts';
import { log } from '../log.ts';
import { jobStateDeps } from '../wiring.ts';

const deps = jobStateDeps();

/**
 * "MediaConvert Job State Change" events for this service's jobs (the rule filters on the job's
 * user metadata): progress, then `ready` with the CDN URLs, or `failed` with MediaConvert's reason.
 */
export const handler = lambda<EventBridgeEvent<string, JobStateDetail>, void>(
  'recordingJobState',
  async (event) => {
    const outcome = await applyJobState(deps, event.detail);
    log.info('recording job state', {
      jobId: event.detail.jobId,
      status: event.detail.status,
      streamId: event.detail.userMetadata?.streamId,
      outcome,
    });
  },
  'rethrow',
);
