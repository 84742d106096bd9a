import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CMAF_DIR, THUMBNAIL_DIR } from './mediaconvert-ffmpeg.ts';
import type { TranscodePlan } from './mediaconvert-settings.ts';

/** One file to upload: where it is, the key it goes to. */
export interface OutputFile {
  readonly path: string;
  readonly key: string;
}

/** What the COMPLETE event reports, from the files themselves. */
export interface OutputSummary {
  readonly files: readonly OutputFile[];
  /** Per CMAF output, in the job's order (videos, then audio): its total duration. */
  readonly cmafDurationsMs: readonly number[];
  readonly thumbnailKeys: readonly string[];
}

interface Representation {
  readonly id: number;
  readonly attributes: string;
  readonly body: string;
}

const attr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
const setAttr = (tag: string, name: string, value: string) =>
  tag.replace(new RegExp(`(\\s${name}=")[^"]*(")`), `$1${value}$2`);

/**
 * Turns ffmpeg's dash output into MediaConvert's CMAF layout, deterministically:
 * - files named after the destination and each output's name modifier: `index_720p.m3u8`,
 *   `index_720p_init.cmfv`, `index_720p_00001.cmfv`, `index_audio_00001.cmfa` (MediaConvert's own
 *   segment names may differ; nothing in the service depends on them, only on the manifests);
 * - the DASH manifest: one video AdaptationSet holding every rendition (ffmpeg makes one per
 *   aspect ratio, and 854x480 is not exactly 16:9), each Representation's `bandwidth` its
 *   MaxBitrate (the job asks for MpdManifestBandwidthType MAX; ffmpeg writes the measured average);
 * - the HLS master playlist, written here: every rendition with RESOLUTION, CODECS, FRAME-RATE
 *   and BANDWIDTH = MaxBitrate + the audio bitrate, the peak MediaConvert advertises for QVBR
 *   (ffmpeg's is the measured average), AVERAGE-BANDWIDTH measured from the segments;
 * - media playlists without ffmpeg's wall-clock EXT-X-PROGRAM-DATE-TIME tags.
 */
