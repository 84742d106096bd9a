import { describe, expect, it } from 'vitest';
import { MAX_FRAME_BYTES, parseFrame } from '../../functions/socket/frames.ts';

describe('parseFrame', () => {
  it.each([
    ['not JSON', '{action', 'INVALID_FRAME'],
    ['a JSON array', '[1,2]', 'INVALID_FRAME'],
    ['JSON null', 'null', 'INVALID_FRAME'],
    ['no action', '{"data":{}}', 'INVALID_FRAME'],
    ['a non-string action', '{"action":7}', 'INVALID_FRAME'],
    ['an unknown field', '{"action":"stream:join","extra":1}', 'INVALID_FRAME'],
    ['data that is not an object', '{"action":"stream:join","data":"x"}', 'INVALID_FRAME'],
    [
      'an oversized frame',
      JSON.stringify({ action: 'x', data: { sdp: 'a'.repeat(MAX_FRAME_BYTES) } }),
      'FRAME_TOO_LARGE',
    ],
  ])('refuses %s with stream:error %s', (_case, body, code) => {
    const result = parseFrame(body);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({
      event: 'stream:error',
      data: { code, message: expect.any(String) },
    });
  });

  it('keeps the ref of a frame it refuses, so the client can match the error to its request', () => {
    const result = parseFrame('{"action":7,"ref":"r-42"}');
    expect(result).toMatchObject({
      ok: false,
      error: { ref: 'r-42', data: { code: 'INVALID_FRAME', ref: 'r-42' } },
    });
  });

  it('accepts {action, data, ref}', () => {
    expect(parseFrame('{"action":"stream:join","data":{},"ref":"1"}')).toEqual({
      ok: true,
      frame: { action: 'stream:join', data: {}, ref: '1' },
    });
  });
});
