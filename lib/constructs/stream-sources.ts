import { Duration } from 'aws-cdk-lib';
import { EventSourceMapping, FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { eventSources } from '../../functions/manifest.ts';
import type { Tables } from './data.ts';
import { deadLetterQueue } from './dead-letters.ts';
import type { Functions } from './handlers.ts';

/** A manifest event source that feeds a handler from a table's DynamoDB stream. */
export type StreamSourceDef = Extract<(typeof eventSources)[number], { kind: 'dynamodb-stream' }>;

/** Retries of a failing batch before it goes to the dead-letter queue; the local stack does the same. */
export const STREAM_RETRY_ATTEMPTS = 3;

/**
 * Lambda's batching window is whole seconds (0..300). Below one second it can only be 0, where Lambda
 * already polls each shard four times a second and hands over what came in meanwhile: the few
 * batches a second a sub-second window asks for. Rounding up would add up to a second to every
 * message instead.
 */
export const awsBatchingWindowSeconds = (seconds: number): number => Math.floor(seconds);

export interface StreamConsumerProps {
  readonly source: StreamSourceDef;
  readonly tables: Tables;
  readonly functions: Functions;
}

/**
 * The event source mapping from a manifest table's stream to its handler, and the dead-letter
 * queue where a batch that still fails after its retries is recorded (stream position and size,
 * not the records: they stay readable in the stream for 24 h), so a poison batch is never lost
 * silently. The stream read grant comes from the event source, on this table's stream only.
 */
export class StreamConsumer extends Construct {
  readonly deadLetters: sqs.Queue;

  constructor(scope: Construct, id: string, props: StreamConsumerProps) {
    super(scope, id);
    const { source } = props;
    this.deadLetters = deadLetterQueue(this, 'a stream event source mapping');
    const consumer = props.functions[source.handler];
    consumer.function.addEventSource(
      new DynamoEventSource(props.tables[source.table], {
        // New changes only: a (re)deployed consumer must not replay 24 h of chat to the rooms.
        startingPosition: StartingPosition.LATEST,
        batchSize: source.batchSize,
        maxBatchingWindow: Duration.seconds(awsBatchingWindowSeconds(source.maxBatchingWindowSeconds)),
        filters: source.filters.map((pattern) => FilterCriteria.filter(pattern)),
        reportBatchItemFailures: true,
        retryAttempts: STREAM_RETRY_ATTEMPTS,
        // A failing batch is halved until the poison record is alone, so the rest still goes out.
        bisectBatchOnError: true,
        onFailure: new SqsDlq(this.deadLetters),
      }),
    );
    // CloudFormation checks that the role may read the stream when it creates the mapping, so the
    // mapping waits for the role's policy (a child of the role) rather than racing it.
    for (const child of consumer.function.node.children) {
      if (child instanceof EventSourceMapping) child.node.addDependency(consumer.role);
    }
  }
}

/** One `StreamConsumer` per manifest event source of kind `dynamodb-stream`, by handler name. */
export function streamConsumersFromManifest(
  scope: Construct,
  tables: Tables,
  functions: Functions,
): Partial<Record<StreamSourceDef['handler'], StreamConsumer>> {
  const entries = eventSources
    .filter((source) => source.kind === 'dynamodb-stream')
    .map((source) => {
      const consumer = new StreamConsumer(scope, `${source.handler}Stream`, { source, tables, functions });
      return [source.handler, consumer] as const;
    });
  return Object.fromEntries(entries);
}
