/**
 * When a Viewer reports the end (web/sdk/viewer-end.ts): a seat at the socket's word; an HLS
 * viewer when its player reaches the playlist's end, or at the latest PLAYLIST_END_WAIT_MS after
 * the socket's word; once, whichever comes first.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type EndedVia, PLAYLIST_END_WAIT_MS, StreamEnd } from '../../web/sdk/viewer-end.ts';

type Reported = { reason: string; message?: string; via: EndedVia };

function end(options: { playingHls: boolean; reason?: 'ended' | 'terminated' }) {
  const reported: Reported[] = [];
  const asked: number[] = [];
  const streamEnd = new StreamEnd({
    playingHls: () => options.playingHls,
    reason: async () => {
      asked.push(Date.now());
      return options.reason;
    },
    report: (ended) => reported.push(ended),
  });
  return { streamEnd, reported, asked };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('StreamEnd', () => {
  it('ends a seat at the socket word, with its reason and message', async () => {
    const { streamEnd, reported, asked } = end({ playingHls: false });
    await streamEnd.signaled({ reason: 'terminated', message: 'Terms of service' });
    expect(reported).toEqual([{ reason: 'terminated', message: 'Terms of service', via: 'signaling' }]);
    expect(asked).toEqual([]);
    expect(streamEnd.over).toBe(true);
  });

  it('lets an HLS viewer play on to the playlist end, keeping the socket reason', async () => {
    const { streamEnd, reported } = end({ playingHls: true });
    await streamEnd.signaled({ reason: 'broadcaster_disconnected' });
    await vi.advanceTimersByTimeAsync(PLAYLIST_END_WAIT_MS - 1);
    expect(reported).toEqual([]);
    await streamEnd.playlistEnded();
    expect(reported).toEqual([{ reason: 'broadcaster_disconnected', via: 'playlist' }]);
    await vi.advanceTimersByTimeAsync(PLAYLIST_END_WAIT_MS);
    expect(reported).toHaveLength(1);
  });

  it('reports an HLS viewer whose playlist never ends PLAYLIST_END_WAIT_MS after the socket word', async () => {
    const { streamEnd, reported } = end({ playingHls: true });
    await streamEnd.signaled({ reason: 'ended' });
    await vi.advanceTimersByTimeAsync(PLAYLIST_END_WAIT_MS);
    expect(reported).toEqual([{ reason: 'ended', via: 'signaling' }]);
    await streamEnd.playlistEnded();
    expect(reported).toHaveLength(1);
  });

  it('asks the service why when the playlist ends before any word', async () => {
    const { streamEnd, reported, asked } = end({ playingHls: true, reason: 'terminated' });
    await streamEnd.playlistEnded();
    expect(asked).toHaveLength(1);
    expect(reported).toEqual([{ reason: 'terminated', via: 'playlist' }]);
    await streamEnd.signaled({ reason: 'terminated' });
    expect(reported).toHaveLength(1);
  });

  it('reports nothing after cancel (the viewer left), and again after reset (a new join)', async () => {
    const { streamEnd, reported } = end({ playingHls: false });
    streamEnd.cancel();
    await streamEnd.signaled({ reason: 'ended' });
    expect(reported).toEqual([]);
    streamEnd.reset();
    await streamEnd.signaled();
    expect(reported).toEqual([{ reason: 'ended', via: 'signaling' }]);
  });
});
