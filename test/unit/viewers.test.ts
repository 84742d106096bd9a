import { describe, expect, it, vi } from 'vitest';
import type { StreamRecord } from '../../functions/core/model.ts';
import type { StreamStore, ViewerStore } from '../../functions/core/ports.ts';
import { joinStream } from '../../functions/core/viewers.ts';

const live = { status: 'live', viewerCount: 1, peakViewers: 3, maxViewers: 5 } as StreamRecord;
const user = { userId: 'bob', roles: [] };

function deps(overrides: { streams?: Partial<StreamStore>; viewers?: Partial<ViewerStore> }) {
  const streams = {
    addViewer: vi.fn(async () => ({ ok: true as const, value: live })),
    raisePeak: vi.fn(async () => {}),
    removeViewer: vi.fn(async () => {}),
    ...overrides.streams,
  } as unknown as StreamStore;
  const viewers = { put: vi.fn(async () => {}), ...overrides.viewers } as unknown as ViewerStore;
  return {
    streams,
    viewers,
    clock: { now: () => 1000 },
    ids: { viewerId: () => 'v1' } as never,
    turn: { kind: 'none' as const },
  };
}

describe('joinStream', () => {
  it('gives the seat back when the session row cannot be written', async () => {
    const d = deps({ viewers: { put: vi.fn(async () => Promise.reject(new Error('down'))) } });
    await expect(joinStream(d, 's1', user)).rejects.toThrow('down');
    expect(d.streams.removeViewer).toHaveBeenCalledWith('s1');
  });

  it('raises the peak only when the new count exceeds it', async () => {
    const below = deps({});
    await joinStream(below, 's1', user);
    expect(below.streams.raisePeak).not.toHaveBeenCalled();

    const above = deps({
      streams: { addViewer: vi.fn(async () => ({ ok: true as const, value: { ...live, viewerCount: 4 } })) },
    });
    await joinStream(above, 's1', user);
    expect(above.streams.raisePeak).toHaveBeenCalledWith('s1', 4);
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
});
