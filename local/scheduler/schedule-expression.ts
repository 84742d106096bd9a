const AT = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/;

/**
 * When a one-time schedule fires: `at(yyyy-mm-ddThh:mm:ss)` read as wall-clock time in
 * `timezone` (an IANA name, UTC when absent), as epoch milliseconds. A wall-clock time that a
 * DST change skips or repeats resolves to one side of the change.
 *
 * @throws RangeError for anything else, `rate()` and `cron()` included: the local stack runs
 * one-time schedules only, and says so rather than accepting a schedule that never fires.
 */
export function parseAtExpression(expression: string, timezone = 'UTC'): number {
  const match = AT.exec(expression);
  if (!match) {
    const hint = /^(rate|cron)\(/.test(expression)
      ? ' (the local stack runs one-time at() schedules only)'
      : '';
    throw new RangeError(`Invalid Schedule Expression ${expression}${hint}.`);
  }
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = match.slice(1).map(Number);
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const back = new Date(wall);
  // Date.UTC rolls Feb 30 over into March; AWS rejects it.
  if (
    back.getUTCMonth() !== month - 1 ||
    back.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    throw new RangeError(`Invalid Schedule Expression ${expression}.`);
  }
  const format = zoneFormat(timezone);
  // The zone's offset at the guess, then again at the result: right on both sides of a DST change.
  const first = wall - offsetAt(format, wall);
  return wall - offsetAt(format, first);
}

function zoneFormat(timezone: string): Intl.DateTimeFormat {
  try {
    return new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw new RangeError(`Invalid ScheduleExpressionTimezone ${timezone}.`);
  }
}

/** How far the zone's wall clock is ahead of UTC at `epochMs`. */
function offsetAt(format: Intl.DateTimeFormat, epochMs: number): number {
  const parts = Object.fromEntries(format.formatToParts(epochMs).map((p) => [p.type, Number(p.value)]));
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
  return Date.UTC(year, month - 1, day, hour, minute, second) - Math.floor(epochMs / 1000) * 1000;
}
