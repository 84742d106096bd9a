/**
 * The live ladder the HLS bench plays, made before the run: ffmpeg encodes a test pattern (with a
 * tone) into each rendition of the SDK's ladder (web/sdk/live/renditions.ts: 720p, 480p, 360p at
 * their video and audio bitrates) as 1 s CMAF segments, H.264 with a keyframe every second and
 * AAC, into a temporary directory. The writer (bench/live-writer.ts) then uploads one segment a
 * second, as a broadcaster's browser would.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ffmpegPath } from '../local/mediaconvert/ffmpeg.ts';
import { chooseLadder, type Rendition, renditionKbps } from '../web/sdk/live/renditions.ts';
import { parseLivePlaylist } from './hls-playlist.ts';

const run = promisify(execFile);

/** The capture the ladder is chosen for: the bench's fake camera is 720p. */
export const CAPTURE = { width: 1280, height: 720 };
export const FRAME_RATE = 30;

/** One encoded rendition: its files in upload order. */
export interface EncodedRendition extends Rendition {
  kbps: number;
  codecs: string[];
  init: string;
  segments: { path: string; durationSec: number; bytes: number }[];
}

/**
 * Encodes `seconds` of the ladder into `dir` (one ffmpeg at a time: the machine's two cores are
 * shared with the stack). The rate control is the browser encoder's: a constant bitrate target
 * with a one-second buffer, so segment sizes are what the broadcaster would upload.
 */
export async function encodeLadder(dir: string, seconds: number): Promise<EncodedRendition[]> {
  const ffmpeg = ffmpegPath();
  const encoded: EncodedRendition[] = [];
  for (const rendition of chooseLadder(CAPTURE)) {
    const out = join(dir, rendition.name);
    await mkdir(out, { recursive: true });
    const v = `${rendition.videoKbps}k`;
    // biome-ignore format: one ffmpeg option per line.
    await run(ffmpeg, [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', `testsrc2=size=${rendition.width}x${rendition.height}:rate=${FRAME_RATE}`,
      '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      '-t', String(seconds),
      '-map', '0:v', '-map', '1:a',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'high',
      '-pix_fmt', 'yuv420p', '-b:v', v, '-maxrate', v, '-bufsize', v,
      '-g', String(FRAME_RATE), '-keyint_min', String(FRAME_RATE), '-sc_threshold', '0',
      '-c:a', 'aac', '-b:a', `${rendition.audioKbps}k`, '-ac', '2',
      '-f', 'hls', '-hls_time', '1', '-hls_list_size', '0', '-hls_segment_type', 'fmp4',
      '-hls_fmp4_init_filename', 'init.mp4', '-hls_segment_filename', join(out, '%d.m4s'),
      join(out, 'source.m3u8'),
    ], { maxBuffer: 1 << 20 });
    const playlist = parseLivePlaylist(await readFile(join(out, 'source.m3u8'), 'utf8'));
    const segments = await Promise.all(
      playlist.segments.map(async (s) => {
        const path = join(out, s.uri);
        return { path, durationSec: s.durationSec, bytes: (await stat(path)).size };
      }),
    );
    encoded.push({
      ...rendition,
      kbps: renditionKbps(rendition),
      // High profile, level 4.0 (what x264 picks up to 720p30); AAC-LC.
      codecs: ['avc1.640028', 'mp4a.40.2'],
      init: join(out, 'init.mp4'),
      segments,
    });
  }
  return encoded;
}
