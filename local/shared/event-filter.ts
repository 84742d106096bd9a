/**
 * Lambda event filtering (the EventBridge pattern syntax an event source mapping's `Filters`
 * take), the subset the manifest uses: nested objects, arrays of exact strings, numbers, booleans
 * or null, and `{exists: boolean}`, `{prefix: string}`. Anything else throws when the filter is
 * compiled, so a manifest pattern the local stack cannot honor fails at startup, not silently.
 */
export type FilterPattern = { readonly [field: string]: FilterPattern | readonly FilterRule[] };
export type FilterRule =
  | string
  | number
  | boolean
  | null
  | { readonly exists: boolean }
  | { readonly prefix: string };

type Matcher = (event: unknown) => boolean;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * One predicate for a list of patterns: an event passes when any pattern matches it (Lambda ORs
 * its filters); with no patterns, everything passes.
 */
export function compileFilters(patterns: readonly unknown[]): Matcher {
  if (patterns.length === 0) return () => true;
  const compiled = patterns.map((pattern) => compilePattern(pattern, '$'));
  return (event) => compiled.some((match) => match(event));
}

function compilePattern(pattern: unknown, path: string): Matcher {
  if (!isObject(pattern)) throw new Error(`Filter pattern at ${path} must be an object`);
  const fields = Object.entries(pattern).map(([name, spec]): [string, Matcher] => {
    const at = `${path}.${name}`;
    if (Array.isArray(spec)) {
      const rules = spec.map((rule: unknown) => compileRule(rule, at));
      // A field holding an array matches when any of its elements does.
      return [name, (value) => (Array.isArray(value) ? value : [value]).some((v) => rules.some((r) => r(v)))];
    }
    return [name, compilePattern(spec, at)];
  });
  // A missing or scalar field is read as an empty object, so nested `exists: false` still applies.
  return (event) => {
    const object = isObject(event) ? event : {};
    return fields.every(([name, match]) => match(object[name]));
  };
}

function compileRule(rule: unknown, path: string): Matcher {
  if (rule === null || ['string', 'number', 'boolean'].includes(typeof rule)) {
    return (value) => value === rule;
  }
  if (isObject(rule) && Object.keys(rule).length === 1) {
    if (typeof rule.exists === 'boolean') {
      const wanted = rule.exists;
      return (value) => (value !== undefined) === wanted;
    }
    if (typeof rule.prefix === 'string') {
      const prefix = rule.prefix;
      return (value) => typeof value === 'string' && value.startsWith(prefix);
    }
  }
  throw new Error(`Filter rule ${JSON.stringify(rule)} at ${path} is not supported by the local stack`);
}
