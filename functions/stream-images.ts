/** Plumbing of the DynamoDB-stream handlers (as http/ is for REST): what a stream record carries. */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';

/** A DynamoDB stream record's new item image as plain values, or undefined when it carries none. */
export function newImageOf(record: DynamoDBRecord): Record<string, unknown> | undefined {
  const image = record.dynamodb?.NewImage;
  return image ? unmarshall(image as Record<string, AttributeValue>) : undefined;
}
