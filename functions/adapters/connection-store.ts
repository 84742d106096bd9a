import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  DeleteCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ConnectionRecord, RoomMember } from '../core/model.ts';
import type { ConnectionStore } from '../core/ports.ts';
import { call, documentClient, isConditionFailure } from './dynamo.ts';

/** A used ticket's row outlives the ticket a little, so clock skew cannot reopen it. */
const TICKET_ROW_GRACE_SECONDS = 300;

/** LivestreamConnections table: one row per open WebSocket, expired by TTL if $disconnect is lost. */
export class DynamoConnectionStore implements ConnectionStore {
  constructor(
    private readonly tableName: string,
    private readonly db: DynamoDBDocumentClient = documentClient(),
  ) {}

  async claimTicket(ticketId: string, expiresAt: number): Promise<boolean> {
    try {
      await call(() =>
        this.db.send(
          new PutCommand({
            TableName: this.tableName,
            // Not a connection: no streamId or chatRoom, so neither index carries it. Gone by TTL.
            Item: { connectionId: `ticket#${ticketId}`, expiresAt: expiresAt + TICKET_ROW_GRACE_SECONDS },
            ConditionExpression: 'attribute_not_exists(connectionId)',
          }),
        ),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async put(connection: ConnectionRecord): Promise<void> {
    await call(() => this.db.send(new PutCommand({ TableName: this.tableName, Item: connection })));
  }

  async delete(connectionId: string): Promise<void> {
    await call(() => this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { connectionId } })));
  }

  listByStream(streamId: string): Promise<ConnectionRecord[]> {
    return this.queryAll('byStream', 'streamId', streamId) as Promise<unknown> as Promise<ConnectionRecord[]>;
  }

  async joinRoom(connectionId: string, streamId: string, options: { batch: boolean }): Promise<boolean> {
    try {
      await call(() =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { connectionId },
            // The preference sits beside the membership: `byRoom` projects ALL, so the fan-out's
            // one Query per room reads both.
            UpdateExpression: 'SET chatRoom = :s, chatBatch = :b',
            // Never resurrect a row its $disconnect already removed.
            ConditionExpression: 'attribute_exists(connectionId)',
            ExpressionAttributeValues: { ':s': streamId, ':b': options.batch },
          }),
        ),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async leaveRoom(connectionId: string): Promise<void> {
    await call(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { connectionId },
          UpdateExpression: 'REMOVE chatRoom, chatBatch',
          ConditionExpression: 'attribute_exists(connectionId)',
        }),
      ),
    ).catch((error) => {
      if (!isConditionFailure(error)) throw error;
    });
  }

  async listRoom(streamId: string): Promise<RoomMember[]> {
    const members = await this.queryAll('byRoom', 'chatRoom', streamId, 'connectionId, chatBatch');
    return members.map((m) => ({ connectionId: m.connectionId as string, batch: m.chatBatch === true }));
  }

  private async queryAll(index: string, key: string, value: string, projection?: string) {
    const found: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out: QueryCommandOutput = await call(() =>
        this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: index,
            KeyConditionExpression: '#k = :v',
            ExpressionAttributeNames: { '#k': key },
            ExpressionAttributeValues: { ':v': value },
            ProjectionExpression: projection,
            ExclusiveStartKey: start,
          }),
        ),
      );
      found.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return found;
  }
}
