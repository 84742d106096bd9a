import { randomBytes } from 'node:crypto';

/** API Gateway's single-value map (last value wins) and multi-value map of one request part. */
export interface ValueMaps {
  readonly single: Record<string, string>;
  readonly multi: Record<string, string[]>;
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
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  const add = (name: string, value: string) => {
    single[name] = value;
    multi[name] = [...(multi[name] ?? []), value];
  };
  let forwardedFor: string | undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    const value = rawHeaders[i + 1] as string;
    if (name.toLowerCase() === 'x-forwarded-for') forwardedFor = value;
    else add(name, value);
  }
  add('X-Forwarded-For', forwardedFor ? `${forwardedFor}, ${sourceIp}` : sourceIp);
  for (const [name, value] of Object.entries(extra)) if (!findHeader(single, name)) add(name, value);
  if (!findHeader(single, 'x-amzn-trace-id')) {
    add(
      'X-Amzn-Trace-Id',
      `Root=1-${Math.floor(now / 1000).toString(16)}-${randomBytes(12).toString('hex')}`,
    );
  }
  return { single, multi };
}

/** Header lookup ignoring case, as HTTP does; the maps themselves keep the client's casing. */
export function findHeader(headers: Record<string, string>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === lower) return value;
  return undefined;
}

/** Decoded query parameters; `undefined` when there are none (each event type spells "none" its own way). */
export function parseQuery(rawQuery: string): ValueMaps | undefined {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decodeLoosely(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decodeLoosely(pair.slice(eq + 1));
    single[key] = value;
    multi[key] = [...(multi[key] ?? []), value];
  }
  return Object.keys(single).length === 0 ? undefined : { single, multi };
}

/** Percent-decodes; a malformed escape is passed through rather than failing the request. */
function decodeLoosely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Splits a request target into path and query ('' when there is none). */
export function splitUrl(url: string): [path: string, query: string] {
  const at = url.indexOf('?');
  return at < 0 ? [url, ''] : [url.slice(0, at), url.slice(at + 1)];
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `09/Apr/2015:12:34:56 +0000`, API Gateway's `requestTime` format. */
export function formatRequestTime(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}
