import { describe, expect, it, vi } from 'vitest';
import type { StreamRecord } from '../../functions/core/model.ts';
import type { StreamStore, ViewerStore } from '../../functions/core/ports.ts';
import { joinStream, leaveStream } from '../../functions/core/viewers.ts';

const live = {
  streamId: 's1',
  status: 'live',
  viewerCount: 1,
  peakViewers: 3,
  maxViewers: 5,
} as StreamRecord;
const user = { userId: 'bob', roles: [] };
const joining = { kind: 'joining' as const, viewerId: 'v1', at: 1000 };

function deps(overrides: { streams?: Partial<StreamStore>; viewers?: Partial<ViewerStore> }) {
  const streams = {
    addViewer: vi.fn(async () => ({ ok: true as const, value: live })),
    markLeaving: vi.fn(async () => ({ ok: true as const, value: live })),
    settleSeat: vi.fn(async () => true),
    ...overrides.streams,
  } as unknown as StreamStore;
  const viewers = {
    put: vi.fn(async () => {}),
    get: vi.fn(async () => undefined),
    close: vi.fn(async () => ({ ok: true as const, value: {} })),
    ...overrides.viewers,
  } as unknown as ViewerStore;
  return {
    streams,
    viewers,
    clock: { now: () => 1000 },
    ids: { viewerId: () => 'v1', attemptId: () => 'a1' } as never,
    turn: { kind: 'none' as const },
    seatRepairAfterMs: 60_000,
    audience: {} as never,
    windowMs: 30_000,
    livePlaybackUrl: (streamId: string) => `https://cdn/live/${streamId}/index.m3u8`,
  };
}

describe('joinStream', () => {
  it('counts in and marks the seat in one write, then writes the session, then removes the marker', async () => {
    const d = deps({});
    await joinStream(d, 's1', user);
    expect(d.streams.addViewer).toHaveBeenCalledWith('s1', 'v1', 1000);
    expect(d.viewers.put).toHaveBeenCalledWith({
      streamId: 's1',
      viewerId: 'v1',
      userId: 'bob',
      joinedAt: 1000,
    });
    expect(d.streams.settleSeat).toHaveBeenCalledWith('s1', joining, {
      viewers: 0,
      views: 0,
      peak: undefined,
    });
  });

  it('gives the seat back (count and view) when the session row cannot be written', async () => {
    const d = deps({ viewers: { put: vi.fn(async () => Promise.reject(new Error('down'))) } });
    await expect(joinStream(d, 's1', user)).rejects.toThrow('down');
    expect(d.streams.settleSeat).toHaveBeenCalledWith('s1', joining, { viewers: 1, views: 1 });
    expect(d.streams.settleSeat).toHaveBeenCalledTimes(1);
  });

  it('raises the peak, with the marker, only when the new count exceeds it', async () => {
    const below = deps({});
    await joinStream(below, 's1', user);
    expect(below.streams.settleSeat).toHaveBeenCalledWith(
      's1',
      joining,
      expect.objectContaining({ peak: undefined }),
    );

    const above = deps({
      streams: { addViewer: vi.fn(async () => ({ ok: true as const, value: { ...live, viewerCount: 4 } })) },
    });
    await joinStream(above, 's1', user);
    expect(above.streams.settleSeat).toHaveBeenCalledWith('s1', joining, { viewers: 0, views: 0, peak: 4 });
  });

  it.each([
    [undefined, 'STREAM_NOT_FOUND'],
    [{ ...live, status: 'created' }, 'STREAM_NOT_LIVE'],
    [{ ...live, status: 'ended' }, 'STREAM_ENDED'],
    [{ ...live, viewerCount: 5 }, 'STREAM_FULL'],
  ])('explains a refused join from the current row (%#: %s)', async (current, code) => {
    const d = deps({
      streams: { addViewer: vi.fn(async () => ({ ok: false as const, current: current as StreamRecord })) },
    });
    await expect(joinStream(d, 's1', user)).rejects.toMatchObject({ code });
    expect(d.viewers.put).not.toHaveBeenCalled();
  });

  it('repairs the interrupted changes it finds on the row, and only those older than the delay', async () => {
    const crashedJoin = { kind: 'joining' as const, viewerId: 'lost', at: 1000 - 60_000 };
    const recentJoin = { kind: 'joining' as const, viewerId: 'recent', at: 1000 - 59_999 };
    const crashedLeave = { kind: 'leaving' as const, viewerId: 'gone', attempt: 'x', at: -100_000 };
    const stream = { ...live, pendingSeats: [crashedJoin, recentJoin, crashedLeave] };
    const d = deps({
      streams: { addViewer: vi.fn(async () => ({ ok: true as const, value: stream })) },
      viewers: {
        // `lost` never got its session row; `gone` was closed by the crashed leave attempt.
        get: vi.fn(async (_s: string, id: string) =>
          id === 'gone' ? ({ viewerId: id, leftAt: 5, closedBy: 'x' } as never) : undefined,
        ),
      },
    });
    await joinStream(d, 's1', user);
    expect(d.streams.settleSeat).toHaveBeenCalledWith('s1', crashedJoin, { viewers: 1, views: 1 });
    expect(d.streams.settleSeat).toHaveBeenCalledWith('s1', crashedLeave, { viewers: 1, views: 0 });
    expect(d.streams.settleSeat).not.toHaveBeenCalledWith('s1', recentJoin, expect.anything());
  });
});

describe('leaveStream', () => {
  const leaving = { kind: 'leaving' as const, viewerId: 'v1', attempt: 'a1', at: 1000 };

  it('marks the leave, closes the session, then counts out and unmarks in one write', async () => {
    const d = deps({});
    expect(await leaveStream(d, 's1', 'v1', user)).toBe('webrtc');
    expect(d.streams.markLeaving).toHaveBeenCalledWith('s1', leaving);
    expect(d.viewers.close).toHaveBeenCalledWith('s1', 'v1', { leftAt: 1000, attempt: 'a1', userId: 'bob' });
    expect(d.streams.settleSeat).toHaveBeenCalledWith('s1', leaving, { viewers: 1, views: 0 });
  });

  it("only unmarks when the session was already closed or is another user's", async () => {
    const closed = { viewerId: 'v1', userId: 'bob', leftAt: 3 };
    const again = deps({
      viewers: { close: vi.fn(async () => ({ ok: false as const, current: closed as never })) },
    });
    expect(await leaveStream(again, 's1', 'v1', user)).toBeUndefined();
    expect(again.streams.settleSeat).toHaveBeenCalledWith('s1', leaving, { viewers: 0, views: 0 });

    const theirs = { ...closed, userId: 'eve', leftAt: undefined };
    const other = deps({
      viewers: { close: vi.fn(async () => ({ ok: false as const, current: theirs as never })) },
    });
    await expect(leaveStream(other, 's1', 'v1', user)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(other.streams.settleSeat).toHaveBeenCalledWith('s1', leaving, { viewers: 0, views: 0 });
  });

  it('closes the session without counting once the stream has ended (its count is already zero)', async () => {
    const ended = { ...live, status: 'ended' } as StreamRecord;
    const d = deps({ streams: { markLeaving: vi.fn(async () => ({ ok: false as const, current: ended })) } });
    expect(await leaveStream(d, 's1', 'v1', user)).toBe('webrtc');
    expect(d.streams.settleSeat).not.toHaveBeenCalled();
  });
});
