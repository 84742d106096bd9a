import { describe, expect, it } from 'vitest';
import { concurrencyByMinute, MAX_MINUTES } from '../../functions/core/stats.ts';

const T0 = Date.UTC(2026, 10, 24, 14, 0, 0);
const at = (minutes: number, seconds = 0) => T0 + minutes * 60_000 + seconds * 1000;
const viewers = (series: { viewers: number }[]) => series.map((point) => point.viewers);

describe('concurrencyByMinute', () => {
  it('gives each minute from the start the most viewers watching at once in it', () => {
    const spans = [
      { from: at(0, 10), to: at(3, 0) },
      { from: at(1, 30), to: at(2, 30) },
      { from: at(2, 40), to: at(4, 0) },
    ];
    const series = concurrencyByMinute({ startedAt: at(0, 5) }, spans, at(4, 30));
    expect(series.map((point) => point.minute)).toEqual(
      [0, 1, 2, 3, 4].map((m) => new Date(at(m)).toISOString()),
    );
    expect(viewers(series)).toEqual([1, 2, 2, 1, 0]);
  });

  it('counts a viewer who came and went within one minute', () => {
    expect(
      viewers(concurrencyByMinute({ startedAt: at(0) }, [{ from: at(1, 10), to: at(1, 20) }], at(2))),
    ).toEqual([0, 1, 0]);
  });

  it('does not count a reconnect (leave and join at the same instant) twice', () => {
    const spans = [
      { from: at(0, 0), to: at(0, 30) },
      { from: at(0, 30), to: at(1, 0) },
    ];
    expect(viewers(concurrencyByMinute({ startedAt: at(0) }, spans, at(1)))).toEqual([1, 0]);
  });

  it('is empty before the start and keeps at most the last 24 h', () => {
    expect(concurrencyByMinute({ startedAt: undefined }, [], at(5))).toEqual([]);
    const series = concurrencyByMinute({ startedAt: at(0) }, [{ from: at(0), to: at(3000) }], at(3000));
    expect(series).toHaveLength(MAX_MINUTES);
    expect(series.at(-1)?.minute).toBe(new Date(at(3000)).toISOString());
  });
});
