import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { NotFoundError, ValidationError } from '../../functions/core/errors.ts';
import { parseWith } from '../../functions/http/request.ts';
import { BanPath, MessagePath, StreamPath } from '../../functions/http/schemas.ts';

/** What parseWith throws, as `{name, code, message, details}`, or the parsed value. */
function outcome(schema: Parameters<typeof parseWith>[0], input: unknown) {
  try {
    return { value: parseWith(schema, input, 'path') };
  } catch (error) {
    const e = error as NotFoundError | ValidationError;
    return { name: e.name, code: e.code, message: e.message, details: e.details };
  }
}

describe('path ids', () => {
  it('passes a minted stream id through for the handler to look up', () => {
    const streamId = randomUUID();
    expect(outcome(StreamPath, { streamId })).toEqual({ value: { streamId } });
  });

  it.each(['does-not-exist-123', 'undefined', '42', randomUUID().toUpperCase(), 'x'.repeat(128)])(
    'answers the well-formed id %s, which was never minted, as STREAM_NOT_FOUND',
    (streamId) => {
      expect(outcome(StreamPath, { streamId })).toEqual({
        name: 'NotFoundError',
        code: 'STREAM_NOT_FOUND',
        message: `Stream ${streamId} does not exist`,
        details: undefined,
      });
    },
  );

  it.each(['', 'a.b', '..', '../../etc/passwd', 'a b', 'café', 'a\u0000b', 'x'.repeat(129)])(
    'refuses %j, which cannot be an id, as one VALIDATION_FAILED issue',
    (streamId) => {
      expect(outcome(StreamPath, { streamId })).toMatchObject({
        name: 'ValidationError',
        code: 'VALIDATION_FAILED',
        details: {
          issues: [{ field: 'streamId', message: 'must be an id: 1 to 128 letters, digits, - or _' }],
        },
      });
    },
  );

  it('lets malformed input win over an unknown id: the 400 lists only what is malformed', () => {
    expect(outcome(BanPath, { streamId: 'no-such-stream', userId: 'a b' })).toMatchObject({
      name: 'ValidationError',
      details: { issues: [{ field: 'userId', message: 'must be a user id' }] },
    });
  });

  it('takes any well-formed message id under a minted stream id (the store says whether it exists)', () => {
    const streamId = randomUUID();
    expect(outcome(MessagePath, { streamId, messageId: 'does-not-exist-123' })).toEqual({
      value: { streamId, messageId: 'does-not-exist-123' },
    });
  });
});
