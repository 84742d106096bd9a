import { describe, expect, it } from 'vitest';
import { chooseLadder, ladderKbps, UPLINK_SHARE } from '../../web/sdk/live/renditions.ts';

const sizes = (capture: { width: number; height: number }, uplinkKbps?: number) =>
  chooseLadder(capture, { uplinkKbps }).map((r) => `${r.name} ${r.width}x${r.height}`);

describe('the live ladder', () => {
  it('encodes 720p, 480p and 360p from a 720p capture, with even sides', () => {
    expect(sizes({ width: 1280, height: 720 })).toEqual(['720p 1280x720', '480p 854x480', '360p 640x360']);
    expect(ladderKbps(chooseLadder({ width: 1280, height: 720 }))).toBe(2596 + 1296 + 796);
  });

  it('never goes above the capture', () => {
    expect(sizes({ width: 640, height: 480 })).toEqual(['480p 640x480', '360p 480x360']);
    expect(sizes({ width: 640, height: 360 })).toEqual(['360p 640x360']);
    expect(sizes({ width: 1920, height: 1080 }).map((s) => s.split(' ')[0])).toEqual([
      '720p',
      '480p',
      '360p',
    ]);
    // A portrait phone: rungs name the short side.
    expect(sizes({ width: 720, height: 1280 })).toEqual(['720p 720x1280', '480p 480x854', '360p 360x640']);
    // Smaller than every rung: one rendition at its own size.
    expect(sizes({ width: 320, height: 240 })).toEqual(['240p 320x240']);
  });

  it('drops top renditions until the ladder fits half the uplink, keeping at least 360p', () => {
    const capture = { width: 1280, height: 720 };
    expect(sizes(capture, 10_000)).toHaveLength(3);
    expect(sizes(capture, 9_000).map((s) => s.split(' ')[0])).toEqual(['480p', '360p']);
    expect(sizes(capture, 2_000).map((s) => s.split(' ')[0])).toEqual(['360p']);
    expect(sizes(capture, 300).map((s) => s.split(' ')[0])).toEqual(['360p']);
    for (const uplink of [9_000, 5_000, 2_000]) {
      expect(ladderKbps(chooseLadder(capture, { uplinkKbps: uplink }))).toBeLessThanOrEqual(
        uplink * UPLINK_SHARE,
      );
    }
    // Unknown (or nonsense) uplink: the whole ladder.
    expect(sizes(capture, 0)).toHaveLength(3);
  });
});
