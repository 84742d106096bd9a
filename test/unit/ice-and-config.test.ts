import { afterEach, describe, expect, it } from 'vitest';
import { ConfigurationError, turnConfigFromEnv } from '../../functions/config.ts';
import { DEFAULT_STUN_SERVERS, iceServersFor } from '../../functions/core/ice.ts';

const TURN_VARS = ['TURN_SERVER', 'TURN_USERNAME', 'TURN_PASSWORD', 'TURN_SECRET', 'TURN_TTL_SECONDS'];
afterEach(() => {
  for (const name of TURN_VARS) delete process.env[name];
});

describe('iceServersFor', () => {
  it('offers the two spec STUN servers when no TURN is configured', () => {
    expect(iceServersFor('alice', { kind: 'none' }, 0)).toEqual([
      { urls: 'stun:stun.l.google.com:19302' },
      { urls: 'stun:stun1.l.google.com:19302' },
    ]);
  });

  it('adds static TURN credentials as configured', () => {
    const servers = iceServersFor(
      'alice',
      { kind: 'static', urls: ['turn:t:3478'], username: 'u', password: 'p' },
      0,
    );
    expect(servers.at(-1)).toEqual({ urls: ['turn:t:3478'], username: 'u', credential: 'p' });
  });

  it('mints TURN REST credentials: username expiry:user, credential base64 HMAC-SHA1', () => {
    // Expected value computed independently: python hmac.new(b'north-secret', b'1767229200:alice', sha1).
    const now = (1767229200 - 3600) * 1000;
    const servers = iceServersFor(
      'alice',
      { kind: 'shared-secret', urls: ['turn:t:3478'], secret: 'north-secret', ttlSeconds: 3600 },
      now,
    );
    expect(servers.slice(0, 2)).toEqual(DEFAULT_STUN_SERVERS);
    expect(servers[2]).toEqual({
      urls: ['turn:t:3478'],
      username: '1767229200:alice',
      credential: 'XgBdW0M0injxv9MkR163dC8/XIg=',
    });
  });
});

describe('turnConfigFromEnv', () => {
  it('prefers the shared secret and reads its TTL', () => {
    Object.assign(process.env, {
      TURN_SERVER: 'turn:a:3478, turns:a:5349',
      TURN_SECRET: 's',
      TURN_TTL_SECONDS: '600',
    });
    expect(turnConfigFromEnv()).toEqual({
      kind: 'shared-secret',
      urls: ['turn:a:3478', 'turns:a:5349'],
      secret: 's',
      ttlSeconds: 600,
    });
  });

  it('fails fast on half a configuration', () => {
    process.env.TURN_SERVER = 'turn:a:3478';
    process.env.TURN_USERNAME = 'u';
    expect(() => turnConfigFromEnv()).toThrow(ConfigurationError);
    delete process.env.TURN_SERVER;
    expect(() => turnConfigFromEnv()).toThrow(/TURN_SERVER is not/);
  });

  it('fails fast on a TTL out of range', () => {
    Object.assign(process.env, { TURN_SERVER: 'turn:a', TURN_SECRET: 's', TURN_TTL_SECONDS: '5' });
    expect(() => turnConfigFromEnv()).toThrow(/TURN_TTL_SECONDS must be an integer in 60..86400/);
  });
});
