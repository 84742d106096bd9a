import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Thrown when another live process holds the data directory. */
export class DataDirLockedError extends Error {
  readonly code = 'EDATADIRLOCKED';
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`${dataDir} is in use by another local stack (pid ${pid})`);
    this.name = 'DataDirLockedError';
  }
}

/**
 * Claims `<dataDir>/local.lock` for this process, so that two stacks never share one LevelDB.
 * Without it the second dynalite fails on its first request with an uncaught "Database is not
 * open" thrown inside its request handler, which no caller can catch. A lock left by a process
 * that died (kill -9) is taken over. Resolves to the release function.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  await mkdir(dataDir, { recursive: true });
  const file = join(dataDir, 'local.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
    // Our own pid counts too: another stack in this process holds it (locks go on close).
    if (Number.isInteger(pid) && isAlive(pid)) throw new DataDirLockedError(dataDir, pid);
    await rm(file, { force: true }); // stale: its owner is gone
  }
  throw new Error(`Could not lock ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: existence check only
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else; still alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
