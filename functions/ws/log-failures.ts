import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import { log } from '../log.ts';

/**
 * For the connection routes: an unexpected error is logged with the request id and answered
 * with a bare 500 (on $connect that refuses the upgrade; nobody reads a $disconnect answer).
 */
export function logFailures(what: string): MiddlewareObj<unknown, APIGatewayProxyResult, Error, Context> {
  return {
    onError: (request) => {
      log.error(`${what} failed`, { requestId: request.context.awsRequestId, error: request.error });
      request.response = { statusCode: 500, body: '' };
    },
  };
}
