import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  SignJWT,
} from 'jose';

/** The audience every local token carries; handlers get it as `AUTH_AUDIENCE`. */
export const DEV_AUDIENCE = 'dreamx-livestream';
const ALG = 'ES256';
const DEFAULT_TTL_SECONDS = 3600;
const MAX_TTL_SECONDS = 86_400;

/** What the dev issuer accepts as a user id: also what ends up in `sub` and in stored rows. */
export const USER_ID_PATTERN = /^[A-Za-z0-9_.@-]{1,128}$/;

export interface MintOptions {
  readonly userId: string;
  readonly roles?: readonly string[];
  /** 1 s .. 24 h; one hour by default. */
  readonly expiresInSeconds?: number;
}

/** The local stand-in for Cognito / Auth0 / DreamX's issuer. Never use it outside a laptop. */
export interface DevIssuer {
  readonly issuer: string;
  readonly audience: string;
  /** The public half only, as served at `/.well-known/jwks.json`. */
  jwks(): JSONWebKeySet;
  /** A signed JWT: `sub` = userId, `roles`, `iat`, `exp`, `iss`, `aud`. Throws RangeError on bad input. */
  mint(options: MintOptions): Promise<string>;
}

interface StoredKey {
  readonly kid: string;
  readonly privateJwk: JWK;
}

/**
 * Loads the dev signing key from `<dataDir>/dev-keys.json`, generating it on first start, so
 * tokens minted before a restart still verify after it. Without `dataDir` the key lives in
 * memory only.
 */
export async function createDevIssuer(options: { issuer: string; dataDir?: string }): Promise<DevIssuer> {
  const stored = options.dataDir
    ? await loadOrCreate(join(options.dataDir, 'dev-keys.json'))
    : await generate();
  const privateKey = (await importJWK(stored.privateJwk, ALG)) as CryptoKey;
  const { d: _private, ...publicJwk } = stored.privateJwk;
  const jwk: JWK = { ...publicJwk, kid: stored.kid, alg: ALG, use: 'sig' };

  return {
    issuer: options.issuer,
    audience: DEV_AUDIENCE,
    jwks: () => ({ keys: [{ ...jwk }] }),
    mint: async ({ userId, roles = [], expiresInSeconds = DEFAULT_TTL_SECONDS }) => {
      if (!USER_ID_PATTERN.test(userId)) {
        throw new RangeError('userId must be 1 to 128 characters of A-Z a-z 0-9 _ . @ -');
      }
      if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < 1 || expiresInSeconds > MAX_TTL_SECONDS) {
        throw new RangeError(`expiresInSeconds must be an integer from 1 to ${MAX_TTL_SECONDS}`);
      }
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ roles: [...roles] })
        .setProtectedHeader({ alg: ALG, kid: stored.kid, typ: 'JWT' })
        .setIssuer(options.issuer)
        .setAudience(DEV_AUDIENCE)
        .setSubject(userId)
        .setIssuedAt(now)
        .setExpirationTime(now + expiresInSeconds)
        .sign(privateKey);
    },
  };
}

async function generate(): Promise<StoredKey> {
  const { privateKey } = await generateKeyPair(ALG, { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const { d: _private, ...publicJwk } = privateJwk;
  // The RFC 7638 thumbprint: stable for the key, so a kid always names the same key.
  return { kid: await calculateJwkThumbprint(publicJwk), privateJwk };
}

async function loadOrCreate(file: string): Promise<StoredKey> {
  try {
    return parseStored(await readFile(file, 'utf8'), file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = await generate();
  await mkdir(dirname(file), { recursive: true });
  try {
    // 'wx': if another process won the race, use its key rather than overwrite it.
    await writeFile(file, `${JSON.stringify(key, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return parseStored(await readFile(file, 'utf8'), file);
  }
}

function parseStored(text: string, file: string): StoredKey {
  let value: Partial<StoredKey> | null = null;
  try {
    value = JSON.parse(text) as Partial<StoredKey> | null;
  } catch {
    // reported below, with the way out
  }
  if (
    !value ||
    typeof value.kid !== 'string' ||
    value.privateJwk?.kty !== 'EC' ||
    typeof value.privateJwk.d !== 'string'
  ) {
    throw new Error(`${file} is not a dev key file; delete it to generate a new key`);
  }
  return { kid: value.kid, privateJwk: value.privateJwk };
}
