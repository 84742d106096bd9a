import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ConnectionRecord, ConnectionStore } from '../core/connections.ts';
import { call, documentClient } from './dynamo.ts';

/** LivestreamConnections table: one row per open WebSocket, expired by TTL if $disconnect is lost. */
export class DynamoConnectionStore implements ConnectionStore {
  constructor(
    private readonly tableName: string,
    private readonly db: DynamoDBDocumentClient = documentClient(),
  ) {}

  async put(connection: ConnectionRecord): Promise<void> {
    await call(() => this.db.send(new PutCommand({ TableName: this.tableName, Item: connection })));
  }

  async delete(connectionId: string): Promise<void> {
    await call(() => this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { connectionId } })));
  }

  async listByStream(streamId: string): Promise<ConnectionRecord[]> {
    const found: ConnectionRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await call(() =>
        this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: 'byStream',
            KeyConditionExpression: 'streamId = :s',
            ExpressionAttributeValues: { ':s': streamId },
            ExclusiveStartKey: start,
          }),
        ),
      );
      found.push(...((out.Items ?? []) as ConnectionRecord[]));
      start = out.LastEvaluatedKey;
    } while (start);
    return found;
  }
}
