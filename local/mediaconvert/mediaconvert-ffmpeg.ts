import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ffmpegPath } from './ffmpeg.ts';
import type { SourceInfo } from './mediaconvert-probe.ts';
import type { TranscodePlan } from './mediaconvert-settings.ts';

/** Where ffmpeg writes, under the job's work directory. */
export const CMAF_DIR = 'cmaf';
export const THUMBNAIL_DIR = 'thumbnails';
/** ffmpeg's own names, renamed afterwards (mediaconvert-outputs.ts): representation i's files. */
export const FFMPEG_INIT = 'init_$RepresentationID$.m4s';
export const FFMPEG_SEGMENT = 'chunk_$RepresentationID$_$Number%05d$.m4s';

/** ffmpeg failed on the source (nonzero exit): the job's ERROR. */
export class TranscodeError extends Error {
  override readonly name = 'TranscodeError';
}

/**
 * x264 has no QVBR; a capped CRF is its analogue: constant quality under a VBV ceiling. The
 * ceiling is 90% of the output's MaxBitrate over a half-second buffer: the headroom covers the
 * fMP4 overhead and the buffer's initial fill, so no full segment goes over the MaxBitrate the
 * playlists advertise as the peak (a plain MaxBitrate cap overshot it by ~10% on the first
 * segment of a noisy source). QVBR 10..1 maps onto CRF 17..35.
 */
const crfFor = (qvbrLevel: number) => Math.round(37 - 2 * qvbrLevel);
const vbv = (maxBitrate: number) => ({
  maxrate: Math.round(maxBitrate * 0.9),
  bufsize: Math.round(maxBitrate * 0.5),
});

/** MediaConvert's JPEG Quality 1..100 onto ffmpeg's mjpeg qscale 31..2. */
const qscaleFor = (quality: number) => Math.max(2, Math.min(31, Math.round(31 - (29 * quality) / 100)));

/** Common rates snap to their exact fraction; anything else rounds to whole frames per second. */
export function outputFrameRate([num, den]: readonly [number, number]): [number, number] {
  const fps = num / den;
  for (const [n, d] of [
    [24000, 1001],
    [30000, 1001],
    [60000, 1001],
  ] as const) {
    if (Math.abs(fps - n / d) < 0.01) return [n, d];
  }
  return [Math.max(1, Math.round(fps)), 1];
}

/** Letterboxed into W×H, as MediaConvert's ScalingBehavior DEFAULT does; square pixels. */
const letterbox = (w: number, h: number) =>
  `scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2,setsar=1`;

let fragmentsSupported: boolean | undefined;

/** Whether this ffmpeg's dash muxer can cut fragments inside segments (`-frag_type`, ffmpeg >= 4.3). */
function canFragment(): boolean {
  fragmentsSupported ??= execFileSync(ffmpegPath(), ['-hide_banner', '-h', 'muxer=dash'], {
    encoding: 'utf8',
  }).includes('frag_type');
  return fragmentsSupported;
}

/**
 * The ffmpeg command for a plan: one decode, then every CMAF rendition and the thumbnails.
 *
 * The dash muxer with `-hls_playlist 1` writes one set of fMP4 segments and both an MPD and HLS
 * media playlists for it: MediaConvert's CMAF group. Keyframes are forced every GopSize seconds
 * on the output clock (scene-change keyframes off), so every rendition cuts segments and fragments
 * at the same instants. The source is converted to a constant frame rate first (browsers record
 * variable rates). A source without audio gets silence, so the audio rendition always exists.
 */
