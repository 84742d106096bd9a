import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { StreamRecord } from '../core/model.ts';
import type { LivePage } from '../core/ports.ts';
import { LIVE_INDEX_SHARDS } from '../manifest.ts';
import { cursorKeys, decodeCursor, encodeCursor } from './cursor.ts';
import { call } from './dynamo.ts';

/**
 * Where each shard's reading stopped: its last key returned (the index's sort key and the
 * table's key; the shard is known by its place), `done` when exhausted, null when not read yet.
 */
const LiveCursor = z
  .array(
    z.union([
      z.null(),
      z.literal('done'),
      z.strictObject({ streamId: cursorKeys.streamId, startedAt: cursorKeys.epochMs }),
    ]),
  )
  .length(LIVE_INDEX_SHARDS);

type ShardPosition = z.infer<typeof LiveCursor>[number];

const shards = Array.from({ length: LIVE_INDEX_SHARDS }, (_, i) => `live#${i}`);

/** Newest first; the id breaks ties so the order is total and pages never repeat or skip. */
const newestFirst = (a: StreamRecord, b: StreamRecord) =>
  (b.startedAt ?? 0) - (a.startedAt ?? 0) || a.streamId.localeCompare(b.streamId);

/**
 * Reads the sparse live index: one Query per shard (in parallel), merged newest first. Each
 * shard is asked for at most `skip + limit` items, so a page costs at most that many reads per
 * shard however many ended streams exist. The cursor remembers each shard's position.
 */
export async function listLiveStreams(
  db: DynamoDBDocumentClient,
  tableName: string,
  page: { limit: number; skip: number; cursor?: string },
): Promise<LivePage> {
  const positions: ShardPosition[] = page.cursor
    ? decodeCursor(LiveCursor, page.cursor)
    : shards.map(() => null);
  const wanted = page.skip + page.limit;
  const reads = await Promise.all(
    shards.map(async (liveShard, i) => {
      const position = positions[i] ?? null;
      if (position === 'done') return { items: [] as StreamRecord[], more: false };
      const out = await call(() =>
        db.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: 'live',
            KeyConditionExpression: 'liveShard = :shard',
            ExpressionAttributeValues: { ':shard': liveShard },
            ScanIndexForward: false,
            Limit: wanted,
            ExclusiveStartKey: position ? { ...position, liveShard } : undefined,
          }),
        ),
      );
      return { items: (out.Items ?? []) as StreamRecord[], more: out.LastEvaluatedKey !== undefined };
    }),
  );

  const taken = reads
    .flatMap((r) => r.items)
    .sort(newestFirst)
    .slice(0, wanted);
  const next: ShardPosition[] = shards.map((liveShard, i) => {
    const read = reads[i];
    const fromShard = taken.filter((s) => s.liveShard === liveShard);
    const last = fromShard.at(-1);
    if (!read || positions[i] === 'done') return 'done';
    if (fromShard.length === read.items.length && !read.more) return 'done';
    return last ? { streamId: last.streamId, startedAt: last.startedAt ?? 0 } : (positions[i] ?? null);
  });
  const finished = next.every((p) => p === 'done');
  return { streams: taken.slice(page.skip), nextCursor: finished ? null : encodeCursor(next) };
}
