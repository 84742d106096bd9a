import { isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ProxyHandler } from '../constants.ts';

/** Where a handler lives: the manifest's `HandlerDef` has this shape. */
export interface HandlerEntry {
  /** Path from `rootDir` to the module exporting `handler`. */
  readonly entry: string;
}

/**
 * Loads handler modules the way the Lambda runtime does: on first use, once. A module that
 * fails to load is retried on the next request (like the next cold start) rather than cached
 * as broken, so fixing the file and retrying works without a restart of the stack only when
 * the module was never loaded successfully; ESM has no way to unload a module.
 *
 * Modules are imported lazily on purpose: handlers read their configuration at cold start, and
 * the stack sets `process.env` only once its ports are known.
 */
export function createModuleLoader(
  rootDir: string,
  entries: Readonly<Record<string, HandlerEntry>>,
): (name: string) => Promise<ProxyHandler> {
  const loaded = new Map<string, Promise<ProxyHandler>>();
  return (name) => {
    let handler = loaded.get(name);
    if (!handler) {
      handler = load(rootDir, name, entries[name]);
      loaded.set(name, handler);
      handler.catch(() => loaded.delete(name));
    }
    return handler;
  };
}

async function load(rootDir: string, name: string, def: HandlerEntry | undefined): Promise<ProxyHandler> {
  if (!def) throw new Error(`No handler named ${name}`);
  const file = isAbsolute(def.entry) ? def.entry : join(rootDir, def.entry);
  const module = (await import(pathToFileURL(file).href)) as { handler?: unknown };
  if (typeof module.handler !== 'function')
    throw new Error(`${def.entry} does not export a handler function`);
  return module.handler as ProxyHandler;
}
