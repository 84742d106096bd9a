import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ffprobePath } from './ffmpeg.ts';

const run = promisify(execFile);

/** The slice of `ffprobe -show_format -show_streams -of json` read here. */
interface FfprobeStream {
  index: number;
  codec_name?: string;
  codec_type?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  duration?: string;
  bit_rate?: string;
  sample_rate?: string;
  channels?: number;
  channel_layout?: string;
  bits_per_raw_sample?: string;
  tags?: Record<string, string>;
  side_data_list?: { rotation?: number }[];
}

interface FfprobeOutput {
  format?: { format_name?: string; duration?: string; bit_rate?: string; tags?: Record<string, string> };
  streams?: FfprobeStream[];
}

/** What the transcoder needs of a source. */
export interface SourceInfo {
  readonly durationSeconds: number;
  readonly video?: { readonly width: number; readonly height: number; readonly frameRate: [number, number] };
  readonly hasAudio: boolean;
}

/** A source ffprobe cannot open (or finds no video in): MediaConvert's error 1010. */
export class UnreadableSourceError extends Error {
  override readonly name = 'UnreadableSourceError';
}

const CODECS: Record<string, string> = {
  h264: 'AVC',
  hevc: 'HEVC',
  vp8: 'VP8',
  vp9: 'VP9',
  av1: 'AV1',
  mpeg2video: 'MPEG2',
  mpeg4: 'MP4V',
  mjpeg: 'MJPEG',
  prores: 'PRORES',
  theora: 'THEORA',
  aac: 'AAC',
  opus: 'OPUS',
  vorbis: 'VORBIS',
  mp3: 'MP3',
  flac: 'FLAC',
  ac3: 'AC3',
  eac3: 'EAC3',
};

const WEBM_CODECS = new Set(['vp8', 'vp9', 'av1', 'opus', 'vorbis']);

async function ffprobe(args: readonly string[]): Promise<string> {
  const { stdout } = await run(ffprobePath(), ['-v', 'error', ...args], { maxBuffer: 256 * 1024 * 1024 });
  return stdout;
}

/** ffprobe's view of `url`, or undefined when it cannot open it as media. */
async function inspect(url: string): Promise<FfprobeOutput | undefined> {
  try {
    return JSON.parse(await ffprobe(['-show_format', '-show_streams', '-of', 'json', url])) as FfprobeOutput;
  } catch {
    return undefined;
  }
}

/**
 * The source's duration. A browser's MediaRecorder writes WebM live, without a Duration element,
 * so ffprobe can only estimate one from the bitrate; the last packet's end time is exact.
 */
async function duration(url: string, info: FfprobeOutput): Promise<number> {
  const estimated = Number(info.format?.duration ?? Number.NaN);
  const matroska = (info.format?.format_name ?? '').includes('matroska');
  const tagged = (info.streams ?? []).some((s) => s.tags?.DURATION);
  if (!matroska || tagged) return Number.isFinite(estimated) ? estimated : 0;
  const lines = (
    await ffprobe(['-show_entries', 'packet=pts_time,duration_time', '-of', 'csv=p=0', url])
  ).split('\n');
  let end = 0;
  for (const line of lines) {
    const [pts, length] = line.split(',').map(Number);
    if (pts !== undefined && Number.isFinite(pts))
      end = Math.max(end, pts + (Number.isFinite(length) ? (length as number) : 0));
  }
  return end > 0 ? end : Number.isFinite(estimated) ? estimated : 0;
}

/** `30000/1001` as numbers; undefined for `0/0` and nonsense. */
function rate(text: string | undefined): [number, number] | undefined {
  const [num, den] = (text ?? '').split('/').map(Number);
  if (!num || !den || !Number.isFinite(num / den) || num / den <= 0 || num / den > 240) return undefined;
  return [num, den];
}

