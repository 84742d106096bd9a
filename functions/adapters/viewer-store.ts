import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ViewerSession } from '../core/model.ts';
import type { SessionHistory, SessionTiming, ViewerStore, WriteResult } from '../core/ports.ts';
import { call, documentClient, isConditionFailure } from './dynamo.ts';

/** BatchGetItem's limit per request. */
const BATCH_GET_MAX = 100;
/** Query pages of up to 1 MB each: 64 pages is some 300,000 sessions, far past `maxViewers`' ceiling. */
const MAX_SESSION_PAGES = 64;

/** LivestreamViewers table: one row per viewing session, kept for analytics. */
export class DynamoViewerStore implements ViewerStore, SessionHistory {
  constructor(
    private readonly tableName: string,
    private readonly db: DynamoDBDocumentClient = documentClient(),
  ) {}

  async put(session: ViewerSession): Promise<void> {
    await call(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...session, openStreamId: session.streamId },
          ConditionExpression: 'attribute_not_exists(viewerId)',
        }),
      ),
    );
  }

  async get(streamId: string, viewerId: string): Promise<ViewerSession | undefined> {
    // Strongly consistent: the relay right after stream:join must see the bound connection.
    const out = await call(() =>
      this.db.send(
        new GetCommand({ TableName: this.tableName, Key: { streamId, viewerId }, ConsistentRead: true }),
      ),
    );
    return out.Item as ViewerSession | undefined;
  }

  async getMany(streamId: string, viewerIds: readonly string[]): Promise<ViewerSession[]> {
    const found: ViewerSession[] = [];
    for (let i = 0; i < viewerIds.length; i += BATCH_GET_MAX) {
      let keys: Record<string, unknown>[] | undefined = viewerIds
        .slice(i, i + BATCH_GET_MAX)
        .map((viewerId) => ({ streamId, viewerId }));
      // Unprocessed keys come back under load; ask again until none are left.
      while (keys?.length) {
        const command = new BatchGetCommand({
          RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } },
        });
        const out: BatchGetCommandOutput = await call(() => this.db.send(command));
        found.push(...((out.Responses?.[this.tableName] ?? []) as ViewerSession[]));
        keys = out.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return found;
  }

  sessions(streamId: string): Promise<SessionTiming[]> {
    return this.queryAll({
      KeyConditionExpression: 'streamId = :s',
      ExpressionAttributeValues: { ':s': streamId },
      // Only what the figures use: a smaller read, in bytes and in read units.
      ProjectionExpression: 'userId, joinedAt, leftAt, tier, seenAt',
    }) as Promise<SessionTiming[]>;
  }

  async openSessionsOf(streamId: string, userId: string): Promise<string[]> {
    const open = await this.queryAll({
      IndexName: 'openSessions',
      KeyConditionExpression: 'userId = :u AND openStreamId = :s',
      ExpressionAttributeValues: { ':u': userId, ':s': streamId },
    });
    return open.map((item) => String(item.viewerId));
  }

  attachConnection(
    streamId: string,
    viewerId: string,
    userId: string,
    connectionId: string,
  ): Promise<WriteResult<ViewerSession>> {
    return this.update(streamId, viewerId, {
      UpdateExpression: 'SET connectionId = :c',
      ConditionExpression: 'userId = :user AND attribute_not_exists(leftAt)',
      ExpressionAttributeValues: { ':c': connectionId, ':user': userId },
    });
  }

  beat(
    streamId: string,
    viewerId: string,
    beat: { userId: string; window: number; at: number },
  ): Promise<WriteResult<ViewerSession>> {
    return this.update(streamId, viewerId, {
      UpdateExpression: 'SET seenWindow = :w, seenAt = :at',
      ConditionExpression:
        'userId = :user AND tier = :hls AND attribute_not_exists(leftAt) AND ' +
        '(attribute_not_exists(seenWindow) OR seenWindow < :w)',
      ExpressionAttributeValues: { ':w': beat.window, ':at': beat.at, ':user': beat.userId, ':hls': 'hls' },
    });
  }

  close(
    streamId: string,
    viewerId: string,
    close: { leftAt: number; attempt: string; userId?: string },
  ): Promise<WriteResult<ViewerSession>> {
    const mine = close.userId === undefined ? '' : 'userId = :user AND ';
    return this.update(streamId, viewerId, {
      // Watch time is computed by DynamoDB from the stored join time: no read first. Removing
      // `openStreamId` takes the session out of the open-sessions index.
      UpdateExpression:
        'SET leftAt = :now, watchMs = :now - joinedAt, closedBy = :attempt REMOVE openStreamId',
      ConditionExpression: `${mine}attribute_exists(viewerId) AND attribute_not_exists(leftAt)`,
      ExpressionAttributeValues: {
        ':now': close.leftAt,
        ':attempt': close.attempt,
        ...(close.userId !== undefined && { ':user': close.userId }),
      },
    });
  }

  /** Every page of a query, up to MAX_SESSION_PAGES (some 300,000 sessions: far past any audience here). */
  private async queryAll(
    query: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName' | 'ExclusiveStartKey'>,
  ): Promise<Record<string, unknown>[]> {
    const found: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    for (let page = 0; page < MAX_SESSION_PAGES; page++) {
      const out: QueryCommandOutput = await call(() =>
        this.db.send(new QueryCommand({ TableName: this.tableName, ...query, ExclusiveStartKey: start })),
      );
      found.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
      if (!start) break;
    }
    return found;
  }

  /** A conditional update; on a failed condition, what is stored (read on that path only). */
  private async update(
    streamId: string,
    viewerId: string,
    expression: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName' | 'Key'>,
  ): Promise<WriteResult<ViewerSession>> {
    try {
      const out = await call(() =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { streamId, viewerId },
            ReturnValues: 'ALL_NEW',
            ...expression,
          }),
        ),
      );
      return { ok: true, value: out.Attributes as ViewerSession };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return { ok: false, current: await this.get(streamId, viewerId) };
    }
  }
}
