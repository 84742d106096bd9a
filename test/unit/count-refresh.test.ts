import { describe, expect, it } from 'vitest';
import { COUNT_POLLS_PER_SECOND, COUNT_REFRESH_MS, countRefreshMs } from '../../web/app/src/count-refresh.ts';

describe("the watch page's count refresh", () => {
  it('is 5 s for a small audience, and for a count it cannot use', () => {
    for (const n of [0, 1, 50, 5000, -3, Number.NaN]) expect(countRefreshMs(n)).toBe(COUNT_REFRESH_MS);
  });

  it('slows as the audience grows, so the whole audience asks at most ~1,000 times a second', () => {
    for (const n of [5001, 20_000, 100_000, 1_000_000]) {
      const ms = countRefreshMs(n);
      expect(ms).toBeGreaterThan(COUNT_REFRESH_MS);
      expect((n / ms) * 1000).toBeLessThanOrEqual(COUNT_POLLS_PER_SECOND);
    }
    expect(countRefreshMs(100_000)).toBe(100_000);
  });
});
