import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDevIssuer, DEV_AUDIENCE } from '../../../local/dev/dev-issuer.ts';

const ISSUER = 'http://localhost:3000/dev-issuer';

describe('createDevIssuer', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dev-issuer-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('mints ES256 tokens that verify against its JWKS', async () => {
    const issuer = await createDevIssuer({ issuer: ISSUER });

    const token = await issuer.mint({ userId: 'alice@example.com', roles: ['moderator'] });
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(issuer.jwks()), {
      issuer: ISSUER,
      audience: DEV_AUDIENCE,
      algorithms: ['ES256'],
    });

    expect(protectedHeader).toMatchObject({ alg: 'ES256', kid: issuer.jwks().keys[0]?.kid });
    expect(payload).toMatchObject({ sub: 'alice@example.com', roles: ['moderator'] });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3600);
  });

  it('defaults roles to an empty array and honours expiresInSeconds', async () => {
    const issuer = await createDevIssuer({ issuer: ISSUER });

    const token = await issuer.mint({ userId: 'bob', expiresInSeconds: 60 });
    const { payload } = await jwtVerify(token, createLocalJWKSet(issuer.jwks()), { audience: DEV_AUDIENCE });

    expect(payload.roles).toEqual([]);
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(60);
  });

  it('publishes the public key only', async () => {
    const [key] = (await createDevIssuer({ issuer: ISSUER })).jwks().keys;

    expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(key?.kid).toEqual(expect.any(String));
    expect(key).not.toHaveProperty('d');
  });

  it.each([
    ['empty', ''],
    ['too long', 'a'.repeat(129)],
    ['with a space', 'a b'],
    ['with a slash', 'a/b'],
  ])('refuses a userId that is %s', async (_case, userId) => {
    const issuer = await createDevIssuer({ issuer: ISSUER });

    await expect(issuer.mint({ userId })).rejects.toThrow(RangeError);
  });

  it('refuses a lifetime outside 1 s .. 24 h', async () => {
    const issuer = await createDevIssuer({ issuer: ISSUER });

    await expect(issuer.mint({ userId: 'a', expiresInSeconds: 0 })).rejects.toThrow(RangeError);
    await expect(issuer.mint({ userId: 'a', expiresInSeconds: 86_401 })).rejects.toThrow(RangeError);
  });

  it('keeps its key in <dataDir>/dev-keys.json, so tokens survive a restart', async () => {
    const first = await createDevIssuer({ issuer: ISSUER, dataDir: dir });
    const token = await first.mint({ userId: 'alice' });

    const second = await createDevIssuer({ issuer: ISSUER, dataDir: dir });

    expect(second.jwks()).toEqual(first.jwks());
    await expect(jwtVerify(token, createLocalJWKSet(second.jwks()))).resolves.toBeDefined();
    expect((await stat(join(dir, 'dev-keys.json'))).mode & 0o777).toBe(0o600);
  });

  it('generates a new key per in-memory issuer', async () => {
    const a = await createDevIssuer({ issuer: ISSUER });
    const b = await createDevIssuer({ issuer: ISSUER });

    expect(decodeProtectedHeader(await a.mint({ userId: 'x' })).kid).not.toBe(b.jwks().keys[0]?.kid);
  });

  it('says how to recover from a corrupt key file', async () => {
    await writeFile(join(dir, 'dev-keys.json'), 'not json');

    await expect(createDevIssuer({ issuer: ISSUER, dataDir: dir })).rejects.toThrow(/delete it/);
    expect(await readFile(join(dir, 'dev-keys.json'), 'utf8')).toBe('not json');
  });
});
