import type { Rendition } from './recording-model.ts';

/**
 * What a recording is transcoded into, decided here in core: the ladder of renditions (never
 * above the source), segment and audio settings, thumbnails. adapters/mediaconvert-job.ts turns
 * a `JobInput` into MediaConvert's request; nothing here knows MediaConvert's shapes.
 */

/** The ladder, top-down cut at the source's height. Bitrates are QVBR caps (bits/s). */
export const LADDER = [
  { name: '360p', height: 360, maxBitrate: 1_000_000, qvbrLevel: 7 },
  { name: '480p', height: 480, maxBitrate: 1_800_000, qvbrLevel: 7 },
  { name: '720p', height: 720, maxBitrate: 3_500_000, qvbrLevel: 8 },
  { name: '1080p', height: 1080, maxBitrate: 6_000_000, qvbrLevel: 8 },
] as const;

export const SEGMENT_SECONDS = 6;
export const FRAGMENT_SECONDS = 2;
export const AUDIO_BITRATE = 128_000;
export const AUDIO_SAMPLE_RATE = 48_000;
export const THUMBNAIL_HEIGHT = 360;
export const THUMBNAIL_EVERY_SECONDS = 10;
/** A 2 h stream gives 720 frames at one per 10 s; keep the first 360 (an hour of thumbnails). */
export const MAX_THUMBNAILS = 360;
/** MediaConvert's UserMetadata key the EventBridge rule filters on (manifest `eventSources`). */
export const JOB_SERVICE_TAG = 'dreamx-livestream';

/** The audio output's name modifier; the video outputs use the rendition's name. */
export const AUDIO_NAME_MODIFIER = '_audio';

export interface SourceVideo {
  width: number;
  height: number;
}

/** Even, as H.264 4:2:0 needs, and at least 2. */
export const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);

/**
 * The renditions for a source: every rung at or below its height, never upscaled. A source
 * shorter than the lowest rung gets one rendition at its own (even) size. Widths keep the
 * source's aspect ratio, so portrait phone video stays portrait.
 */
export function ladderFor(source: SourceVideo): Rendition[] {
  if (!(source.width > 0 && source.height > 0)) throw new Error('Source video has no size');
  const aspect = source.width / source.height;
  const rungs = LADDER.filter((rung) => rung.height <= source.height);
  if (rungs.length === 0) {
    const [lowest] = LADDER;
    return [
      {
        name: `${even(source.height)}p`,
        width: even(source.width),
        height: even(source.height),
        maxBitrate: lowest.maxBitrate,
      },
    ];
  }
  return rungs.map((rung) => ({
    name: rung.name,
    width: even(rung.height * aspect),
    height: rung.height,
    maxBitrate: rung.maxBitrate,
  }));
}

/** What the transcoder needs for one recording. */
export interface JobInput {
  streamId: string;
  bucket: string;
  sourceKey: string;
  source: SourceVideo;
  /** The role MediaConvert assumes to read the source and write the output. */
  roleArn: string;
}
