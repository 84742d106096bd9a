import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The dependency rules of functions/ (../shared/ARCHITECTURE.md, "Layout"), read from the import
 * lines themselves: data flows event -> handler -> core -> adapters, and nothing flows back.
 */
const ROOT = resolve(import.meta.dirname, '../../functions');
const HANDLER_FOLDERS = ['api', 'ws', 'events', 'media'];

function* files(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

/** Every import of every file under functions/: [file's folder, what it imports (folder or package)]. */
const imports = [...files(ROOT)].flatMap((file) => {
  const from = relative(ROOT, file);
  const specs = [
    ...readFileSync(file, 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'([^']+)'/g),
  ];
  return specs.map(([, spec = '']) => {
    const target = spec.startsWith('.') ? relative(ROOT, resolve(dirname(file), spec)) : spec;
    return { from, folder: from.split('/')[0] ?? '', spec, target };
  });
});

const folderOf = (target: string) => (target.includes('/') ? target.split('/')[0] : target);

describe('the layout of functions/', () => {
  it('reads the import lines of every file (so the rules below are not vacuous)', () => {
    expect(imports.length).toBeGreaterThan(300);
    expect(imports.some((i) => i.folder === 'api' && i.target === 'wiring.ts')).toBe(true);
  });

  it('has no handler folder import another handler folder: shared code lives in http/, socket/ or wiring.ts', () => {
    const crossing = imports.filter(
      (i) =>
        HANDLER_FOLDERS.includes(i.folder) &&
        HANDLER_FOLDERS.includes(folderOf(i.target) ?? '') &&
        folderOf(i.target) !== i.folder,
    );
    expect(crossing.map((i) => `${i.from} -> ${i.spec}`)).toEqual([]);
  });

  it('keeps handler entries off the AWS SDK and the adapters: they get what they need from wiring.ts', () => {
    const direct = imports.filter(
      (i) =>
        HANDLER_FOLDERS.includes(i.folder) &&
        (i.spec.startsWith('@aws-sdk/') || folderOf(i.target) === 'adapters'),
    );
    expect(direct.map((i) => `${i.from} -> ${i.spec}`)).toEqual([]);
  });

  it('keeps core pure: no adapter, handler, wiring, AWS SDK or Middy import', () => {
    const impure = imports.filter(
      (i) =>
        i.folder === 'core' &&
        (i.spec.startsWith('@aws-sdk/') ||
          i.spec.startsWith('@middy/') ||
          ['adapters', 'http', 'socket', 'wiring.ts', 'config.ts', ...HANDLER_FOLDERS].includes(
            folderOf(i.target) ?? '',
          )),
    );
    expect(impure.map((i) => `${i.from} -> ${i.spec}`)).toEqual([]);
  });
});
