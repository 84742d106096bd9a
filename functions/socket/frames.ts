import { z } from 'zod';
import { errorFrame } from '../core/frames.ts';
import type { ServerFrame } from '../core/protocol.ts';

/** API Gateway's own limit is 128 KB a frame; ours is far lower because SDP and chat are small. */
export const MAX_FRAME_BYTES = 32 * 1024;

/** Client to server: `{action, data?, ref?}`. `ref` is echoed back so clients can match replies. */
export const ClientFrame = z.strictObject({
  action: z.string().min(1).max(64),
  data: z.record(z.string(), z.unknown()).optional(),
  ref: z.string().max(64).optional(),
});
export type ClientFrame = z.infer<typeof ClientFrame>;

export type FrameResult = { ok: true; frame: ClientFrame } | { ok: false; error: ServerFrame };

/** Parses one raw frame; every way it can be wrong has its own code. */
export function parseFrame(raw: string | null | undefined): FrameResult {
  const text = raw ?? '';
  if (Buffer.byteLength(text, 'utf8') > MAX_FRAME_BYTES) {
    return {
      ok: false,
      error: errorFrame('FRAME_TOO_LARGE', `Frames are limited to ${MAX_FRAME_BYTES} bytes`),
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {
      ok: false,
      error: errorFrame('INVALID_FRAME', 'A frame must be a JSON object: {action, data?, ref?}'),
    };
  }
  const parsed = ClientFrame.safeParse(json);
  if (!parsed.success) {
    const ref =
      typeof (json as { ref?: unknown })?.ref === 'string' ? (json as { ref: string }).ref : undefined;
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'frame';
    return {
      ok: false,
      error: errorFrame('INVALID_FRAME', `${where}: ${issue?.message ?? 'invalid'}`, ref?.slice(0, 64)),
    };
  }
  return { ok: true, frame: parsed.data };
}
