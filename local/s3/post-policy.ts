import { timingSafeEqual } from 'node:crypto';
import { ALGORITHM_IDENTIFIER } from '@smithy/signature-v4';
import { type AuthFailure, localSignature, parseAmzDate, parseScope } from '../shared/sigv4.ts';

// S3's check of a browser upload (POST Object) signed with a SigV4 POST policy: who signed it,
// that the policy is theirs and still good, and that the form keeps every one of its conditions.

/** A POST Object's form as S3 reads it: the fields before `file`, and the file's size. */
export interface PostForm {
  /** Names lower-cased (S3 matches them case-insensitively), `${filename}` expanded, repeats joined with `,`. */
  readonly fields: ReadonlyMap<string, string>;
  /** The bucket the URL names. */
  readonly bucket: string;
  readonly fileSize: number;
}

export type PolicyVerdict = { readonly ok: true } | { readonly ok: false; readonly failure: AuthFailure };

type Condition =
  | readonly [op: 'eq' | 'starts-with', field: string, value: string]
  | readonly ['range', number, number];

/** Fields a policy need not name: the signature, the file, the policy itself, and `x-ignore-*`. */
const uncovered = (name: string) =>
  name === 'x-amz-signature' || name === 'file' || name === 'policy' || name.startsWith('x-ignore-');

/**
 * Verifies the form's signature and policy as S3 does, in this order: a policy at all (none is an
 * anonymous write, which the bucket's public access block refuses), the SigV4 fields, the
 * credential's scope (the local key, region, `s3`), the signature (HMAC-SHA256 of the base64
 * policy with the scope's signing key, compared in constant time), the policy's expiration, each
 * condition in order, then any field no condition names (S3 refuses extra fields).
 */
export async function verifyPostPolicy(form: PostForm, now = Date.now()): Promise<PolicyVerdict> {
  const field = (name: string) => form.fields.get(name);
  const policy = field('policy');
  if (policy === undefined) return fail(403, 'AccessDenied', 'Access Denied');
  for (const name of ['x-amz-algorithm', 'x-amz-credential', 'x-amz-date', 'x-amz-signature']) {
    if (!field(name)) return fail(400, 'InvalidArgument', mustContain(name), { ArgumentName: name });
  }
  if (field('x-amz-algorithm') !== ALGORITHM_IDENTIFIER) {
    return fail(400, 'InvalidArgument', `X-Amz-Algorithm only supports "${ALGORITHM_IDENTIFIER}"`, {
      ArgumentName: 'x-amz-algorithm',
      ArgumentValue: field('x-amz-algorithm') ?? '',
    });
  }
  const date = field('x-amz-date') as string;
  if (parseAmzDate(date) === undefined) {
    return fail(400, 'InvalidArgument', 'X-Amz-Date must be in the ISO8601 Long Format', {
      ArgumentName: 'x-amz-date',
    });
  }
  const scope = parseScope(field('x-amz-credential') as string, date, 's3');
  if ('failure' in scope) return { ok: false, failure: scope.failure };

  const provided = field('x-amz-signature') as string;
  const expected = await localSignature(scope.shortDate, 's3', policy);
  if (!sameHex(expected, provided)) {
    return fail(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      { AWSAccessKeyId: scope.accessKeyId, StringToSign: policy, SignatureProvided: provided },
    );
  }

  const document = parsePolicy(policy);
  if ('failure' in document) return { ok: false, failure: document.failure };
  if (now > document.expiration)
    return fail(403, 'AccessDenied', 'Invalid according to Policy: Policy expired.');

  const named = new Set<string>();
  for (const [index, condition] of document.conditions.entries()) {
    const refusal = unmet(condition, document.raw[index], form);
    if (refusal) return { ok: false, failure: refusal };
    if (condition[0] !== 'range') named.add(condition[1]);
  }
  const extra = [...form.fields.keys()].filter((name) => !uncovered(name) && !named.has(name));
  if (extra.length > 0) {
    return fail(403, 'AccessDenied', `Invalid according to Policy: Extra input fields: ${extra.join(', ')}`);
  }
  return { ok: true };
}

