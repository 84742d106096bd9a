import { describe, expect, it } from 'vitest';
import { eventSources } from '../../../functions/manifest.ts';
import { compileFilters } from '../../../local/shared/event-filter.ts';

const record = (image?: Record<string, unknown>) => ({
  eventName: image ? 'INSERT' : 'REMOVE',
  dynamodb: { Keys: { streamId: { S: 's1' } }, ...(image && { NewImage: image }) },
});

describe('compileFilters (Lambda event filtering, the subset the manifest uses)', () => {
  it.each(eventSources.filter((s) => s.kind === 'dynamodb-stream'))(
    "compiles the manifest's $handler filters",
    (source) => expect(() => compileFilters(source.filters)).not.toThrow(),
  );

  it('matches exact strings in nested objects, and nothing that lacks the field', () => {
    const match = compileFilters([{ dynamodb: { NewImage: { kind: { S: ['message'] } } } }]);
    expect(match(record({ kind: { S: 'message' } }))).toBe(true);
    expect(match(record({ kind: { S: 'ban' } }))).toBe(false);
    expect(match(record())).toBe(false);
  });

  it('ORs patterns, and matches numbers, null, exists and prefix', () => {
    const match = compileFilters([
      { eventName: ['REMOVE'] },
      { dynamodb: { NewImage: { n: { N: [{ prefix: '4' }] }, gone: [{ exists: false }] } } },
      { level: [3, null] },
    ]);
    expect(match(record())).toBe(true);
    expect(match(record({ n: { N: '42' } }))).toBe(true);
    expect(match(record({ n: { N: '42' }, gone: { BOOL: true } }))).toBe(false);
    expect(match({ level: 3 })).toBe(true);
    expect(match({ level: null })).toBe(true);
    expect(match({ level: '3' })).toBe(false);
    expect(compileFilters([{ tags: [{ exists: true }] }])({ tags: ['a'] })).toBe(true);
  });

  it('lets everything through without patterns', () => {
    expect(compileFilters([])(record())).toBe(true);
  });

  it('refuses rules it cannot honor, rather than ignore them', () => {
    expect(() => compileFilters([{ n: [{ numeric: ['>', 1] }] }])).toThrow(/not supported/);
    expect(() => compileFilters([{ n: 'plain' }])).toThrow(/must be an object/);
  });
});
