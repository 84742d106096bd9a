import type { ErrorData, ServerEvent, ServerEvents, ServerFrame } from './protocol.ts';

/**
 * A frame the service pushes: `{event, data, ref?}`, typed by the protocol's map, so a misspelt
 * event or data of the wrong shape does not compile.
 *
 * @example
 * await sender.send(broadcaster, frame('stream:viewer:left', { viewerId }));
 */
export function frame<E extends ServerEvent>(event: E, data: ServerEvents[E], ref?: string): ServerFrame {
  // One member of the ServerFrame union per event; TS cannot pick it for a generic E.
  return { event, data, ...(ref && { ref }) } as ServerFrame;
}

/**
 * `stream:error`; the ref (when the client sent one) is echoed in both places clients look.
 * `extra`: the refusal's details (`retryAfterMs`, ...), sent alongside the code.
 */
export function errorFrame(
  code: string,
  message: string,
  ref?: string,
  extra: Record<string, unknown> = {},
): ServerFrame {
  const data: ErrorData = { code, message, ...extra, ...(ref && { ref }) };
  return frame('stream:error', data, ref);
}
