import { accessSync, chmodSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';

const require = createRequire(import.meta.url);
const found = new Map<string, string>();

/**
 * The ffmpeg the local transcoder runs: the system's on PATH (Debian's 5.1 has everything the
 * job needs), else the static build from `@ffmpeg-installer/ffmpeg`.
 */
export const ffmpegPath = (): string => locate('ffmpeg', '@ffmpeg-installer/ffmpeg');

/** ffprobe, found the same way (`@ffprobe-installer/ffprobe` as the fallback). */
export const ffprobePath = (): string => locate('ffprobe', '@ffprobe-installer/ffprobe');

function locate(binary: string, fallback: string): string {
  let path = found.get(binary);
  if (path) return path;
  path = onPath(binary) ?? installed(fallback);
  found.set(binary, path);
  return path;
}

function onPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, binary);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The installer package's binary. npm 11 skips these packages' postinstall `chmod +x` (install
 * scripts are off by default), so the bit is set here when the file came without it.
 */
function installed(pkg: string): string {
  let path: string;
  try {
    path = (require(pkg) as { path: string }).path;
  } catch (err) {
    throw new Error(`No ${pkg.split('/')[1]} on PATH and ${pkg} is not installed`, { cause: err });
  }
  if (!isExecutable(path)) chmodSync(path, statSync(path).mode | 0o111);
  return path;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
