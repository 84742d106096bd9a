import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ChatMessage } from '../core/model.ts';
import type { ModerationStore } from '../core/ports.ts';
import { call, documentClient, isConditionFailure } from './dynamo.ts';

const MESSAGE = 'msg#';
/** Reads per history page at most, however many deleted messages it has to skip. */
const MAX_SCANNED_PER_PAGE = 1000;

/**
 * LivestreamChat: messages under `msg#<ulid>` (time-ordered), the moderation rows of each user
 * beside them: `ban#<user>`, `rate#<user>#<window>`, `slow#<user>`, and the room's own rate
 * window `roomrate#<second>`. Only messages carry `kind = message`, which is what the fan-out's
 * stream filter lets through.
 */
export class DynamoChatStore implements ModerationStore {
  constructor(
    private readonly tableName: string,
    private readonly db: DynamoDBDocumentClient = documentClient(),
  ) {}

  async put(message: ChatMessage, expiresAt: number): Promise<void> {
    const Item = { ...message, messageId: `${MESSAGE}${message.id}`, kind: 'message', expiresAt };
    await call(() => this.db.send(new PutCommand({ TableName: this.tableName, Item })));
  }

  async list(streamId: string, limit: number, before?: string) {
    const messages: ChatMessage[] = [];
    let start: Record<string, unknown> | undefined;
    let scanned = 0;
    do {
      const out = await call(() =>
        this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            // BETWEEN is inclusive: the cursor's own message is skipped below.
            KeyConditionExpression: before
              ? 'streamId = :s AND messageId BETWEEN :lo AND :hi'
              : 'streamId = :s AND begins_with(messageId, :lo)',
            ExpressionAttributeValues: {
              ':s': streamId,
              ':lo': MESSAGE,
              ...(before && { ':hi': `${MESSAGE}${before}` }),
            },
            ScanIndexForward: false,
            Limit: limit + 1 - messages.length,
            ExclusiveStartKey: start,
          }),
        ),
      );
      for (const item of (out.Items ?? []) as ChatMessage[]) {
        scanned++;
        if (item.id !== before && item.deletedAt === undefined) messages.push(item);
      }
      start = out.LastEvaluatedKey;
    } while (start && messages.length <= limit && scanned < MAX_SCANNED_PER_PAGE);
    return { messages: messages.slice(0, limit), more: messages.length > limit || start !== undefined };
  }

  async bannedUntil(streamId: string, userId: string): Promise<number | undefined> {
    const out = await call(() =>
      this.db.send(
        new GetCommand({ TableName: this.tableName, Key: { streamId, messageId: `ban#${userId}` } }),
      ),
    );
    const until = out.Item?.bannedUntil as number | undefined;
    return until === -1 ? Number.POSITIVE_INFINITY : until;
  }

  async countPost(
    streamId: string,
    userId: string,
    window: { index: number; max: number; expiresAt: number },
  ) {
    return this.conditional({
      Key: { streamId, messageId: `rate#${userId}#${window.index}` },
      UpdateExpression: 'ADD posts :one SET expiresAt = :exp',
      ConditionExpression: 'attribute_not_exists(posts) OR posts < :max',
      ExpressionAttributeValues: { ':one': 1, ':max': window.max, ':exp': window.expiresAt },
    });
  }

  async countRoomPost(streamId: string, window: { index: number; max: number; expiresAt: number }) {
    return this.conditional({
      Key: { streamId, messageId: `roomrate#${window.index}` },
      UpdateExpression: 'ADD posts :one SET expiresAt = :exp',
      ConditionExpression: 'attribute_not_exists(posts) OR posts < :max',
      ExpressionAttributeValues: { ':one': 1, ':max': window.max, ':exp': window.expiresAt },
    });
  }

  async takeSlot(streamId: string, userId: string, now: number, gapMs: number) {
    return this.conditional({
      Key: { streamId, messageId: `slow#${userId}` },
      UpdateExpression: 'SET lastPostAt = :now, expiresAt = :exp',
      ConditionExpression: 'attribute_not_exists(lastPostAt) OR lastPostAt <= :threshold',
      ExpressionAttributeValues: {
        ':now': now,
        ':threshold': now - gapMs,
        ':exp': Math.ceil((now + gapMs) / 1000) + 60,
      },
    });
  }

  markDeleted(streamId: string, id: string, at: number): Promise<boolean> {
    // Idempotent: deleting a deleted message succeeds and changes nothing.
    return this.conditional({
      Key: { streamId, messageId: `${MESSAGE}${id}` },
      UpdateExpression: 'SET deletedAt = if_not_exists(deletedAt, :at)',
      ConditionExpression: 'attribute_exists(messageId)',
      ExpressionAttributeValues: { ':at': at },
    });
  }

  async ban(streamId: string, userId: string, until: number, by: string): Promise<void> {
    const Item = {
      streamId,
      messageId: `ban#${userId}`,
      kind: 'ban',
      userId,
      bannedBy: by,
      // -1 stands for "for good": DynamoDB numbers cannot be Infinity.
      bannedUntil: Number.isFinite(until) ? until : -1,
      ...(Number.isFinite(until) && { expiresAt: Math.ceil(until / 1000) + 60 }),
    };
    await call(() => this.db.send(new PutCommand({ TableName: this.tableName, Item })));
  }

  async unban(streamId: string, userId: string): Promise<void> {
    await call(() =>
      this.db.send(
        new DeleteCommand({ TableName: this.tableName, Key: { streamId, messageId: `ban#${userId}` } }),
      ),
    );
  }

  /** A conditional update: true when it applied, false when its condition refused it. */
  private async conditional(update: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>) {
    try {
      await call(() => this.db.send(new UpdateCommand({ TableName: this.tableName, ...update })));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
