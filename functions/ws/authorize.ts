import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { verifyTicket } from '../core/tickets.ts';
import { lambda, Unauthorized } from '../handler.ts';
import { log } from '../log.ts';
import { ticketSecret } from '../socket/ticket-secret.ts';

const secret = await ticketSecret();

/**
 * The $connect authorizer: a valid, unexpired ticket (for the `streamId` the client names, if it
 * names one) lets the upgrade through and its claims
 * become the connection's identity for every later message. Any failure is API Gateway's 401
 * ('Unauthorized'); the reason goes to the log, never to the client. The ticket is not logged.
 */
export const handler = lambda<APIGatewayRequestAuthorizerEvent, APIGatewayAuthorizerResult>(
  'wsAuthorize',
  async (event) => {
    const query = event.queryStringParameters ?? {};
    const check = verifyTicket(secret, query.ticket ?? '', Date.now());
    // A client may name the stream it means; a ticket for any other stream is then refused.
    const named = query.streamId;
    const reason = !check.ok
      ? check.reason
      : named && named !== check.claims.streamId
        ? 'other-stream'
        : undefined;
    if (!check.ok || reason) {
      log.info('ticket refused', { reason });
      throw new Unauthorized();
    }
    const claims = check.claims;
    return {
      principalId: claims.userId,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }],
      },
      // Context values must be strings, numbers or booleans: '' stands for a field the role lacks.
      context: {
        streamId: claims.streamId,
        role: claims.role,
        userId: claims.userId,
        viewerId: claims.role === 'viewer' ? claims.viewerId : '',
        via: claims.role === 'broadcaster' ? claims.via : '',
        keyId: claims.role === 'broadcaster' && claims.via === 'key' ? claims.keyId : '',
        ticketId: claims.ticketId,
        ticketExpiresAt: claims.expiresAt,
      },
    };
  },
  // API Gateway answers 401 for `Unauthorized` and 500 for anything else: both refuse the upgrade.
  'rethrow',
);
