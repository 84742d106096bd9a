import { randomUUID } from 'node:crypto';
import type { DynamoDBRecord } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../constants.ts';
import type { AttributeMap } from './stream-changes.ts';

/**
 * A stream ARN as DynamoDB names it: the table's, then `/stream/<label>`, the label being the time
 * the stream was enabled (locally: when the stack started), e.g. `2024-05-01T12:00:00.000`.
 */
export function localStreamArn(tableName: string, enabledAt: Date): string {
  const label = enabledAt.toISOString().slice(0, 23);
  return `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:table/${tableName}/stream/${label}`;
}

/**
 * Sequence numbers like a shard's: decimal strings of 21 digits that increase with every record,
 * across restarts too (they start from the clock), so string order is numeric order.
 */
export function sequenceNumbers(): () => string {
  let next = BigInt(Date.now()) * 100_000_000n;
  return () => {
    next += 1n;
    return next.toString();
  };
}

export interface RecordInput {
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly keys: AttributeMap;
  /** The item after the write; absent for REMOVE (a NEW_IMAGE stream has no old image). */
  readonly newImage?: AttributeMap;
  readonly sequenceNumber: string;
  readonly streamArn: string;
}

/**
 * One record as Lambda hands it to a DynamoDB stream consumer (aws-lambda's `DynamoDBRecord`),
 * for a `NEW_IMAGE` stream. `SizeBytes` is approximate: the JSON size of keys and image, where
 * DynamoDB counts its own item size; no handler should depend on the exact figure.
 */
export function streamRecord(input: RecordInput): DynamoDBRecord {
  const { keys, newImage } = input;
  const size =
    Buffer.byteLength(JSON.stringify(keys)) + (newImage ? Buffer.byteLength(JSON.stringify(newImage)) : 0);
  return {
    eventID: randomUUID().replaceAll('-', ''),
    eventName: input.eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: LOCAL_REGION,
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      Keys: keys,
      ...(newImage && { NewImage: newImage }),
      SequenceNumber: input.sequenceNumber,
      SizeBytes: size,
      StreamViewType: 'NEW_IMAGE',
    },
    eventSourceARN: input.streamArn,
  };
}
