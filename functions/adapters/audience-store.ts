import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand, type BatchGetCommandOutput, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AUDIENCE_SHARDS } from '../core/audience.ts';
import type { AudienceStore, ShardCount } from '../core/ports.ts';
import { call, documentClient, isConditionFailure } from './dynamo.ts';

/**
 * LivestreamAudience: per stream, AUDIENCE_SHARDS rows keyed `<streamId>#<shard>`. Each holds the
 * shard's `views`, its `joining#<viewerId>` markers, and the counts of the last few presence
 * windows in a ring of SLOTS slots (`c<slot>` counts window `n<slot>`), so a row never grows with
 * the length of a stream. A write to a slot still holding an older window starts it afresh: that
 * happens once per window per shard, and is the write that triggers the roll-up.
 */
const SLOTS = 4;
const JOINING = 'joining#';
/** Rows outlive their stream's roll-ups by far; TTL clears them after a month. */
const TTL_SECONDS = 30 * 86_400;

type Row = Record<string, unknown>;

export class DynamoAudienceStore implements AudienceStore {
  constructor(
    private readonly tableName: string,
    private readonly db: DynamoDBDocumentClient = documentClient(),
  ) {}

  join(streamId: string, shard: number, window: number, viewer: { viewerId: string; at: number }) {
    return this.count(shardId(streamId, shard), window, {
      add: '#views :one',
      set: '#m = :at',
      names: { '#m': `${JOINING}${viewer.viewerId}`, '#views': 'views' },
      values: { ':at': viewer.at },
    });
  }

  beat(streamId: string, shard: number, window: number) {
    return this.count(shardId(streamId, shard), window, {});
  }

  async settleJoin(streamId: string, shard: number, viewerId: string, undo: boolean): Promise<boolean> {
    try {
      await call(() =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { shardId: shardId(streamId, shard) },
            UpdateExpression: undo ? 'ADD #views :minus REMOVE #m' : 'REMOVE #m',
            // The marker is the proof the change is still owed: settled twice, applied once.
            ConditionExpression: 'attribute_exists(#m)',
            ExpressionAttributeNames: { '#m': `${JOINING}${viewerId}`, ...(undo && { '#views': 'views' }) },
            ...(undo && { ExpressionAttributeValues: { ':minus': -1 } }),
          }),
        ),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async total(streamId: string, window: number): Promise<{ viewers: number; views: number }> {
    const slot = window % SLOTS;
    let keys: Row[] | undefined = Array.from({ length: AUDIENCE_SHARDS }, (_, shard) => ({
      shardId: shardId(streamId, shard),
    }));
    let viewers = 0;
    let views = 0;
    // Unprocessed keys come back under load; ask again until none are left.
    while (keys?.length) {
      const command = new BatchGetCommand({
        RequestItems: {
          [this.tableName]: {
            Keys: keys,
            ProjectionExpression: `#views, #c, #n`,
            ExpressionAttributeNames: { '#views': 'views', '#c': `c${slot}`, '#n': `n${slot}` },
          },
        },
      });
      const out: BatchGetCommandOutput = await call(() => this.db.send(command));
      for (const row of out.Responses?.[this.tableName] ?? []) {
        views += Number(row.views ?? 0);
        if (row[`n${slot}`] === window) viewers += Number(row[`c${slot}`] ?? 0);
      }
      keys = out.UnprocessedKeys?.[this.tableName]?.Keys;
    }
    return { viewers, views };
  }

  /** The window's count +1 (and the join's extras): in its slot if the slot holds it, else afresh. */
  private async count(
    id: string,
    window: number,
    extra: { add?: string; set?: string; names?: Record<string, string>; values?: Row },
  ): Promise<ShardCount> {
    const slot = window % SLOTS;
    const names = { '#c': `c${slot}`, '#n': `n${slot}`, ...extra.names };
    const values = {
      ':one': 1,
      ':w': window,
      ':exp': Math.floor(Date.now() / 1000) + TTL_SECONDS,
      ...extra.values,
    };
    const set = ['expiresAt = :exp', extra.set].filter(Boolean).join(', ');
    const add = extra.add ? `, ${extra.add}` : '';
    const plusOne = {
      UpdateExpression: `SET ${set} ADD #c :one${add}`,
      ConditionExpression: '#n = :w',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
    const same = await this.update(id, plusOne);
    if (same) return same;
    const fresh = await this.update(id, {
      UpdateExpression: `SET ${set}, #c = :one, #n = :w${extra.add ? ` ADD ${extra.add}` : ''}`,
      ConditionExpression: 'attribute_not_exists(#n) OR #n < :w',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
    if (fresh) return fresh;
    // Lost the race to start the window: another write did, so this one is an ordinary +1.
    const raced = await this.update(id, plusOne);
    if (raced) return raced;
    // The slot already holds a later window (a clock a little behind another's): too late to
    // count in this one, but a join's view and marker still go in.
    const late = await this.update(id, {
      UpdateExpression: `SET ${set}${extra.add ? ` ADD ${extra.add}` : ''}`,
      ExpressionAttributeNames: extra.names,
      ExpressionAttributeValues: { ':exp': values[':exp'], ...(extra.add && { ':one': 1 }), ...extra.values },
    });
    return { windowCount: 0, pendingJoins: late?.pendingJoins ?? [] };
  }

  private async update(
    id: string,
    expression: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName' | 'Key'>,
  ): Promise<ShardCount | undefined> {
    try {
      const out = await call(() =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { shardId: id },
            ReturnValues: 'ALL_NEW',
            ...expression,
          }),
        ),
      );
      return shardCount(out.Attributes ?? {}, expression.ExpressionAttributeNames?.['#c'] ?? '');
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }
}

const shardId = (streamId: string, shard: number) => `${streamId}#${shard}`;

function shardCount(row: Row, countName: string): ShardCount {
  const pendingJoins = Object.entries(row)
    .filter(([name, at]) => name.startsWith(JOINING) && typeof at === 'number')
    .map(([name, at]) => ({ viewerId: name.slice(JOINING.length), at: at as number }));
  return { windowCount: Number(row[countName] ?? 0), pendingJoins };
}