function format(info: FfprobeOutput): string | undefined {
  const name = info.format?.format_name ?? '';
  const codecs = (info.streams ?? []).map((s) => s.codec_name ?? '');
  if (name.includes('matroska')) return codecs.every((c) => WEBM_CODECS.has(c)) ? 'webm' : 'matroska';
  if (name.includes('mp4')) {
    const brand = info.format?.tags?.major_brand ?? '';
    return brand.startsWith('qt') ? 'quicktime' : brand.startsWith('3gp') ? 'three_gp' : 'mp4';
  }
  const simple: Record<string, string> = {
    mpegts: 'mpegts',
    avi: 'avi',
    wav: 'wave',
    mp3: 'mp3',
    flac: 'flac',
    ogg: 'ogg',
  };
  return simple[name] ?? undefined;
}

/** The rotation a player applies, clockwise degrees (ffprobe's display matrix turns the other way). */
function rotation(stream: FfprobeStream): number | undefined {
  const turned =
    stream.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ??
    -Number(stream.tags?.rotate ?? 0);
  const clockwise = ((-turned % 360) + 360) % 360 || undefined;
  return clockwise;
}

/** `00:00:04.007000000` (Matroska's per-track DURATION tag) in seconds. */
function tagSeconds(text: string | undefined): number | undefined {
  const match = /^(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(text ?? '');
  return match ? Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]) : undefined;
}

const num = (text: string | undefined) =>
  text === undefined || Number.isNaN(Number(text)) ? undefined : Number(text);

/**
 * MediaConvert's Probe result for the media at `url` (wire JSON). A file ffprobe cannot read gets
 * a container without a format and without tracks, as MediaConvert documents for a format Probe
 * does not recognize ("this will be blank"): a 200, not an error.
 */
export async function probeResult(
  url: string,
  metadata: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const info = await inspect(url);
  if (!info) return { container: { tracks: [] }, metadata };
  const seconds = await duration(url, info);
  const tracks = (info.streams ?? [])
    .filter((s) => s.codec_type === 'video' || s.codec_type === 'audio')
    .map((s, i) => {
      const [numerator, denominator] = rate(s.avg_frame_rate) ?? rate(s.r_frame_rate) ?? [];
      const trackSeconds = num(s.duration) ?? tagSeconds(s.tags?.DURATION) ?? seconds;
      const common = { index: i + 1, codec: CODECS[s.codec_name ?? ''] ?? 'UNKNOWN', duration: trackSeconds };
      if (s.codec_type === 'video') {
        return {
          ...common,
          trackType: 'video',
          videoProperties: {
            width: s.width,
            height: s.height,
            ...(numerator && { frameRate: { numerator, denominator } }),
            bitDepth: num(s.bits_per_raw_sample) ?? 8,
            bitRate: num(s.bit_rate),
            rotation: rotation(s),
          },
        };
      }
      return {
        ...common,
        trackType: 'audio',
        audioProperties: {
          channels: s.channels,
          channelLayout: s.channel_layout,
          sampleRate: num(s.sample_rate),
          bitRate: num(s.bit_rate),
        },
      };
    });
  const bytes = Number(metadata.fileSize ?? 0);
  return {
    container: {
      format: format(info),
      duration: seconds,
      ...(seconds > 0 && bytes > 0 && { bitRate: Math.round((bytes * 8) / seconds) }),
      tracks,
    },
    metadata,
  };
}

/** What the transcoder needs of the source at `url`; throws `UnreadableSourceError` as MediaConvert fails with 1010. */
export async function sourceInfo(url: string, display: string): Promise<SourceInfo> {
  const info = await inspect(url);
  if (!info)
    throw new UnreadableSourceError(
      `Unable to open input file [${display}]: [Failed probe/open: [No parser found for container]]`,
    );
  const video = info.streams?.find((s) => s.codec_type === 'video');
  if (!video?.width || !video.height) {
    throw new UnreadableSourceError(
      `Unable to open input file [${display}]: [Failed probe/open: [No video track found]]`,
    );
  }
  return {
    durationSeconds: await duration(url, info),
    video: {
      width: video.width,
      height: video.height,
      frameRate: rate(video.avg_frame_rate) ?? rate(video.r_frame_rate) ?? [30, 1],
    },
    hasAudio: (info.streams ?? []).some((s) => s.codec_type === 'audio'),
  };
}
