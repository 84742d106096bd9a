import { randomUUID } from 'node:crypto';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../constants.ts';
import type { AsyncInvoker } from '../lambda/async-invoke.ts';
import { compileFilters } from '../shared/event-filter.ts';
import { pendingWork } from '../shared/pending-work.ts';

/** A manifest `kind: 'eventbridge'` source: a rule's pattern and its Lambda target. */
export interface EventBridgeSource {
  readonly handler: string;
  readonly pattern: unknown;
}

export const JOB_STATE_CHANGE = 'MediaConvert Job State Change';
export const QUEUE_ARN = `arn:aws:mediaconvert:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:queues/Default`;
export const jobArn = (id: string) => `arn:aws:mediaconvert:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:jobs/${id}`;

/** The event's `detail` besides what every job event carries. */
export type JobDetail = { readonly status: 'PROGRESSING' | 'STATUS_UPDATE' | 'COMPLETE' | 'ERROR' } & Record<
  string,
  unknown
>;

/**
 * EventBridge for MediaConvert's job events: each event goes to every `eventbridge` source whose
 * pattern matches it (the Lambda target invoked asynchronously, with its retries). Events are
 * delivered one after the other, in the order the jobs emitted them; EventBridge itself promises
 * no order, so handlers must not depend on it, but locally a run reads the same every time.
 */
export function createJobEvents(options: { sources: readonly EventBridgeSource[]; invoker: AsyncInvoker }) {
  const rules = options.sources.map((source) => ({ ...source, matches: compileFilters([source.pattern]) }));
  const pending = pendingWork();
  let chain: Promise<unknown> = Promise.resolve();

  return {
    /** Queues the event of `jobId` for delivery; returns at once. */
    emit(jobId: string, userMetadata: Readonly<Record<string, string>>, detail: JobDetail): void {
      const now = Date.now();
      const event = {
        version: '0',
        id: randomUUID(),
        'detail-type': JOB_STATE_CHANGE,
        source: 'aws.mediaconvert',
        account: LOCAL_ACCOUNT_ID,
        time: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        region: LOCAL_REGION,
        resources: [jobArn(jobId)],
        detail: {
          timestamp: now,
          accountId: LOCAL_ACCOUNT_ID,
          queue: QUEUE_ARN,
          jobId,
          userMetadata,
          ...detail,
        },
      };
      const targets = rules.filter((rule) => rule.matches(event));
      if (targets.length === 0) return;
      pending.add();
      chain = chain
        .then(() =>
          Promise.all(
            targets.map((rule) =>
              options.invoker.invoke(rule.handler, event, `${detail.status} of job ${jobId}`),
            ),
          ),
        )
        .finally(() => pending.done());
    },
    /** Resolves once every event emitted so far was delivered (or dropped after its retries). */
    idle: () => pending.idle(),
    /** Resolves every waiter: undelivered events are dropped with the stack. */
    abandon: () => pending.abandon(),
  };
}

export type JobEvents = ReturnType<typeof createJobEvents>;
