/** Test media made with real ffmpeg, and probes of what the pipeline produced. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ffmpegPath, ffprobePath } from '../../local/mediaconvert/ffmpeg.ts';

const run = promisify(execFile);

export interface TestVideo {
  bytes: Uint8Array<ArrayBuffer>;
  durationSeconds: number;
}

/**
 * A WebM like a browser's MediaRecorder makes (VP8 + Opus): a moving test pattern with a tone.
 * `noise` makes frames incompressible, so a short clip is still big enough for several 5 MiB parts.
 */
export async function makeTestVideo(options: {
  seconds: number;
  width: number;
  height: number;
  noise?: boolean;
  bitrate?: string;
}): Promise<TestVideo> {
  const dir = await mkdtemp(join(tmpdir(), 'dreamx-video-'));
  const file = join(dir, 'source.webm');
  try {
    const rate = options.bitrate ?? '1M';
    await run(ffmpegPath(), [
      ...['-v', 'error', '-y'],
      ...['-f', 'lavfi', '-i', `testsrc2=size=${options.width}x${options.height}:rate=30`],
      ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
      ...['-t', String(options.seconds)],
      ...(options.noise ? ['-vf', 'noise=alls=20:allf=t'] : []),
      ...['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8'],
      ...['-b:v', rate, '-minrate', rate, '-maxrate', rate],
      ...['-c:a', 'libopus', '-b:a', '96k'],
      file,
    ]);
    return { bytes: new Uint8Array(await readFile(file)), durationSeconds: await probeDuration(file) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function probeDuration(file: string): Promise<number> {
  const { stdout } = await run(ffprobePath(), [
    ...['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0'],
    file,
  ]);
  return Number(stdout.trim());
}

/** Decodes every frame of `bytes` (an init segment plus a media segment); throws if ffmpeg can't. */
export async function decodeSegment(
  bytes: Uint8Array,
): Promise<{ width: number; height: number; frames: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'dreamx-segment-'));
  const file = join(dir, 'segment.mp4');
  try {
    await writeFile(file, bytes);
    await run(ffmpegPath(), ['-v', 'error', '-xerror', '-i', file, '-f', 'null', '-']);
    const { stdout } = await run(ffprobePath(), [
      ...['-v', 'error', '-count_frames', '-select_streams', 'v:0'],
      ...['-show_entries', 'stream=width,height,nb_read_frames', '-of', 'json'],
      file,
    ]);
    const [stream] = JSON.parse(stdout).streams as {
      width: number;
      height: number;
      nb_read_frames: string;
    }[];
    if (!stream) throw new Error('no video stream in the segment');
    return { width: stream.width, height: stream.height, frames: Number(stream.nb_read_frames) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
