import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { z } from 'zod';
import { type ChatEvent, fanOut } from '../core/chat-fan-out.ts';
import { lambda } from '../handler.ts';
import { log } from '../log.ts';
import { newImageOf } from '../stream-images.ts';
import { fanOutDeps } from '../wiring.ts';

const deps = fanOutDeps();

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
  const image = newImageOf(record);
  if (!image) return undefined;
  const parsed = StoredMessage.safeParse(image);
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
export const handler = lambda<DynamoDBStreamEvent, DynamoDBBatchResponse>(
  'chatFanOut',
  async (event) => {
    const events = event.Records.flatMap((record) => toEvent(record) ?? []);
    const { rooms, posts } = await fanOut(deps, events);
    log.info('chat fan-out', { records: event.Records.length, rooms, posts });
    return { batchItemFailures: [] };
  },
  'rethrow',
);
