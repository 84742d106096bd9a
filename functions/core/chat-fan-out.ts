import { publicMessage } from './chat.ts';
import { eachLimited } from './each-limited.ts';
import { frame } from './frames.ts';
import type { ChatMessage } from './model.ts';
import type { ConnectionSender, ConnectionStore } from './ports.ts';
import type { PublicChatMessage, ServerFrame } from './protocol.ts';

/** What the chat table's stream tells the fan-out, in write order. */
export type ChatEvent =
  | { kind: 'posted'; message: ChatMessage }
  | { kind: 'deleted'; streamId: string; id: string };

/** API Gateway takes frames up to 128 KB; stay well under it. */
const MAX_FRAME_BYTES = 96 * 1024;
/** Concurrent @connections posts per room: bounded, so a large room cannot exhaust sockets. */
export const ROOM_CONCURRENCY = 32;

/**
 * One room's events as the spec has them, for a member that did not ask for batches: each message
 * its own `chat:message {id, userId, message, timestamp}`, each deletion `chat:deleted {id}`, in
 * order.
 */
export function messageFrames(events: readonly ChatEvent[]): ServerFrame[] {
  return events.map((event) =>
    event.kind === 'deleted'
      ? frame('chat:deleted', { id: event.id })
      : frame('chat:message', publicMessage(event.message)),
  );
}

/**
 * One room's events as few frames as possible, order kept, for a member that joined with
 * `batch: true`: a run of messages becomes one `chat:messages {messages}` frame (or the spec's
 * `chat:message` when it is a single one), split only by size; a deletion is `chat:deleted {id}`.
 */
export function batchedFrames(events: readonly ChatEvent[]): ServerFrame[] {
  const frames: ServerFrame[] = [];
  let run: PublicChatMessage[] = [];
  let runBytes = 0;
  const flush = () => {
    if (run.length > 1) frames.push(frame('chat:messages', { messages: run }));
    else if (run[0]) frames.push(frame('chat:message', run[0]));
    run = [];
    runBytes = 0;
  };
  for (const event of events) {
    if (event.kind === 'deleted') {
      flush();
      frames.push(frame('chat:deleted', { id: event.id }));
      continue;
    }
    const shown = publicMessage(event.message);
    const bytes = Buffer.byteLength(JSON.stringify(shown)) + 1;
    if (runBytes + bytes > MAX_FRAME_BYTES) flush();
    run.push(shown);
    runBytes += bytes;
  }
  flush();
  return frames;
}

/**
 * Delivers a batch of chat events to every member of each room, in the frames each member asked
 * for when it joined: one per message (the spec's), or coalesced (`batch: true`). The room's one
 * listing says which; nothing else is read. Each member gets its frames in order; a member found
 * gone is removed from the table and skipped from then on.
 */
export async function fanOut(
  deps: { connections: ConnectionStore; sender: ConnectionSender },
  events: ChatEvent[],
) {
  const byRoom = new Map<string, ChatEvent[]>();
  for (const event of events) {
    const streamId = event.kind === 'posted' ? event.message.streamId : event.streamId;
    const room = byRoom.get(streamId) ?? [];
    room.push(event);
    byRoom.set(streamId, room);
  }
  let posts = 0;
  for (const [streamId, roomEvents] of byRoom) {
    const members = await deps.connections.listRoom(streamId);
    const single = messageFrames(roomEvents);
    const batched = members.some((m) => m.batch) ? batchedFrames(roomEvents) : [];
    await eachLimited(members, ROOM_CONCURRENCY, async ({ connectionId, batch }) => {
      const frames = batch ? batched : single;
      for (const frame of frames) {
        posts++;
        if ((await deps.sender.send(connectionId, frame)) === 'gone') {
          await deps.connections.delete(connectionId);
          return;
        }
      }
    });
  }
  return { rooms: byRoom.size, posts };
}
