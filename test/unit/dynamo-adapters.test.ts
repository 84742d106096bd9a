import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoStreamStore } from '../../functions/adapters/stream-store.ts';
import { DynamoViewerStore } from '../../functions/adapters/viewer-store.ts';
import { ServiceUnavailableError } from '../../functions/core/errors.ts';
import type { StreamRecord } from '../../functions/core/model.ts';

const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 }));
const ddb = mockClient(db);
const streams = new DynamoStreamStore('Livestreams', db);
const viewers = new DynamoViewerStore('LivestreamViewers', db);

/** An SDK service exception as the client would raise it after its retries. */
function awsError(name: string): Error {
  return Object.assign(new Error(name), { name, $metadata: {} });
}

const live: StreamRecord = {
  streamId: 's1',
  ownerId: 'alice',
  title: 't',
  description: '',
  recordingEnabled: false,
  status: 'live',
  maxViewers: 2,
  viewerCount: 2,
  peakViewers: 2,
  totalViews: 2,
  createdAt: 1,
};

beforeEach(() => ddb.reset());

describe('DynamoStreamStore', () => {
  it('turns throttling that outlived the retries into a retryable ServiceUnavailableError', async () => {
    ddb.on(PutCommand).rejects(awsError('ProvisionedThroughputExceededException'));
    const error = await streams.create({ ...live, status: 'created' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as ServiceUnavailableError).retryAfterSeconds).toBeGreaterThan(0);
  });

  it('lets errors other than throttling and conditions through unchanged', async () => {
    ddb.on(GetCommand).rejects(awsError('ResourceNotFoundException'));
    await expect(streams.get('s1')).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('reports a failed join condition with the current row, read once', async () => {
    ddb.on(UpdateCommand).rejects(awsError('ConditionalCheckFailedException'));
    ddb.on(GetCommand).resolves({ Item: live });
    const result = await streams.addViewer('s1', 'v1', 5);
    expect(result).toEqual({ ok: false, current: live });
    expect(ddb.commandCalls(GetCommand)).toHaveLength(1);
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({
      Key: { streamId: 's1' },
      ConsistentRead: true,
    });
  });

  it('guards the peer seats and the live state in the same update that counts the viewer and marks the seat', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: { ...live, viewerCount: 1, 'joining#v1': 5 } });
    const result = await streams.addViewer('s1', 'v1', 5);
    const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.ConditionExpression).toBe(
      '#status = :live AND (viewerCount < peerSeats OR (attribute_not_exists(peerSeats) AND viewerCount < maxViewers))',
    );
    expect(input?.UpdateExpression).toContain('viewerCount = viewerCount + :one');
    expect(input?.ExpressionAttributeNames).toMatchObject({ '#m': 'joining#v1' });
    // The marker comes back as a pending seat, not as a stray attribute.
    expect(result).toEqual({
      ok: true,
      value: { ...live, viewerCount: 1, pendingSeats: [{ kind: 'joining', viewerId: 'v1', at: 5 }] },
    });
  });

  it('settles a seat only while its marker is there, taking the counts off in the same write', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: live });
    const seat = { kind: 'leaving' as const, viewerId: 'v1', attempt: 'a1', at: 5 };
    expect(await streams.settleSeat('s1', seat, { viewers: 1, views: 0 })).toBe(true);
    const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.UpdateExpression).toBe('SET viewerCount = viewerCount - :viewers REMOVE #m');
    expect(input?.ConditionExpression).toBe('attribute_exists(#m) AND viewerCount >= :viewers');
    expect(input?.ExpressionAttributeNames).toEqual({ '#m': 'leaving#v1#a1' });
  });

  it('settles without the peak after a lost peak race, and never reads back: both are expected', async () => {
    ddb.on(UpdateCommand).rejects(awsError('ConditionalCheckFailedException'));
    const seat = { kind: 'joining' as const, viewerId: 'v1', at: 5 };
    expect(await streams.settleSeat('s1', seat, { viewers: 0, views: 0, peak: 3 })).toBe(false);
    const [withPeak, without] = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(withPeak?.UpdateExpression).toBe('SET peakViewers = :peak REMOVE #m');
    expect(withPeak?.ConditionExpression).toBe('attribute_exists(#m) AND peakViewers < :peak');
    expect(without?.UpdateExpression).toBe('REMOVE #m');
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('revokes the key and leaves the live index in the same write that ends the stream', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: { ...live, status: 'ended' } });
    await streams.markEnded('s1', 10, { reason: 'ended', recordingUrl: 'https://cdn.example/r.m3u8' });
    const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.UpdateExpression).toMatch(/REMOVE streamKeyHash, liveShard, broadcasterConnectionId/);
    expect(input?.ExpressionAttributeValues).toMatchObject({ ':url': 'https://cdn.example/r.m3u8' });
    expect(input?.ConditionExpression).toBe('#status = :live');
  });

  it('ends an abandoned stream only if the broadcaster has not resumed since the drop', async () => {
    ddb.on(UpdateCommand).rejects(awsError('ConditionalCheckFailedException'));
    ddb.on(GetCommand).resolves({ Item: live });
    const result = await streams.markEnded('s1', 10, {
      reason: 'broadcaster_disconnected',
      ifBroadcasterGoneAt: 7,
    });
    expect(result.ok).toBe(false);
    const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.ConditionExpression).toBe('#status = :live AND broadcasterGoneAt = :goneAt');
    expect(input?.ExpressionAttributeValues).toMatchObject({
      ':goneAt': 7,
      ':reason': 'broadcaster_disconnected',
    });
  });

  it('releases the broadcaster only if this connection is still the registered one', async () => {
    ddb.on(UpdateCommand).rejects(awsError('ConditionalCheckFailedException'));
    expect(await streams.releaseBroadcaster('s1', 'old-connection', 5)).toBe(false);
    const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.ConditionExpression).toBe('#status = :live AND broadcasterConnectionId = :c');
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('queries every live-index shard and never scans', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    const page = await streams.listLive({ limit: 10, skip: 0 });
    const shards = ddb
      .commandCalls(QueryCommand)
      .map((c) => c.args[0].input.ExpressionAttributeValues?.[':shard']);
    expect(new Set(shards)).toEqual(new Set(['live#0', 'live#1', 'live#2', 'live#3']));
    expect(ddb.commandCalls(QueryCommand).every((c) => c.args[0].input.IndexName === 'live')).toBe(true);
    expect(page).toEqual({ streams: [], nextCursor: null });
  });

  it('refuses a cursor it did not issue', async () => {
    await expect(streams.listLive({ limit: 10, skip: 0, cursor: 'bm90LWEtY3Vyc29y' })).rejects.toMatchObject({
      code: 'INVALID_CURSOR',
    });
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });
});

