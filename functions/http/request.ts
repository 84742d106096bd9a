import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { z } from 'zod';
import {
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../core/errors.ts';

/** Our bodies are small JSON documents; anything bigger is a mistake or an attack. */
export const MAX_BODY_BYTES = 16 * 1024;

/** The code of an issue that means "well formed, names nothing" (schemas.ts marks them), if it is one. */
function notFoundCode(issue: z.core.$ZodIssue): string | undefined {
  const code = issue.code === 'custom' ? issue.params?.notFound : undefined;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Turns zod's issues into `details.issues: [{field, message}]`, the same everywhere. Input that
 * is malformed anywhere is a 400; only when every issue is a well-formed id naming nothing is it
 * that id's 404.
 */
export function validationError(
  error: z.ZodError,
  where: 'body' | 'query' | 'path',
): ValidationError | NotFoundError {
  const malformed = error.issues.filter((issue) => notFoundCode(issue) === undefined);
  const missing = error.issues[0];
  if (malformed.length === 0 && missing) {
    return new NotFoundError(missing.message, notFoundCode(missing));
  }
  const issues = malformed.map((issue) => ({
    field: issue.path.length ? issue.path.join('.') : where,
    message: issue.message,
  }));
  const first = issues[0];
  const summary = first ? `${first.field}: ${first.message}` : 'invalid input';
  return new ValidationError(`Invalid ${where}: ${summary}`, { issues });
}

export function parseWith<S extends z.ZodType>(
  schema: S,
  input: unknown,
  where: 'body' | 'query' | 'path',
): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(result.error, where);
  return result.data;
}

/**
 * The string entries a map of the event owns. On AWS the event is parsed JSON, so its maps are
 * ordinary objects: `event.headers.constructor` is Object's own function for a request without
 * such a header. Reading own entries only, a name is what the client sent or nothing.
 */
function ownStrings(map: Readonly<Record<string, unknown>> | null | undefined): [string, string][] {
  return Object.entries(map ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
}

/** A request header by name, ignoring case as HTTP does. */
export function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  return ownStrings(event.headers).find(([key]) => key.toLowerCase() === wanted)?.[1];
}

/** The JSON body, or `{}` when there is none (routes whose fields are all optional). */
export function jsonBody(event: APIGatewayProxyEvent): unknown {
  const raw =
    event.isBase64Encoded && event.body ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (raw === null || raw === undefined || raw.trim() === '') return {};
  if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(`The body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  const contentType = header(event, 'content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    throw new UnsupportedMediaTypeError('Send the body as JSON with Content-Type: application/json');
  }
  try {
    return JSON.parse(raw);
  } catch {
    throw new ValidationError('The body is not valid JSON', undefined, 'INVALID_JSON');
  }
}

/** Single-valued query parameters; a repeated one is ambiguous and refused. */
export function queryParams(event: APIGatewayProxyEvent): Record<string, string> {
  for (const [name, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) {
    if (Array.isArray(values) && values.length > 1) {
      throw new ValidationError(`Query parameter ${name} is given more than once`, { field: name });
    }
  }
  // Own properties only (fromEntries defines them): `__proto__` stays a name for zod to refuse.
  return Object.fromEntries(ownStrings(event.queryStringParameters));
}
