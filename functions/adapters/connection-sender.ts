import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { ConnectionSender } from '../core/ports.ts';
import type { ServerFrame } from '../core/protocol.ts';

const isGone = (error: unknown) => error instanceof Error && error.name === 'GoneException';

/**
 * The @connections API. Gone is an answer, not an error: the caller removes the target's state
 * (never the sender's, the bug in AWS's own chat sample).
 */
export class ApiGatewayConnectionSender implements ConnectionSender {
  private readonly client: ApiGatewayManagementApiClient;

  /** `endpoint`: https://{api-id}.execute-api.{region}.amazonaws.com/{stage} (`WS_CALLBACK_URL`). */
  constructor(endpoint: string, client?: ApiGatewayManagementApiClient) {
    this.client = client ?? new ApiGatewayManagementApiClient({ endpoint, maxAttempts: 3 });
  }

  async send(connectionId: string, frame: ServerFrame): Promise<'sent' | 'gone'> {
    try {
      const data = Buffer.from(JSON.stringify(frame));
      await this.client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
      return 'sent';
    } catch (error) {
      if (isGone(error)) return 'gone';
      throw error;
    }
  }

  async close(connectionId: string): Promise<void> {
    try {
      await this.client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  }
}
