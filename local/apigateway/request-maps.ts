import { randomBytes } from 'node:crypto';
import { decodeLoosely } from '../shared/http-io.ts';

/** API Gateway's single-value map (last value wins) and multi-value map of one request part. */
export interface ValueMaps {
  readonly single: Record<string, string>;
  readonly multi: Record<string, string[]>;
}

/**
 * Names and values of one request part, collected in a Map: a client's `constructor`,
 * `__proto__` or `hasOwnProperty` is a name like any other, never an Object member. `maps()` hands
 * them out as objects with own properties only, what the JSON event Lambda parses on AWS holds.
 */
class ValueCollector {
  private readonly values = new Map<string, string[]>();

  add(name: string, value: string): void {
    const values = this.values.get(name);
    if (values) values.push(value);
    else this.values.set(name, [value]);
  }

  /** Whether a name is present, ignoring case (for headers, as HTTP does). */
  hasIgnoringCase(name: string): boolean {
    const lower = name.toLowerCase();
    return [...this.values.keys()].some((key) => key.toLowerCase() === lower);
  }

  get size(): number {
    return this.values.size;
  }

  maps(): ValueMaps {
    const entries = [...this.values];
    return {
      single: Object.fromEntries(entries.map(([name, values]) => [name, values.at(-1) as string])),
      multi: Object.fromEntries(entries),
    };
  }
}

/**
 * Headers as API Gateway hands them to a Lambda: the client's casing and repeats, plus what the
 * gateway adds in front (`X-Forwarded-*`, `X-Amzn-Trace-Id`). Rate limits keyed on
 * X-Forwarded-For see the same value as on AWS, where the caller is appended to it.
 */
export function headerMaps(
  rawHeaders: readonly string[],
  sourceIp: string,
  now: number,
  extra: Readonly<Record<string, string>> = {},
): ValueMaps {
  const headers = new ValueCollector();
  let forwardedFor: string | undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    const value = rawHeaders[i + 1] as string;
    if (name.toLowerCase() === 'x-forwarded-for') forwardedFor = value;
    else headers.add(name, value);
  }
  headers.add('X-Forwarded-For', forwardedFor ? `${forwardedFor}, ${sourceIp}` : sourceIp);
  for (const [name, value] of Object.entries(extra))
    if (!headers.hasIgnoringCase(name)) headers.add(name, value);
  if (!headers.hasIgnoringCase('x-amzn-trace-id')) {
    headers.add(
      'X-Amzn-Trace-Id',
      `Root=1-${Math.floor(now / 1000).toString(16)}-${randomBytes(12).toString('hex')}`,
    );
  }
  return headers.maps();
}

/** Header lookup ignoring case, as HTTP does; the maps themselves keep the client's casing. */
export function findHeader(headers: Record<string, string>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === lower) return value;
  return undefined;
}

/** A map's own value for `name`: never an inherited member (`constructor` of a map without one). */
export function ownValue<T>(map: Readonly<Record<string, T>> | undefined, name: string): T | undefined {
  return map && Object.hasOwn(map, name) ? map[name] : undefined;
}

/** Decoded query parameters; `undefined` when there are none (each event type spells "none" its own way). */
export function parseQuery(rawQuery: string): ValueMaps | undefined {
  const query = new ValueCollector();
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    query.add(
      decodeLoosely(eq < 0 ? pair : pair.slice(0, eq)),
      eq < 0 ? '' : decodeLoosely(pair.slice(eq + 1)),
    );
  }
  return query.size === 0 ? undefined : query.maps();
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `09/Apr/2015:12:34:56 +0000`, API Gateway's `requestTime` format. */
export function formatRequestTime(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}
