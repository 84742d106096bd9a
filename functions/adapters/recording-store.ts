import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { StreamRecord } from '../core/model.ts';
import type { RecordingChange, RecordingPage, RecordingStore, WriteResult } from '../core/ports.ts';
import type { RecordingState } from '../core/recording-model.ts';
import { cursorKeys, decodeCursor, encodeCursor, invalidCursor } from './cursor.ts';
import { call, documentClient } from './dynamo.ts';
import { type StreamUpdate, updateStream } from './stream-store.ts';

/**
 * Recordings live on their stream's Livestreams row (`recording` map) and, while not deleted, in
 * the sparse `recordings` index by owner. Every change is one conditional UpdateItem on the map.
 */
export class DynamoRecordingStore implements RecordingStore {
  constructor(
    private readonly tableName: string,
    private readonly db: DynamoDBDocumentClient = documentClient(),
  ) {}

  open(streamId: string, ownerId: string, recording: RecordingState): Promise<WriteResult<StreamRecord>> {
    return updateStream(this.db, this.tableName, streamId, {
      UpdateExpression: 'SET recording = :r, recordingOwnerId = :owner, recordingOpenedAt = :at',
      ConditionExpression: 'attribute_exists(streamId) AND attribute_not_exists(recording)',
      ExpressionAttributeValues: { ':r': recording, ':owner': ownerId, ':at': recording.openedAt },
    });
  }

  async change(streamId: string, change: RecordingChange): Promise<StreamRecord | undefined> {
    // No read on a failed condition: most callers (redelivered or late job events) only need to know.
    const result = await updateStream(this.db, this.tableName, streamId, changeExpression(change), false);
    return result.ok ? result.value : undefined;
  }

  async listByOwner(ownerId: string, page: { limit: number; cursor?: string }): Promise<RecordingPage> {
    const out = await call(() =>
      this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'recordings',
          KeyConditionExpression: 'recordingOwnerId = :owner',
          ExpressionAttributeValues: { ':owner': ownerId },
          ScanIndexForward: false,
          Limit: page.limit,
          ExclusiveStartKey: page.cursor === undefined ? undefined : ownersCursor(page.cursor, ownerId),
        }),
      ),
    );
    const last = out.LastEvaluatedKey;
    return {
      streams: (out.Items ?? []) as StreamRecord[],
      nextCursor: last ? encodeCursor(last) : null,
    };
  }
}

/** `SET recording.a = :a ... REMOVE recording.b ...` guarded by the change's preconditions. */
export function changeExpression(change: RecordingChange): StreamUpdate {
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = {};
  const sets = Object.entries(change.set)
    .filter(([, value]) => value !== undefined)
    .map(([field, value], i) => {
      names[`#s${i}`] = field;
      values[`:s${i}`] = value;
      return `recording.#s${i} = :s${i}`;
    });
  const removes = (change.remove ?? []).map((field, i) => {
    names[`#r${i}`] = field;
    return `recording.#r${i}`;
  });
  if (change.unlist) removes.push('recordingOwnerId', 'recordingOpenedAt');
  const from = change.from.map((status, i) => {
    values[`:from${i}`] = status;
    return `:from${i}`;
  });
  const conditions = [`recording.#status IN (${from.join(', ')})`];
  if (change.jobId === null) conditions.push('attribute_not_exists(recording.jobId)');
  else if (change.jobId !== undefined) {
    values[':job'] = change.jobId;
    conditions.push('recording.jobId = :job');
  }
  if (change.progressBelow !== undefined) {
    values[':progress'] = change.progressBelow;
    conditions.push('(attribute_not_exists(recording.progress) OR recording.progress < :progress)');
  }
  const clauses = [
    sets.length ? `SET ${sets.join(', ')}` : '',
    removes.length ? `REMOVE ${removes.join(', ')}` : '',
  ];
  return {
    UpdateExpression: clauses.filter(Boolean).join(' '),
    ConditionExpression: conditions.join(' AND '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** The `recordings` index's LastEvaluatedKey: its keys and the table's, nothing else. */
const RecordingsCursor = z.strictObject({
  streamId: cursorKeys.streamId,
  recordingOwnerId: cursorKeys.userId,
  recordingOpenedAt: cursorKeys.epochMs,
});

/** A cursor of another owner's list is refused like a forged one: it would read their recordings. */
function ownersCursor(cursor: string, ownerId: string): z.infer<typeof RecordingsCursor> {
  const key = decodeCursor(RecordingsCursor, cursor);
  if (key.recordingOwnerId !== ownerId) throw invalidCursor();
  return key;
}