/** The refusal a condition earns, undefined when the form keeps it. */
function unmet(condition: Condition, raw: unknown, form: PostForm): AuthFailure | undefined {
  if (condition[0] === 'range') {
    const [, min, max] = condition;
    if (form.fileSize > max) {
      return failure(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', {
        ProposedSize: form.fileSize,
        MaxSizeAllowed: max,
      });
    }
    if (form.fileSize < min) {
      return failure(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', {
        ProposedSize: form.fileSize,
        MinSizeAllowed: min,
      });
    }
    return undefined;
  }
  const [op, name, value] = condition;
  // `$bucket` is the request's bucket: the URL's, and the `bucket` field's when one is sent.
  const values =
    name === 'bucket'
      ? [form.bucket, ...(form.fields.has('bucket') ? [form.fields.get('bucket') as string] : [])]
      : [form.fields.get(name)];
  const kept = values.every(
    (actual) => actual !== undefined && (op === 'eq' ? actual === value : actual.startsWith(value)),
  );
  return kept
    ? undefined
    : failure(403, 'AccessDenied', `Invalid according to Policy: Policy Condition failed: ${shown(raw)}`);
}

interface PolicyDocument {
  readonly expiration: number;
  readonly conditions: readonly Condition[];
  /** The conditions as written, for the messages. */
  readonly raw: readonly unknown[];
}

/** The base64 JSON document, each condition in one of its three forms; anything else is S3's InvalidPolicyDocument. */
function parsePolicy(policy: string): PolicyDocument | { failure: AuthFailure } {
  const invalid = (why: string) => ({
    failure: failure(400, 'InvalidPolicyDocument', `Invalid Policy: ${why}`),
  });
  let document: { expiration?: unknown; conditions?: unknown };
  try {
    document = JSON.parse(Buffer.from(policy, 'base64').toString('utf8'));
  } catch {
    return invalid('Invalid JSON.');
  }
  if (typeof document !== 'object' || document === null) return invalid('Invalid JSON.');
  if (document.expiration === undefined) return invalid('Policy missing expiration.');
  const expiration = typeof document.expiration === 'string' ? Date.parse(document.expiration) : Number.NaN;
  if (Number.isNaN(expiration))
    return invalid(`Invalid 'expiration' value: '${String(document.expiration)}'`);
  if (!Array.isArray(document.conditions)) return invalid('Policy missing conditions.');
  const conditions: Condition[] = [];
  for (const raw of document.conditions) {
    const condition = conditionOf(raw);
    if (!condition) return invalid(`Invalid Condition: ${shown(raw)}`);
    conditions.push(condition);
  }
  return { expiration, conditions, raw: document.conditions };
}

/** `{"name": "v"}`, `["eq"|"starts-with", "$name", "v"]` or `["content-length-range", min, max]`. */
function conditionOf(raw: unknown): Condition | undefined {
  if (Array.isArray(raw)) {
    const [op, first, second] = raw as unknown[];
    const opName = typeof op === 'string' ? op.toLowerCase() : '';
    if (raw.length !== 3) return undefined;
    if (opName === 'content-length-range') {
      const [min, max] = [Number(first), Number(second)];
      return Number.isInteger(min) && Number.isInteger(max) && min >= 0 ? ['range', min, max] : undefined;
    }
    if ((opName !== 'eq' && opName !== 'starts-with') || typeof second !== 'string') return undefined;
    if (typeof first !== 'string' || !first.startsWith('$') || first.length < 2) return undefined;
    return [opName, first.slice(1).toLowerCase(), second];
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const entries = Object.entries(raw);
  const [entry] = entries;
  if (entries.length !== 1 || !entry || typeof entry[1] !== 'string') return undefined;
  return ['eq', entry[0].toLowerCase(), entry[1]];
}

/** A condition as S3 prints it: `["starts-with", "$key", "live/a/"]`. */
const shown = (raw: unknown) =>
  Array.isArray(raw) ? `[${raw.map((part) => JSON.stringify(part)).join(', ')}]` : JSON.stringify(raw);

function sameHex(expected: string, provided: string): boolean {
  const [a, b] = [Buffer.from(expected), Buffer.from(provided)];
  return a.length === b.length && timingSafeEqual(a, b);
}

const mustContain = (name: string) =>
  `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`;

const failure = (
  statusCode: number,
  code: string,
  message: string,
  detail?: Readonly<Record<string, string | number>>,
): AuthFailure => ({ statusCode, code, message, ...(detail && { detail }) });

const fail = (...args: Parameters<typeof failure>): PolicyVerdict => ({
  ok: false,
  failure: failure(...args),
});
