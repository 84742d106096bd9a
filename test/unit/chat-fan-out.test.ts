import { describe, expect, it, vi } from 'vitest';
import type { ChatMessage } from '../../functions/core/chat.ts';
import { type ChatEvent, fanOut, roomFrames } from '../../functions/core/chat-fan-out.ts';
import type { ConnectionSender, ConnectionStore } from '../../functions/core/connections.ts';

const message = (id: string, streamId = 's1', text = `text ${id}`): ChatEvent => ({
  kind: 'posted',
  message: { id, streamId, userId: 'u', message: text, createdAt: 0 } satisfies ChatMessage,
});

describe('roomFrames', () => {
  it('sends a lone message in the spec shape', () => {
    expect(roomFrames([message('a')])).toEqual([
      {
        event: 'chat:message',
        data: { id: 'a', userId: 'u', message: 'text a', timestamp: '1970-01-01T00:00:00.000Z' },
      },
    ]);
  });

  it('coalesces a run of messages into one frame, in order, and keeps deletions in their place', () => {
    const frames = roomFrames([
      message('a'),
      message('b'),
      { kind: 'deleted', streamId: 's1', id: 'a' },
      message('c'),
    ]);
    expect(frames.map((f) => f.event)).toEqual(['chat:messages', 'chat:deleted', 'chat:message']);
    expect(((frames[0]?.data.messages ?? []) as Array<{ id: string }>).map((m) => m.id)).toEqual(['a', 'b']);
  });

  it('splits a run that would exceed a frame, never dropping a message', () => {
    const big = Array.from({ length: 100 }, (_, i) => message(String(i), 's1', '😀'.repeat(500)));
    const frames = roomFrames(big);
    expect(frames.length).toBeGreaterThan(1);
    expect(frames.every((f) => Buffer.byteLength(JSON.stringify(f)) < 128 * 1024)).toBe(true);
    const ids = frames.flatMap((f) => (f.data.messages as Array<{ id: string }>).map((m) => m.id));
    expect(ids).toEqual(big.map((_, i) => String(i)));
  });
});

describe('fanOut', () => {
  it('sends each room its own frames, and drops a gone member without failing the others', async () => {
    const rooms: Record<string, string[]> = { s1: ['c1', 'gone', 'c2'], s2: ['c3'] };
    const sent: Array<[string, string]> = [];
    const connections = {
      listRoom: vi.fn(async (s: string) => rooms[s] ?? []),
      delete: vi.fn(async () => {}),
    };
    const sender: ConnectionSender = {
      send: vi.fn(async (id, frame) => {
        if (id === 'gone') return 'gone' as const;
        sent.push([id, frame.event]);
        return 'sent' as const;
      }),
      close: vi.fn(),
    };
    const deps = { connections: connections as unknown as ConnectionStore, sender };
    const result = await fanOut(deps, [message('a'), message('b', 's2'), message('c')]);

    expect(result.rooms).toBe(2);
    expect(connections.listRoom).toHaveBeenCalledTimes(2);
    expect(sent.sort()).toEqual([
      ['c1', 'chat:messages'],
      ['c2', 'chat:messages'],
      ['c3', 'chat:message'],
    ]);
    expect(connections.delete).toHaveBeenCalledWith('gone');
  });
});
