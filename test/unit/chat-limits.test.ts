import { describe, expect, it } from 'vitest';
import { type ChatDeps, type ChatLimits, postMessage } from '../../functions/core/chat.ts';
import type { StreamRecord } from '../../functions/core/model.ts';
import type { ChatStore, StreamStore } from '../../functions/core/ports.ts';

const live = { streamId: 's1', ownerId: 'host', status: 'live' } as StreamRecord;
const limits: ChatLimits = { perWindow: 2, windowMs: 10_000, roomPerSecond: 3, retentionDays: 1 };

/** A chat store in memory: windows as counters, messages in a list. */
function memoryChat() {
  const counts = new Map<string, number>();
  const stored: string[] = [];
  const take = (key: string, max: number) => {
    const n = counts.get(key) ?? 0;
    if (n >= max) return false;
    counts.set(key, n + 1);
    return true;
  };
  const store: ChatStore = {
    put: async (m) => {
      stored.push(m.message);
    },
    list: async () => ({ messages: [], more: false }),
    bannedUntil: async () => undefined,
    countPost: async (_s, userId, w) => take(`user#${userId}#${w.index}`, w.max),
    countRoomPost: async (_s, w) => take(`room#${w.index}`, w.max),
    takeSlot: async () => true,
  };
  return { store, counts, stored };
}

function deps(chat: ChatStore, now: () => number): ChatDeps {
  let id = 0;
  return {
    streams: { get: async () => live } as unknown as StreamStore,
    chat,
    clock: { now },
    newMessageId: () => String(id++),
  };
}

const user = (userId: string) => ({ userId, roles: [] });

describe('postMessage: the room’s limit', () => {
  it('takes at most `roomPerSecond` posts in one second, all users together, then refuses with CHAT_BUSY until the next second', async () => {
    const { store, stored } = memoryChat();
    const d = deps(store, () => 5_250);
    for (const u of ['a', 'b', 'c']) await postMessage(d, limits, 's1', user(u), `from ${u}`);
    const refused = await postMessage(d, limits, 's1', user('d'), 'one too many').catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'CHAT_BUSY', retryAfterMs: 750 });
    expect(stored).toEqual(['from a', 'from b', 'from c']);

    const next = deps(store, () => 6_000);
    await postMessage(next, limits, 's1', user('d'), 'now');
    expect(stored).toHaveLength(4);
  });

  it('takes no room slot for a post the user’s own limit refuses', async () => {
    const { store, counts } = memoryChat();
    const d = deps(store, () => 1_000);
    await postMessage(d, limits, 's1', user('a'), '1');
    await postMessage(d, limits, 's1', user('a'), '2');
    const refused = await postMessage(d, limits, 's1', user('a'), '3').catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'RATE_LIMITED' });
    expect(counts.get('room#1')).toBe(2);
  });
});
