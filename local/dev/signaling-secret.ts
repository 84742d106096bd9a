import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const SECRET = /^[A-Za-z0-9_-]{43}$/;

/**
 * The key that signs WebSocket tickets locally (on AWS it lives in Secrets Manager): 32 random
 * bytes, base64url. Kept in `<dataDir>/signaling-secret` so tickets issued before a restart
 * still open a connection after it; a new one per process without `dataDir`.
 */
export async function loadSignalingSecret(dataDir?: string): Promise<string> {
  if (dataDir === undefined) return randomBytes(32).toString('base64url');
  const file = join(dataDir, 'signaling-secret');
  const read = async () => {
    const text = (await readFile(file, 'utf8')).trim();
    if (!SECRET.test(text)) throw new Error(`${file} is not a signaling secret; delete it to make a new one`);
    return text;
  };
  try {
    return await read();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  try {
    // 'wx': if another process won the race, use its secret rather than overwrite it.
    await writeFile(file, `${secret}\n`, { flag: 'wx', mode: 0o600 });
    return secret;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return read();
  }
}
