import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withTunablesTable } from '../../bin/docs-tunables.ts';
import { ConfigurationError, tunable } from '../../functions/config.ts';
import { tunables } from '../../functions/tunables.ts';

describe('the tunables table', () => {
  it('is what the README shows (run `npm run docs:tunables` after changing it)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(withTunablesTable(readme)).toBe(readme);
  });

  it('has each default inside its own range', () => {
    for (const [name, t] of Object.entries(tunables)) {
      expect({ name, inRange: t.min <= t.default && t.default <= t.max }).toEqual({ name, inRange: true });
    }
  });

  it('reads a value from the environment, its default when unset, and refuses one out of range', () => {
    const before = process.env.CHAT_RATE_LIMIT;
    try {
      delete process.env.CHAT_RATE_LIMIT;
      expect(tunable('CHAT_RATE_LIMIT')).toBe(tunables.CHAT_RATE_LIMIT.default);
      process.env.CHAT_RATE_LIMIT = '20';
      expect(tunable('CHAT_RATE_LIMIT')).toBe(20);
      process.env.CHAT_RATE_LIMIT = '0';
      expect(() => tunable('CHAT_RATE_LIMIT')).toThrow(ConfigurationError);
      process.env.CHAT_RATE_LIMIT = '2.5';
      expect(() => tunable('CHAT_RATE_LIMIT')).toThrow(
        'CHAT_RATE_LIMIT must be an integer in 1..1000, got "2.5"',
      );
    } finally {
      if (before === undefined) delete process.env.CHAT_RATE_LIMIT;
      else process.env.CHAT_RATE_LIMIT = before;
    }
  });
});
