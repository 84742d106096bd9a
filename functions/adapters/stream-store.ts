import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { EndReason, PendingSeat, StreamRecord } from '../core/model.ts';
import type {
  AudienceRollUp,
  LadderReport,
  LivePage,
  SeatChange,
  StreamStore,
  WriteResult,
} from '../core/ports.ts';
import { call, documentClient, isConditionFailure } from './dynamo.ts';
import { listLiveStreams } from './live-index.ts';
import { markerName, toStreamRecord } from './seat-markers.ts';

/** Livestreams table. Every state change is a single conditional UpdateItem: no read-modify-write. */
export class DynamoStreamStore implements StreamStore {
  constructor(
    private readonly tableName: string,
    private readonly db: DynamoDBDocumentClient = documentClient(),
  ) {}

  async create(stream: StreamRecord): Promise<void> {
    await call(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: stream,
          ConditionExpression: 'attribute_not_exists(streamId)',
        }),
      ),
    );
  }

  async get(streamId: string): Promise<StreamRecord | undefined> {
    // Strongly consistent: the owner acts on a stream right after changing it.
    const out = await call(() =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: { streamId }, ConsistentRead: true })),
    );
    return toStreamRecord(out.Item);
  }

  markLive(streamId: string, startedAt: number, liveShard: string): Promise<WriteResult<StreamRecord>> {
    return this.update(streamId, {
      UpdateExpression: 'SET #status = :live, startedAt = :now, liveShard = :shard',
      ConditionExpression: '#status = :created',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':live': 'live',
        ':created': 'created',
        ':now': startedAt,
        ':shard': liveShard,
      },
    });
  }

  markEnded(
    streamId: string,
    endedAt: number,
    options: { reason: EndReason; recordingUrl?: string; ifBroadcasterGoneAt?: number },
  ): Promise<WriteResult<StreamRecord>> {
    const { reason, recordingUrl, ifBroadcasterGoneAt } = options;
    const setUrl = recordingUrl === undefined ? '' : ', recordingUrl = :url';
    const stillGone = ifBroadcasterGoneAt === undefined ? '' : ' AND broadcasterGoneAt = :goneAt';
    return this.update(streamId, {
      UpdateExpression:
        `SET #status = :ended, endedAt = :now, endReason = :reason, viewerCount = :zero${setUrl} ` +
        'REMOVE streamKeyHash, liveShard, broadcasterConnectionId, broadcasterKeyId, broadcasterGoneAt',
      ConditionExpression: `#status = :live${stillGone}`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':ended': 'ended',
        ':live': 'live',
        ':now': endedAt,
        ':zero': 0,
        ':reason': reason,
        ...(recordingUrl === undefined ? {} : { ':url': recordingUrl }),
        ...(ifBroadcasterGoneAt === undefined ? {} : { ':goneAt': ifBroadcasterGoneAt }),
      },
    });
  }

  registerBroadcaster(
    streamId: string,
    connectionId: string,
    keyId?: string,
  ): Promise<WriteResult<StreamRecord>> {
    if (keyId === undefined) {
      return this.update(streamId, {
        UpdateExpression: 'SET broadcasterConnectionId = :c REMOVE broadcasterGoneAt, broadcasterKeyId',
        ConditionExpression: '#status = :live',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':c': connectionId, ':live': 'live' },
      });
    }
    // The key's id is a prefix of its stored hash: a rotated key fails the condition.
    return this.update(streamId, {
      UpdateExpression: 'SET broadcasterConnectionId = :c, broadcasterKeyId = :k REMOVE broadcasterGoneAt',
      ConditionExpression: '#status = :live AND begins_with(streamKeyHash, :k)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':c': connectionId, ':live': 'live', ':k': keyId },
    });
  }

  async releaseBroadcaster(streamId: string, connectionId: string, goneAt: number): Promise<boolean> {
    // Only the connection that is registered: a stale $disconnect must not unseat a resumed one.
    const result = await this.update(
      streamId,
      {
        UpdateExpression: 'SET broadcasterGoneAt = :goneAt REMOVE broadcasterConnectionId, broadcasterKeyId',
        ConditionExpression: '#status = :live AND broadcasterConnectionId = :c',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':c': connectionId, ':live': 'live', ':goneAt': goneAt },
      },
      false,
    );
    return result.ok;
  }

  replaceKeyHash(streamId: string, streamKeyHash: string): Promise<WriteResult<StreamRecord>> {
    return this.update(streamId, {
      UpdateExpression: 'SET streamKeyHash = :hash',
      ConditionExpression: 'attribute_exists(streamId) AND #status <> :ended',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':hash': streamKeyHash, ':ended': 'ended' },
    });
  }

  addViewer(streamId: string, viewerId: string, at: number): Promise<WriteResult<StreamRecord>> {
    return this.update(streamId, {
      UpdateExpression: 'SET viewerCount = viewerCount + :one, totalViews = totalViews + :one, #m = :at',
      // Rows from before peer seats carry only `maxViewers`, which was the seat limit then.
      ConditionExpression:
        '#status = :live AND (viewerCount < peerSeats OR (attribute_not_exists(peerSeats) AND viewerCount < maxViewers))',
      ExpressionAttributeNames: { '#status': 'status', '#m': markerName({ kind: 'joining', viewerId, at }) },
      ExpressionAttributeValues: { ':one': 1, ':live': 'live', ':at': at },
    });
  }

  setLadder(
    streamId: string,
    connectionId: string,
    ladder: LadderReport,
  ): Promise<WriteResult<StreamRecord>> {
    const uplink = ladder.uplinkKbps === undefined ? '' : ', uplinkKbps = :uplink';
    return this.update(streamId, {
      UpdateExpression: `SET ladderKbps = :ladder, peerSeats = :seats${uplink}`,
      ConditionExpression: '#status = :live AND broadcasterConnectionId = :c',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':ladder': ladder.ladderKbps,
        ':seats': ladder.peerSeats,
        ':live': 'live',
        ':c': connectionId,
        ...(ladder.uplinkKbps !== undefined && { ':uplink': ladder.uplinkKbps }),
      },
    });
  }

  recordAudience(streamId: string, audience: AudienceRollUp): Promise<WriteResult<StreamRecord>> {
    return this.update(
      streamId,
      {
        UpdateExpression: 'SET hlsViewers = :n, hlsViews = :v, hlsWindow = :w, hlsFreshUntil = :until',
        ConditionExpression: '#status = :live AND (attribute_not_exists(hlsWindow) OR hlsWindow < :w)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':n': audience.viewers,
          ':v': audience.views,
          ':w': audience.window,
          ':until': audience.freshUntil,
          ':live': 'live',
        },
      },
      false,
    );
  }

  async raisePeak(streamId: string, peak: number): Promise<boolean> {
    const result = await this.update(
      streamId,
      {
        UpdateExpression: 'SET peakViewers = :peak',
        ConditionExpression: 'peakViewers < :peak',
        ExpressionAttributeValues: { ':peak': peak },
      },
      false,
    );
    return result.ok;
  }

  markLeaving(streamId: string, seat: PendingSeat & { kind: 'leaving' }): Promise<WriteResult<StreamRecord>> {
    return this.update(
      streamId,
      {
        UpdateExpression: 'SET #m = :at',
        ConditionExpression: '#status = :live',
        ExpressionAttributeNames: { '#status': 'status', '#m': markerName(seat) },
        ExpressionAttributeValues: { ':live': 'live', ':at': seat.at },
      },
      false,
    );
  }

  async settleSeat(streamId: string, seat: PendingSeat, change: SeatChange): Promise<boolean> {
    if (change.peak !== undefined && (await this.settle(streamId, seat, change))) return true;
    // A lost peak race means someone raised it at least as high: settle without it.
    return this.settle(streamId, seat, { viewers: change.viewers, views: change.views });
  }

  private async settle(streamId: string, seat: PendingSeat, change: SeatChange): Promise<boolean> {
    const { viewers, views, peak } = change;
    const set = [
      viewers ? 'viewerCount = viewerCount - :viewers' : '',
      views ? 'totalViews = totalViews - :views' : '',
      peak === undefined ? '' : 'peakViewers = :peak',
    ].filter(Boolean);
    const values = {
      ...(viewers && { ':viewers': viewers }),
      ...(views && { ':views': views }),
      ...(peak !== undefined && { ':peak': peak }),
    };
    const result = await this.update(
      streamId,
      {
        UpdateExpression: `${set.length ? `SET ${set.join(', ')} ` : ''}REMOVE #m`,
        // The marker is the proof the change is still owed: settled twice, applied once.
        ConditionExpression: [
          'attribute_exists(#m)',
          viewers ? 'viewerCount >= :viewers' : '',
          peak === undefined ? '' : 'peakViewers < :peak',
        ]
          .filter(Boolean)
          .join(' AND '),
        ExpressionAttributeNames: { '#m': markerName(seat) },
        ...(set.length && { ExpressionAttributeValues: values }),
      },
      false,
    );
    return result.ok;
  }

  async setSlowMode(streamId: string, seconds: number): Promise<void> {
    await call(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { streamId },
          UpdateExpression: 'SET chatSlowModeSeconds = :s',
          ConditionExpression: 'attribute_exists(streamId)',
          ExpressionAttributeValues: { ':s': seconds },
        }),
      ),
    );
  }

  listLive(page: { limit: number; skip: number; cursor?: string }): Promise<LivePage> {
    return listLiveStreams(this.db, this.tableName, page);
  }

  private update(
    streamId: string,
    expression: StreamUpdate,
    explainFailure = true,
  ): Promise<WriteResult<StreamRecord>> {
    return updateStream(this.db, this.tableName, streamId, expression, explainFailure);
  }
}

export type StreamUpdate = Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName' | 'Key'>;

/**
 * A conditional update of a Livestreams row returning the new row, or on a failed condition the
 * current row (one extra read, on the failure path only) so the caller can say precisely why.
 */
export async function updateStream(
  db: DynamoDBDocumentClient,
  tableName: string,
  streamId: string,
  expression: StreamUpdate,
  explainFailure = true,
): Promise<WriteResult<StreamRecord>> {
  try {
    const out = await call(() =>
      db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { streamId },
          ReturnValues: 'ALL_NEW',
          ...expression,
        }),
      ),
    );
    return { ok: true, value: toStreamRecord(out.Attributes) as StreamRecord };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    if (!explainFailure) return { ok: false, current: undefined };
    const current = await call(() =>
      db.send(new GetCommand({ TableName: tableName, Key: { streamId }, ConsistentRead: true })),
    );
    return { ok: false, current: toStreamRecord(current.Item) };
  }
}
