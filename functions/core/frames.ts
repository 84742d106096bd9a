/** A frame the service pushes to a WebSocket client: `{event, data, ref?}`. */
export interface ServerFrame {
  event: string;
  data: Record<string, unknown>;
  ref?: string;
}

/** `stream:error`; the ref (when the client sent one) is echoed in both places clients look. */
export function errorFrame(
  code: string,
  message: string,
  ref?: string,
  extra: Record<string, unknown> = {},
): ServerFrame {
  return {
    event: 'stream:error',
    data: { code, message, ...extra, ...(ref && { ref }) },
    ...(ref && { ref }),
  };
}
