import { z } from 'zod';
import { ValidationError } from '../core/errors.ts';

/**
 * Page cursors: where a DynamoDB Query stopped, handed to the client as base64url JSON and sent
 * back as is. The client may send anything, so a cursor is read as strictly as a body: its JSON
 * must match the exact key shape of the index it came from (a strict schema: no extra key, no
 * empty id, no number DynamoDB would refuse). Whatever does not is `INVALID_CURSOR` (400), never
 * a DynamoDB validation error (500) nor a page read from a key this API never returned.
 */
export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** The cursor's position, checked against `schema`; `INVALID_CURSOR` for anything else. */
export function decodeCursor<S extends z.ZodType>(schema: S, cursor: string): z.infer<S> {
  let position: unknown;
  try {
    position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const parsed = schema.safeParse(position);
  if (!parsed.success) throw invalidCursor();
  return parsed.data;
}

/** The one refusal for a cursor: which part is wrong is of no use to a client holding an opaque one. */
export function invalidCursor(): ValidationError {
  const message = 'is not a cursor this API returned';
  return new ValidationError(
    `cursor ${message}`,
    { issues: [{ field: 'cursor', message }] },
    'INVALID_CURSOR',
  );
}

/** Key attributes as this service writes them. */
export const cursorKeys = {
  /** Every stream id is a UUID (`ids.streamId`). */
  streamId: z.uuid(),
  /** Epoch milliseconds: a safe non-negative integer, which DynamoDB always takes. */
  epochMs: z.int().nonnegative(),
  /** A user id as the token verifier accepts it (`sub`). */
  userId: z.string().min(1).max(128),
};
