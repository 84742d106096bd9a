import { AsyncLocalStorage } from 'node:async_hooks';

/** Fields every line of one invocation carries (its request id, the handler's name). */
const invocation = new AsyncLocalStorage<Record<string, unknown>>();

/** Runs `fn` with `fields` on every log line it writes, however deep (the handler wrappers use it). */
export function withLogContext<T>(fields: Record<string, unknown>, fn: () => T): T {
  return invocation.run(fields, fn);
}

/**
 * Structured JSON logs for CloudWatch. Callers pass plain fields; errors are reduced to name,
 * message and stack. Nothing here ever receives headers, tokens or stream keys.
 */
function write(level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>): void {
  const entry: Record<string, unknown> = { level, message, time: new Date().toISOString() };
  for (const [key, value] of Object.entries({ ...invocation.getStore(), ...fields })) {
    entry[key] =
      value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
  }
  const line = JSON.stringify(entry);
  if (level === 'error') console.error(line);
  else console.log(line);
}

export const log = {
  info: (message: string, fields: Record<string, unknown> = {}) => write('info', message, fields),
  warn: (message: string, fields: Record<string, unknown> = {}) => write('warn', message, fields),
  error: (message: string, fields: Record<string, unknown> = {}) => write('error', message, fields),
};
