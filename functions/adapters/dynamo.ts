import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ServiceUnavailableError } from '../core/errors.ts';

let shared: DynamoDBDocumentClient | undefined;

/**
 * The process-wide document client, made on first use so every store in a bundle shares one
 * keep-alive connection pool. The local stack points it at dynalite through the SDK's own
 * `AWS_ENDPOINT_URL_DYNAMODB`, so nothing here knows about local mode.
 */
export function documentClient(): DynamoDBDocumentClient {
  shared ??= DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 4 }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return shared;
}

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
]);

export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/**
 * Runs one DynamoDB call. Throttling that outlived the SDK's retries becomes a retryable 503
 * for the caller instead of a 500; everything else propagates unchanged.
 */
export async function call<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof Error && THROTTLING.has(error.name)) {
      throw new ServiceUnavailableError('The service is busy; retry shortly', {
        cause: error,
        retryAfterSeconds: 1,
      });
    }
    throw error;
  }
}
