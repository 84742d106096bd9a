import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../constants.ts';

/** A function's ARN in the local stack: `arn:aws:lambda:us-east-1:000000000000:function:<handler>`. */
export const localFunctionArn = (handler: string) =>
  `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${handler}`;

/**
 * A Lambda `Context` for one invocation. `functionName` is the manifest's handler name (on AWS
 * it is whatever CloudFormation generated).
 */
export function createLambdaContext(functionName: string, requestId: string, deadline: number): Context {
  const unsupported = () => {
    throw new Error('The local stack supports async handlers only (no context.done/succeed/fail)');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: localFunctionArn(functionName),
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