describe('DynamoViewerStore', () => {
  it('closes a session only for its user while open, computing watch time in DynamoDB', async () => {
    ddb
      .on(UpdateCommand)
      .resolves({ Attributes: { streamId: 's1', viewerId: 'v1', userId: 'bob', joinedAt: 1 } });
    await viewers.close('s1', 'v1', { leftAt: 5, attempt: 'a1', userId: 'bob' });
    const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.ConditionExpression).toBe(
      'userId = :user AND attribute_exists(viewerId) AND attribute_not_exists(leftAt)',
    );
    expect(input?.UpdateExpression).toContain('watchMs = :now - joinedAt');
    // Out of the open-sessions index, and the attempt that closed it recorded (core/seats.ts).
    expect(input?.UpdateExpression).toContain('closedBy = :attempt REMOVE openStreamId');
  });

  it('reports an already closed session with what is stored', async () => {
    const closed = { streamId: 's1', viewerId: 'v1', userId: 'bob', joinedAt: 1, leftAt: 3 };
    ddb.on(UpdateCommand).rejects(awsError('ConditionalCheckFailedException'));
    ddb.on(GetCommand).resolves({ Item: closed });
    expect(await viewers.close('s1', 'v1', { leftAt: 5, attempt: 'a1', userId: 'bob' })).toEqual({
      ok: false,
      current: closed,
    });
  });

  it('maps throttling on the session write to ServiceUnavailableError', async () => {
    ddb.on(PutCommand).rejects(awsError('ThrottlingException'));
    await expect(
      viewers.put({ streamId: 's1', viewerId: 'v1', userId: 'bob', joinedAt: 1 }),
    ).rejects.toBeInstanceOf(ServiceUnavailableError);
  });
});
