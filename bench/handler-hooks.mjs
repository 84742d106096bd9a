/**
 * Module hooks (node:module `register`) for `npm run bench`: when the local stack's handler loader
 * imports a manifest entry, it gets a wrapper module instead, whose `handler` is the real one
 * passed through `globalThis.__benchWrapHandler(name, handler)` (bench/meter.ts). Nothing else
 * changes: the wrapped module is the same file, imported under a `?bench-original` query.
 * Plain JavaScript: hooks run on the loader thread, before any TypeScript loader is in the chain.
 */

/** Entry file URL -> manifest handler name. */
let entries = new Map();
const LOADER = '/local/lambda/handler-loader.ts';
const WRAP = '?bench-wrap';

export function initialize(data) {
  entries = new Map(Object.entries(data.entries));
}

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (context.parentURL?.endsWith(LOADER) && entries.has(resolved.url)) {
    return { ...resolved, url: `${resolved.url}${WRAP}`, format: 'module', shortCircuit: true };
  }
  return resolved;
}

export async function load(url, context, next) {
  if (!url.endsWith(WRAP)) return next(url, context);
  const file = url.slice(0, -WRAP.length);
  const name = JSON.stringify(entries.get(file));
  const source = [
    `import * as original from ${JSON.stringify(`${file}?bench-original`)};`,
    'const wrap = globalThis.__benchWrapHandler;',
    `export const handler = wrap ? wrap(${name}, original.handler) : original.handler;`,
  ].join('\n');
  return { format: 'module', source, shortCircuit: true };
}