export function ffmpegArgs(
  plan: TranscodePlan,
  source: SourceInfo,
  input: string,
  workDir: string,
): string[] {
  const { cmaf, thumbnails } = plan;
  const [num, den] = outputFrameRate(source.video?.frameRate ?? [30, 1]);
  const videos = cmaf.videos;
  const splits = videos.map((_, i) => `[s${i}]`).join('');
  const graph = [
    `[0:v:0]fps=${num}/${den},format=yuv420p,split=${videos.length + 1}${splits}[st]`,
    ...videos.map((v, i) => `[s${i}]${letterbox(v.width, v.height)}[v${i}]`),
    // MediaConvert captures the first frame, then one every interval.
    `[st]select='isnan(prev_selected_t)+gte(t-prev_selected_t,${thumbnails.everySeconds - 0.001})',` +
      `${letterbox(thumbnails.width, thumbnails.height)}[th]`,
  ].join(';');
  const silence = source.hasAudio
    ? []
    : [
        '-f',
        'lavfi',
        '-t',
        String(source.durationSeconds),
        '-i',
        `anullsrc=r=${cmaf.audio.sampleRate}:cl=stereo`,
      ];
  const perVideo = videos.flatMap((v, i) => {
    const gop = Math.max(1, Math.round((v.gopSeconds * num) / den));
    return [
      ...[`-profile:v:${i}`, v.profile, `-crf:v:${i}`, String(crfFor(v.qvbrLevel))],
      ...[
        `-maxrate:v:${i}`,
        String(vbv(v.maxBitrate).maxrate),
        `-bufsize:v:${i}`,
        String(vbv(v.maxBitrate).bufsize),
      ],
      ...[`-g:v:${i}`, String(gop), `-keyint_min:v:${i}`, String(gop)],
      ...[`-force_key_frames:v:${i}`, `expr:gte(t,n_forced*${v.gopSeconds})`],
    ];
  });
  const fragments = canFragment()
    ? ['-frag_type', 'duration', '-frag_duration', String(cmaf.fragmentSeconds)]
    : [];
  return [
    ...['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-nostats', '-progress', 'pipe:1'],
    ...(plan.source.autorotate ? [] : ['-noautorotate']),
    ...['-i', input],
    ...silence,
    ...['-filter_complex', graph],
    ...videos.flatMap((_, i) => ['-map', `[v${i}]`]),
    ...['-map', source.hasAudio ? '0:a:0' : '1:a:0'],
    ...['-c:v', 'libx264', '-preset', 'superfast', '-pix_fmt', 'yuv420p', '-sc_threshold', '0'],
    ...perVideo,
    ...['-c:a', 'aac', '-b:a', String(cmaf.audio.bitrate), '-ar', String(cmaf.audio.sampleRate), '-ac', '2'],
    ...['-f', 'dash', '-seg_duration', String(cmaf.segmentSeconds), ...fragments],
    ...['-use_template', '1', '-use_timeline', '1', '-hls_playlist', '1', '-streaming', '0'],
    ...['-init_seg_name', FFMPEG_INIT, '-media_seg_name', FFMPEG_SEGMENT],
    join(workDir, CMAF_DIR, 'index.mpd'),
    ...['-map', '[th]', '-c:v', 'mjpeg', '-q:v', String(qscaleFor(thumbnails.quality)), '-vsync', 'vfr'],
    ...['-frames:v', String(thumbnails.maxCaptures), '-start_number', '0', '-f', 'image2'],
    join(workDir, THUMBNAIL_DIR, `${thumbnails.destination.baseName}${thumbnails.nameModifier}.%07d.jpg`),
  ];
}

/**
 * Runs ffmpeg, reporting progress (0..100, from `-progress`'s out_time against the source's
 * duration) as it goes. Rejects with `TranscodeError` (ffmpeg's last error lines) on failure;
 * `signal` kills it (the stack is closing).
 */
export function runFfmpeg(
  args: readonly string[],
  durationSeconds: number,
  onProgress: (percent: number) => void,
  signal: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath(), args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      // out_time_us in ffmpeg >= 4.4; out_time_ms (microseconds all the same) before.
      const match = /^out_time_(?:us|ms)=(\d+)$/.exec(line);
      if (match && durationSeconds > 0) {
        onProgress(Math.min(100, (Number(match[1]) / 1e6 / durationSeconds) * 100));
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else if (signal.aborted) reject(signal.reason);
      else
        reject(
          new TranscodeError(stderr.trim().split('\n').slice(-3).join(' | ') || `ffmpeg exited with ${code}`),
        );
    });
  });
}