export async function finishOutputs(plan: TranscodePlan, workDir: string): Promise<OutputSummary> {
  const dir = join(workDir, CMAF_DIR);
  const { destination, videos, audio } = plan.cmaf;
  const outputs = [
    ...videos.map((v) => ({
      name: `${destination.baseName}${v.nameModifier}`,
      ext: 'cmfv',
      bandwidth: v.maxBitrate,
    })),
    { name: `${destination.baseName}${audio.nameModifier}`, ext: 'cmfa', bandwidth: audio.bitrate },
  ];
  const mpd = await readFile(join(dir, 'index.mpd'), 'utf8');
  const representations = parseRepresentations(mpd);
  const names = await readdir(dir);
  const durationsMs: number[] = [];
  const measured: number[] = [];
  for (const [i, output] of outputs.entries()) {
    let bytes = 0;
    for (const file of names) {
      const init = file === `init_${i}.m4s`;
      const segment = new RegExp(`^chunk_${i}_(\\d+)\\.m4s$`).exec(file);
      if (!init && !segment) continue;
      const target = init
        ? `${output.name}_init.${output.ext}`
        : `${output.name}_${segment?.[1]}.${output.ext}`;
      if (segment) bytes += (await stat(join(dir, file))).size;
      await rename(join(dir, file), join(dir, target));
    }
    const playlist = (await readFile(join(dir, `media_${i}.m3u8`), 'utf8'))
      .split('\n')
      .filter((line) => !line.startsWith('#EXT-X-PROGRAM-DATE-TIME'))
      .map((line) =>
        line
          .replace(`init_${i}.m4s`, `${output.name}_init.${output.ext}`)
          .replace(new RegExp(`^chunk_${i}_(\\d+)\\.m4s$`), `${output.name}_$1.${output.ext}`),
      )
      .join('\n');
    await writeFile(join(dir, `${output.name}.m3u8`), playlist);
    await rm(join(dir, `media_${i}.m3u8`));
    const seconds = [...playlist.matchAll(/^#EXTINF:([\d.]+)/gm)].reduce((sum, [, d]) => sum + Number(d), 0);
    durationsMs.push(Math.round(seconds * 1000));
    measured.push(seconds > 0 ? Math.round((bytes * 8) / seconds) : 0);
  }
  await rm(join(dir, 'master.m3u8'), { force: true });
  await writeFile(join(dir, 'index.mpd'), rewriteMpd(mpd, representations, outputs));
  const rate = /<AdaptationSet\b[^>]*contentType="video"[^>]*frameRate="(\d+)(?:\/(\d+))?"/.exec(mpd);
  const fps = Number(rate?.[1] ?? 30) / Number(rate?.[2] ?? 1);
  await writeFile(
    join(dir, `${destination.baseName}.m3u8`),
    master(plan, representations, outputs, measured, fps),
  );
  if (destination.baseName !== 'index')
    await rename(join(dir, 'index.mpd'), join(dir, `${destination.baseName}.mpd`));

  const thumbnailNames = (await readdir(join(workDir, THUMBNAIL_DIR))).sort();
  const files: OutputFile[] = [
    ...(await readdir(dir))
      .sort()
      .map((file) => ({ path: join(dir, file), key: `${destination.prefix}${file}` })),
    ...thumbnailNames.map((file) => ({
      path: join(workDir, THUMBNAIL_DIR, file),
      key: `${plan.thumbnails.destination.prefix}${file}`,
    })),
  ];
  return {
    files,
    cmafDurationsMs: durationsMs,
    thumbnailKeys: thumbnailNames.map((file) => `${plan.thumbnails.destination.prefix}${file}`),
  };
}

function parseRepresentations(mpd: string): Representation[] {
  return [...mpd.matchAll(/<Representation\b([^>]*)>([\s\S]*?)<\/Representation>/g)].map(
    ([, attributes = '', body = '']) => ({ id: Number(attr(attributes, 'id')), attributes, body }),
  );
}

/** The MPD with one video AdaptationSet, MaxBitrate bandwidths and the renamed segments. */
function rewriteMpd(
  mpd: string,
  representations: readonly Representation[],
  outputs: readonly { name: string; ext: string; bandwidth: number }[],
): string {
  const render = (rep: Representation) => {
    const output = outputs[rep.id];
    if (!output) return '';
    const body = rep.body
      .replace(/initialization="[^"]*"/, `initialization="${output.name}_init.${output.ext}"`)
      .replace(/media="[^"]*"/, `media="${output.name}_$Number%05d$.${output.ext}"`);
    return `\t\t\t<Representation${setAttr(rep.attributes, 'bandwidth', String(output.bandwidth))}>${body}</Representation>\n`;
  };
  const sets = [...mpd.matchAll(/\t*<AdaptationSet\b([^>]*)>[\s\S]*?<\/AdaptationSet>\n?/g)];
  const video = sets.filter(([, a = '']) => attr(a, 'contentType') === 'video');
  const audio = sets.filter(([, a = '']) => attr(a, 'contentType') === 'audio');
  const videoReps = representations.filter((r) => r.id < outputs.length - 1);
  const audioReps = representations.filter((r) => r.id === outputs.length - 1);
  const first = video[0]?.[1] ?? '';
  const widths = videoReps.map((r) => Number(attr(r.attributes, 'width')));
  const heights = videoReps.map((r) => Number(attr(r.attributes, 'height')));
  let videoAttrs = setAttr(setAttr(first, 'id', '0'), 'maxWidth', String(Math.max(...widths)));
  videoAttrs = setAttr(videoAttrs, 'maxHeight', String(Math.max(...heights))).replace(/\spar="[^"]*"/, '');
  const audioAttrs = setAttr(audio[0]?.[1] ?? ' contentType="audio"', 'id', '1');
  const period =
    `\t\t<AdaptationSet${videoAttrs}>\n${videoReps.map(render).join('')}\t\t</AdaptationSet>\n` +
    `\t\t<AdaptationSet${audioAttrs}>\n${audioReps.map(render).join('')}\t\t</AdaptationSet>\n`;
  const start = sets[0]?.index ?? 0;
  const last = sets.at(-1);
  const end = last ? (last.index ?? 0) + last[0].length : start;
  return mpd.slice(0, start) + period + mpd.slice(end);
}

/** The HLS master playlist, MediaConvert-style: the audio group, then each rendition. */
function master(
  plan: TranscodePlan,
  representations: readonly Representation[],
  outputs: readonly { name: string; ext: string; bandwidth: number }[],
  measured: readonly number[],
  fps: number,
): string {
  const audioIndex = outputs.length - 1;
  const audio = outputs[audioIndex];
  const audioRep = representations.find((r) => r.id === audioIndex);
  const audioCodec = (audioRep && attr(audioRep.attributes, 'codecs')) ?? 'mp4a.40.2';
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:6',
    '#EXT-X-INDEPENDENT-SEGMENTS',
    `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="program_audio_0",NAME="Audio",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="${audio?.name}.m3u8"`,
  ];
  for (const [i, video] of plan.cmaf.videos.entries()) {
    const rep = representations.find((r) => r.id === i);
    const codecs = [rep && attr(rep.attributes, 'codecs'), audioCodec].filter(Boolean).join(',');
    lines.push(
      `#EXT-X-STREAM-INF:BANDWIDTH=${video.maxBitrate + plan.cmaf.audio.bitrate},` +
        `AVERAGE-BANDWIDTH=${(measured[i] ?? 0) + (measured[audioIndex] ?? 0)},` +
        `RESOLUTION=${video.width}x${video.height},FRAME-RATE=${fps.toFixed(3)},` +
        `CODECS="${codecs}",AUDIO="program_audio_0"`,
      `${outputs[i]?.name}.m3u8`,
    );
  }
  return `${lines.join('\n')}\n`;
}
