/**
 * A small schema language for wire JSON: each check returns the first problem as
 * `<json pointer>: <what is wrong>`, the form MediaConvert's BadRequestException messages take
 * (`/settings/outputGroups/0/...: ...`). Objects are closed: a key the local stand-in does not
 * know is a problem too, so a job setting it cannot honor is refused instead of ignored.
 */
export type Check = (value: unknown, path: string) => string | undefined;

const UNSUPPORTED = 'is not supported by the local MediaConvert stand-in';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export const oneOf =
  (...allowed: readonly (string | number)[]): Check =>
  (value, path) =>
    allowed.includes(value as string | number)
      ? undefined
      : `${path}: ${JSON.stringify(value)} ${UNSUPPORTED} (it honors ${allowed.map((a) => JSON.stringify(a)).join(', ')})`;

export const integer =
  (min: number, max = 2_147_483_647): Check =>
  (value, path) =>
    typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
      ? undefined
      : `${path}: Should be an integer from ${min} to ${max}`;

export const positive: Check = (value, path) =>
  typeof value === 'number' && Number.isFinite(value) && value > 0
    ? undefined
    : `${path}: Should be a number above 0`;

export const text =
  (pattern?: RegExp): Check =>
  (value, path) =>
    typeof value === 'string' && (!pattern || pattern.test(value))
      ? undefined
      : `${path}: Should be a string${pattern ? ` matching ${pattern}` : ''}`;

/** A closed object: only `fields`, and every `required` one present. */
export const object =
  (fields: Readonly<Record<string, Check>>, required: readonly string[] = []): Check =>
  (value, path) => {
    if (!isObject(value)) return `${path}: Should be an object`;
    for (const key of Object.keys(value)) if (!(key in fields)) return `${path}/${key} ${UNSUPPORTED}`;
    for (const key of required) if (value[key] === undefined) return `${path}/${key}: Is required`;
    for (const [key, check] of Object.entries(fields)) {
      if (value[key] === undefined) continue;
      const problem = check(value[key], `${path}/${key}`);
      if (problem) return problem;
    }
    return undefined;
  };

export const list =
  (item: Check, min: number, max = Number.MAX_SAFE_INTEGER): Check =>
  (value, path) => {
    if (!Array.isArray(value)) return `${path}: Should be an array`;
    if (value.length < min || value.length > max) {
      return `${path}: The local MediaConvert stand-in takes ${min === max ? min : `${min} to ${max}`} item(s), got ${value.length}`;
    }
    for (const [i, element] of value.entries()) {
      const problem = item(element, `${path}/${i}`);
      if (problem) return problem;
    }
    return undefined;
  };

export const map =
  (entry: Check, min = 0, max = Number.MAX_SAFE_INTEGER): Check =>
  (value, path) => {
    if (!isObject(value)) return `${path}: Should be an object`;
    const entries = Object.entries(value);
    if (entries.length < min || entries.length > max) {
      return `${path}: The local MediaConvert stand-in takes ${min === max ? min : `${min} to ${max}`} entries, got ${entries.length}`;
    }
    for (const [key, element] of entries) {
      const problem = entry(element, `${path}/${key}`);
      if (problem) return problem;
    }
    return undefined;
  };

/** The check `pick` chooses for this value (by a discriminating field), or a problem when none fits. */
export const variant =
  (pick: (value: Record<string, unknown>) => Check | string): Check =>
  (value, path) => {
    if (!isObject(value)) return `${path}: Should be an object`;
    const check = pick(value);
    return typeof check === 'string' ? `${path}: ${check}` : check(value, path);
  };
