import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ViewerSession } from '../core/model.ts';
import type { ViewerStore, WriteResult } from '../core/ports.ts';
import { call, documentClient, isConditionFailure } from './dynamo.ts';

/** LivestreamViewers table: one row per viewing session, kept for analytics. */
export class DynamoViewerStore implements ViewerStore {
  constructor(
    private readonly tableName: string,
    private readonly db: DynamoDBDocumentClient = documentClient(),
  ) {}

  async put(session: ViewerSession): Promise<void> {
    await call(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: session,
          ConditionExpression: 'attribute_not_exists(viewerId)',
        }),
      ),
    );
  }

  async close(
    streamId: string,
    viewerId: string,
    userId: string,
    leftAt: number,
  ): Promise<WriteResult<ViewerSession>> {
    try {
      const out = await call(() =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { streamId, viewerId },
            // Watch time is computed by DynamoDB from the stored join time: no read first.
            UpdateExpression: 'SET leftAt = :now, watchMs = :now - joinedAt',
            ConditionExpression: 'userId = :user AND attribute_not_exists(leftAt)',
            ExpressionAttributeValues: { ':now': leftAt, ':user': userId },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return { ok: true, value: out.Attributes as ViewerSession };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = await call(() =>
        this.db.send(
          new GetCommand({ TableName: this.tableName, Key: { streamId, viewerId }, ConsistentRead: true }),
        ),
      );
      return { ok: false, current: current.Item as ViewerSession | undefined };
    }
  }
}
