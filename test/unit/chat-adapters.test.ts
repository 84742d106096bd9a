import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoChatStore } from '../../functions/adapters/chat-store.ts';
import { DynamoConnectionStore } from '../../functions/adapters/connection-store.ts';

const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 }));
const ddb = mockClient(db);
const connections = new DynamoConnectionStore('LivestreamConnections', db);
const chat = new DynamoChatStore('LivestreamChat', db);

beforeEach(() => ddb.reset());

describe('DynamoConnectionStore: chat rooms', () => {
  it('stores the frame preference in the same write that joins the room', async () => {
    ddb.on(UpdateCommand).resolves({});
    expect(await connections.joinRoom('c1', 's1', { batch: true })).toBe(true);
    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input).toEqual({
      TableName: 'LivestreamConnections',
      Key: { connectionId: 'c1' },
      UpdateExpression: 'SET chatRoom = :s, chatBatch = :b',
      ConditionExpression: 'attribute_exists(connectionId)',
      ExpressionAttributeValues: { ':s': 's1', ':b': true },
    });
  });

  it('lists a room, preferences included, in the one Query it always made (a member without one is a spec client)', async () => {
    ddb.on(QueryCommand).resolves({
      Items: [
        { connectionId: 'a', chatBatch: true },
        { connectionId: 'b', chatBatch: false },
        { connectionId: 'c' },
      ],
    });
    expect(await connections.listRoom('s1')).toEqual([
      { connectionId: 'a', batch: true },
      { connectionId: 'b', batch: false },
      { connectionId: 'c', batch: false },
    ]);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(1);
    expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
      IndexName: 'byRoom',
      ProjectionExpression: 'connectionId, chatBatch',
    });
  });

  it('forgets the preference with the membership', async () => {
    ddb.on(UpdateCommand).resolves({});
    await connections.leaveRoom('c1');
    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input.UpdateExpression).toBe(
      'REMOVE chatRoom, chatBatch',
    );
  });
});

describe('DynamoChatStore: the room window', () => {
  it('counts a post in the room’s second only while it is under the limit', async () => {
    ddb.on(UpdateCommand).resolves({});
    expect(await chat.countRoomPost('s1', { index: 1_700_000_000, max: 10, expiresAt: 1_700_000_061 })).toBe(
      true,
    );
    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input).toEqual({
      TableName: 'LivestreamChat',
      Key: { streamId: 's1', messageId: 'roomrate#1700000000' },
      UpdateExpression: 'ADD posts :one SET expiresAt = :exp',
      ConditionExpression: 'attribute_not_exists(posts) OR posts < :max',
      ExpressionAttributeValues: { ':one': 1, ':max': 10, ':exp': 1_700_000_061 },
    });
  });

  it('answers false when the second is full', async () => {
    ddb
      .on(UpdateCommand)
      .rejects(Object.assign(new Error('full'), { name: 'ConditionalCheckFailedException', $metadata: {} }));
    expect(await chat.countRoomPost('s1', { index: 1, max: 10, expiresAt: 62 })).toBe(false);
  });
});
