import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { z } from 'zod';
import { ApiGatewayConnectionSender } from '../adapters/connection-sender.ts';
import { DynamoConnectionStore } from '../adapters/connection-store.ts';
import { requireEnv } from '../config.ts';
import { type ChatEvent, fanOut } from '../core/chat-fan-out.ts';
import { log } from '../log.ts';

const deps = {
  connections: new DynamoConnectionStore(requireEnv('CONNECTIONS_TABLE')),
  sender: new ApiGatewayConnectionSender(requireEnv('WS_CALLBACK_URL')),
};

/** A message row as the chat store writes it (the stream filter already let only messages in). */
const StoredMessage = z.object({
  kind: z.literal('message'),
  id: z.string(),
  streamId: z.string(),
  userId: z.string(),
  message: z.string(),
  createdAt: z.number(),
  deletedAt: z.number().optional(),
});

/** A stream record as a chat event: a new message, a message marked deleted, or nothing to tell. */
function toEvent(record: DynamoDBStreamEvent['Records'][number]): ChatEvent | undefined {
  const image = record.dynamodb?.NewImage;
  if (!image) return undefined;
  const parsed = StoredMessage.safeParse(unmarshall(image as Record<string, AttributeValue>));
  if (!parsed.success) {
    // Never retry a batch for a row that can never be shown: skip it, loudly.
    log.warn('chat record skipped', { eventID: record.eventID, issue: parsed.error.issues[0]?.message });
    return undefined;
  }
  const item = parsed.data;
  if (item.deletedAt !== undefined) return { kind: 'deleted', streamId: item.streamId, id: item.id };
  return record.eventName === 'INSERT' ? { kind: 'posted', message: item } : undefined;
}

/**
 * The chat table's stream, in batches (the event source mapping's window coalesces a flood):
 * every new or deleted message reaches every member of its stream's room. A failure throws, so
 * the batch is retried (delivery is at least once; clients drop a message id they already have).
 */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse, Error, Context>().handler(
  async (event, context) => {
    const events = event.Records.flatMap((record) => toEvent(record) ?? []);
    const { rooms, posts } = await fanOut(deps, events);
    log.info('chat fan-out', {
      requestId: context.awsRequestId,
      records: event.Records.length,
      rooms,
      posts,
    });
    return { batchItemFailures: [] };
  },
);
