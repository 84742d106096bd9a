import { describe, expect, it } from 'vitest';
import { LiveTier, measureUplinkKbps } from '../../web/sdk/live/live-tier.ts';

/** A peer connection whose getStats answers `stats`. */
const peer = (...stats: Record<string, unknown>[]) =>
  ({ getStats: async () => new Map(stats.map((s, i) => [String(i), s])) }) as unknown as RTCPeerConnection;

describe('the uplink a broadcaster reports', () => {
  it('is the highest availableOutgoingBitrate of any selected candidate pair, in whole kbit/s', async () => {
    const pair = { type: 'candidate-pair', nominated: true, state: 'succeeded' };
    expect(
      await measureUplinkKbps([
        peer({ ...pair, availableOutgoingBitrate: 3_000_400 }, { type: 'outbound-rtp', bytesSent: 9 }),
        peer({ ...pair, availableOutgoingBitrate: 5_250_600 }),
        // A pair that is not in use says nothing of the path.
        peer({
          type: 'candidate-pair',
          nominated: false,
          state: 'waiting',
          availableOutgoingBitrate: 90_000_000,
        }),
      ]),
    ).toBe(5251);
  });

  it('is unknown without a peer, or before any pair has an estimate', async () => {
    expect(await measureUplinkKbps([])).toBeUndefined();
    expect(await measureUplinkKbps([peer({ type: 'candidate-pair', nominated: true })])).toBeUndefined();
  });

  it('is not reported by a broadcaster whose ladder is off or not yet playable', async () => {
    const sent: unknown[] = [];
    const tier = new LiveTier({
      options: { enabled: false },
      credentials: async () => {
        throw new Error('not asked');
      },
      report: (data) => sent.push(data) > 0,
      peers: () => [peer({ type: 'candidate-pair', nominated: true, availableOutgoingBitrate: 1e6 })],
      onError: () => {},
    });
    expect(tier.enabled).toBe(false);
    await tier.start({} as MediaStream);
    await tier.report();
    expect(sent).toEqual([]);
    expect(tier.ladderKbps).toBe(0);
  });
});
