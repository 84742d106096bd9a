/**
 * `npm run docs:tunables`: rewrites the README's table of tunables from functions/tunables.ts, the
 * one place they are defined. test/unit/tunables.test.ts fails while the README is behind.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tunables } from '../functions/tunables.ts';

const MARK = { start: '<!-- tunables:start (npm run docs:tunables) -->', end: '<!-- tunables:end -->' };
const thousands = (n: number) => n.toLocaleString('en-US');

/** The README's table of tunables, made from functions/tunables.ts (the one place they are defined). */
export function tunablesTable(): string {
  const rows = Object.entries(tunables).map(([name, t]) => [
    `\`${name}\``,
    `\`${t.default}\``,
    `${thousands(t.min)}..${thousands(t.max)}`,
    `\`${t.parameter}\``,
    t.meaning,
  ]);
  const header = ['variable', 'default', 'range', 'deploy parameter', 'meaning'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** `readme` with the text between its tunables markers replaced by the current table. */
export function withTunablesTable(readme: string): string {
  const start = readme.indexOf(MARK.start);
  const end = readme.indexOf(MARK.end);
  if (start < 0 || end < start) throw new Error(`README.md needs the markers ${MARK.start} and ${MARK.end}`);
  return `${readme.slice(0, start + MARK.start.length)}\n\n${tunablesTable()}\n\n${readme.slice(end)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const readme = fileURLToPath(new URL('../README.md', import.meta.url));
  writeFileSync(readme, withTunablesTable(readFileSync(readme, 'utf8')));
}
