import { describe, expect, it } from 'vitest';
import { batchedFrames, type ChatEvent, fanOut, messageFrames } from '../../functions/core/chat-fan-out.ts';
import type { ChatMessage, RoomMember } from '../../functions/core/model.ts';
import type { ConnectionSender, ConnectionStore } from '../../functions/core/ports.ts';
import type { ServerFrame } from '../../functions/core/protocol.ts';

const message = (id: string, streamId = 's1', text = `text ${id}`): ChatEvent => ({
  kind: 'posted',
  message: { id, streamId, userId: 'u', message: text, createdAt: 0 } satisfies ChatMessage,
});
const spec = (id: string) => ({
  id,
  userId: 'u',
  message: `text ${id}`,
  timestamp: '1970-01-01T00:00:00.000Z',
});
/** A frame's `data.messages`, whatever its event (undefined unless it is `chat:messages`). */
const messagesOf = (f: ServerFrame | undefined) =>
  (f?.data as { messages?: Array<{ id: string }> })?.messages;

describe('messageFrames (members that did not ask for batches)', () => {
  it('sends each message as its own spec `chat:message`, exactly its four fields, deletions in their place', () => {
    const frames = messageFrames([
      message('a'),
      message('b'),
      { kind: 'deleted', streamId: 's1', id: 'a' },
      message('c'),
    ]);
    expect(frames).toEqual([
      { event: 'chat:message', data: spec('a') },
      { event: 'chat:message', data: spec('b') },
      { event: 'chat:deleted', data: { id: 'a' } },
      { event: 'chat:message', data: spec('c') },
    ]);
  });

  it('never coalesces, however many messages a batch holds', () => {
    const frames = messageFrames(Array.from({ length: 100 }, (_, i) => message(String(i))));
    expect(frames).toHaveLength(100);
    expect(frames.every((f) => f.event === 'chat:message')).toBe(true);
  });
});

describe('batchedFrames (members that joined with `batch: true`)', () => {
  it('sends a lone message in the spec shape', () => {
    expect(batchedFrames([message('a')])).toEqual([{ event: 'chat:message', data: spec('a') }]);
  });

  it('coalesces a run of messages into one frame, in order, and keeps deletions in their place', () => {
    const frames = batchedFrames([
      message('a'),
      message('b'),
      { kind: 'deleted', streamId: 's1', id: 'a' },
      message('c'),
    ]);
    expect(frames.map((f) => f.event)).toEqual(['chat:messages', 'chat:deleted', 'chat:message']);
    expect((messagesOf(frames[0]) ?? []).map((m) => m.id)).toEqual(['a', 'b']);
  });

  it('splits a run that would exceed a frame, never dropping a message', () => {
    const big = Array.from({ length: 100 }, (_, i) => message(String(i), 's1', '😀'.repeat(500)));
    const frames = batchedFrames(big);
    expect(frames.length).toBeGreaterThan(1);
    expect(frames.every((f) => Buffer.byteLength(JSON.stringify(f)) < 128 * 1024)).toBe(true);
    const ids = frames.flatMap((f) => (messagesOf(f) as Array<{ id: string }>).map((m) => m.id));
    expect(ids).toEqual(big.map((_, i) => String(i)));
  });
});

/** Rooms in memory, counting what the fan-out reads and deletes. */
function rooms(members: Record<string, RoomMember[]>) {
  const calls = { listRoom: [] as string[], delete: [] as string[] };
  const store = {
    listRoom: async (streamId: string) => {
      calls.listRoom.push(streamId);
      return members[streamId] ?? [];
    },
    delete: async (connectionId: string) => {
      calls.delete.push(connectionId);
    },
  } as unknown as ConnectionStore;
  return { store, calls };
}

/** A sender that records each frame by connection; `gone` answers 410. */
function sender() {
  const sent: Array<[string, string]> = [];
  const s: ConnectionSender = {
    send: async (id, frame) => {
      if (id === 'gone') return 'gone';
      sent.push([id, frame.event]);
      return 'sent';
    },
    close: async () => {},
  };
  return { sender: s, sent };
}

describe('fanOut', () => {
  it('sends each room its own frames, and drops a gone member without failing the others', async () => {
    const { store, calls } = rooms({
      s1: [
        { connectionId: 'c1', batch: true },
        { connectionId: 'gone', batch: true },
        { connectionId: 'c2', batch: true },
      ],
      s2: [{ connectionId: 'c3', batch: true }],
    });
    const { sender: s, sent } = sender();
    const result = await fanOut({ connections: store, sender: s }, [
      message('a'),
      message('b', 's2'),
      message('c'),
    ]);

    expect(result.rooms).toBe(2);
    expect(calls.listRoom).toEqual(['s1', 's2']);
    expect(sent.sort()).toEqual([
      ['c1', 'chat:messages'],
      ['c2', 'chat:messages'],
      ['c3', 'chat:message'],
    ]);
    expect(calls.delete).toEqual(['gone']);
  });

  it('gives each member of one room the frames it asked for, from the one listing', async () => {
    const { store, calls } = rooms({
      s1: [
        { connectionId: 'spec', batch: false },
        { connectionId: 'sdk', batch: true },
      ],
    });
    const { sender: s, sent } = sender();
    const result = await fanOut({ connections: store, sender: s }, [
      message('a'),
      message('b'),
      { kind: 'deleted', streamId: 's1', id: 'a' },
      message('c'),
    ]);

    expect(calls.listRoom).toEqual(['s1']);
    expect(sent.filter(([id]) => id === 'spec').map(([, event]) => event)).toEqual([
      'chat:message',
      'chat:message',
      'chat:deleted',
      'chat:message',
    ]);
    expect(sent.filter(([id]) => id === 'sdk').map(([, event]) => event)).toEqual([
      'chat:messages',
      'chat:deleted',
      'chat:message',
    ]);
    expect(result.posts).toBe(7);
  });
});
