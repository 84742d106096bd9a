import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { eventSources } from '../../functions/manifest.ts';
import { deadLetterQueue } from './dead-letters.ts';
import type { ServiceFunction } from './function.ts';
import type { Functions } from './handlers.ts';

type EventSourceDef = (typeof eventSources)[number];
/** A manifest event source that invokes its handler asynchronously: S3 notifications, EventBridge rules. */
export type AsyncSourceDef = Extract<EventSourceDef, { kind: 's3' | 'eventbridge' }>;
export type AsyncHandler = AsyncSourceDef['handler'];

/** Lambda's own retries of a failed asynchronous invocation (its default, stated on purpose). */
export const ASYNC_RETRY_ATTEMPTS = 2;
/** How long EventBridge keeps trying to hand an event to Lambda: as long as Lambda's own async queue. */
export const RULE_MAX_EVENT_AGE = Duration.hours(6);
export const RULE_RETRY_ATTEMPTS = 10;

/**
 * Where an asynchronously invoked handler's lost events go: one encrypted, TLS-only queue that gets
 * both the events its function still failed after Lambda's retries (an on-failure destination, which
 * holds the event itself) and, for EventBridge rules, the events the rule could not deliver at all.
 * Without it a failed transcode or job-state event would be dropped silently and the recording left
 * in `processing`.
 */
export class AsyncConsumer extends Construct {
  readonly deadLetters: sqs.Queue;

  constructor(scope: Construct, id: string, consumer: ServiceFunction) {
    super(scope, id);
    this.deadLetters = deadLetterQueue(this, "a function's asynchronous invocations");
    consumer.function.configureAsyncInvoke({
      retryAttempts: ASYNC_RETRY_ATTEMPTS,
      onFailure: new SqsDestination(this.deadLetters),
    });
  }
}

/** The manifest pattern in the L2's shape: only `detail-type` is spelled differently (`detailType`). */
function eventPatternOf(
  pattern: Extract<AsyncSourceDef, { kind: 'eventbridge' }>['pattern'],
): events.EventPattern {
  const { 'detail-type': detailType, ...rest } = pattern;
  // A deep copy: the manifest's arrays are readonly literals, the L2's are mutable string arrays.
  return JSON.parse(JSON.stringify({ ...rest, detailType })) as events.EventPattern;
}

/** The S3 event types, as the manifest spells them (`s3:ObjectCreated:*`). */
const s3EventType = (name: string): s3.EventType => {
  const known = Object.values(s3.EventType) as string[];
  if (!known.includes(name)) throw new Error(`Unknown S3 event type '${name}' in the manifest`);
  return name as s3.EventType;
};

/**
 * The manifest's asynchronous event sources: each `s3` source becomes a notification on the
 * recordings bucket (its events, its prefix) to its handler, each `eventbridge` source a rule on the
 * default bus with exactly the manifest pattern, targeting its handler with a bounded retry policy.
 * Every handler they invoke gets an `AsyncConsumer` (one per handler, however many sources feed it).
 */
export function asyncSourcesFromManifest(
  scope: Construct,
  functions: Functions,
  recordings: s3.IBucket,
): Partial<Record<AsyncHandler, AsyncConsumer>> {
  const sources = eventSources.filter(
    (source): source is AsyncSourceDef => source.kind === 's3' || source.kind === 'eventbridge',
  );
  const consumers: Partial<Record<AsyncHandler, AsyncConsumer>> = {};
  const consumerOf = (handler: AsyncHandler): AsyncConsumer => {
    consumers[handler] ??= new AsyncConsumer(scope, `${handler}Async`, functions[handler]);
    return consumers[handler];
  };
  for (const source of sources) {
    const fn = functions[source.handler].function;
    const deadLetters = consumerOf(source.handler).deadLetters;
    if (source.kind === 's3') {
      for (const event of source.events) {
        recordings.addEventNotification(s3EventType(event), new s3n.LambdaDestination(fn), {
          prefix: source.prefix,
        });
      }
    } else {
      new events.Rule(scope, `${source.handler}Rule`, {
        description: `Invokes ${source.handler} (functions/manifest.ts eventSources)`,
        eventPattern: eventPatternOf(source.pattern),
        targets: [
          new targets.LambdaFunction(fn, {
            retryAttempts: RULE_RETRY_ATTEMPTS,
            maxEventAge: RULE_MAX_EVENT_AGE,
            deadLetterQueue: deadLetters,
          }),
        ],
      });
    }
  }
  return consumers;
}
