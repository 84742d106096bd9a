/**
 * What "live" allows a rendition's uploads (rendition-run.ts): when they cannot keep up (a thin
 * uplink, a busy CPU), segments that waited too long are dropped rather than sent late, so the
 * live edge stays seconds old instead of falling further behind with every second.
 */

/**
 * How long past its end a segment may wait for its turn to upload while a newer one waits. A
 * segment is normally cut under a second after its end and sent at once, so this is about two
 * segments of backlog; with the two POSTs that list it, the live edge stays about 4 s old.
 */
export const LATE_AFTER_MS = 3000;

/** A segment's end on the wall clock, ms since the epoch. */
export const endOf = (segment: { programDateTime: number; durationSec: number }): number =>
  segment.programDateTime + segment.durationSec * 1000;

/**
 * How many of the oldest waiting segments to drop at `now`: those that ended more than
 * `LATE_AFTER_MS` ago, never the newest (something is always sent).
 *
 * @example
 * lateSegments([{ programDateTime: 0, durationSec: 1 }, { programDateTime: 4000, durationSec: 1 }], 5000); // 1
 */
export function lateSegments(
  waiting: readonly { programDateTime: number; durationSec: number }[],
  now: number,
): number {
  let late = 0;
  while (
    late < waiting.length - 1 &&
    now - endOf(waiting[late] as (typeof waiting)[number]) > LATE_AFTER_MS
  ) {
    late++;
  }
  return late;
}
