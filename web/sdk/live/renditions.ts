/**
 * Which renditions the broadcaster's live ladder encodes: H.264 at 720p, 480p and 360p, never
 * above what the camera captures, and only as many as half the measured uplink carries (the
 * other half is left to the peer-to-peer seats and to retries).
 */

/**
 * One rung of the live ladder: its name (the bucket folder, `720p`), its picture size and what
 * it sends, in kbit/s (video and the audio muxed beside it).
 *
 * @example
 * const top: Rendition = { name: '720p', width: 1280, height: 720, videoKbps: 2500, audioKbps: 96 };
 */
export interface Rendition {
  name: string;
  width: number;
  height: number;
  videoKbps: number;
  audioKbps: number;
}

/** The rungs, best first: the picture's short side in lines and the video bitrate. */
export const LADDER_RUNGS: readonly { lines: number; videoKbps: number }[] = [
  { lines: 720, videoKbps: 2500 },
  { lines: 480, videoKbps: 1200 },
  { lines: 360, videoKbps: 700 },
];

/** Audio rides in every rendition (one CMAF stream each); 96 kbit/s is transparent speech and music. */
export const AUDIO_KBPS = 96;

/** The share of the measured uplink the ladder may take. */
export const UPLINK_SHARE = 0.5;

/**
 * What one rendition sends, video and audio, in kbit/s.
 *
 * @example
 * renditionKbps({ name: '360p', width: 640, height: 360, videoKbps: 700, audioKbps: 96 }); // 796
 */
export const renditionKbps = (rendition: Rendition): number => rendition.videoKbps + rendition.audioKbps;

/**
 * What the whole ladder sends, in kbit/s: what the broadcaster reports as `ladderKbps`.
 *
 * @example
 * ladderKbps(chooseLadder({ width: 1280, height: 720 })); // 4688
 */
export const ladderKbps = (ladder: readonly Rendition[]): number =>
  ladder.reduce((sum, rendition) => sum + renditionKbps(rendition), 0);

/**
 * The ladder for a capture of `capture` pixels: every rung whose short side is at most the
 * capture's (a rung above it would only upscale), the picture scaled with its aspect ratio kept
 * and both sides even (H.264 needs it). With `uplinkKbps` known, top rungs are dropped until the
 * ladder fits `UPLINK_SHARE` of it, keeping at least the lowest. A capture smaller than every
 * rung gets one rendition at its own size.
 *
 * @example
 * chooseLadder({ width: 1280, height: 720 }).map((r) => r.name); // ['720p', '480p', '360p']
 * chooseLadder({ width: 1280, height: 720 }, { uplinkKbps: 4000 }).map((r) => r.name); // ['480p', '360p']
 * chooseLadder({ width: 640, height: 480 }).map((r) => `${r.width}x${r.height}`); // ['640x480', '480x360']
 */
export function chooseLadder(
  capture: { width: number; height: number },
  options: { uplinkKbps?: number } = {},
): Rendition[] {
  const short = Math.min(capture.width, capture.height);
  const scaled = (lines: number) => ({
    width: even((capture.width * lines) / short),
    height: even((capture.height * lines) / short),
  });
  const lowest = LADDER_RUNGS[LADDER_RUNGS.length - 1] as (typeof LADDER_RUNGS)[number];
  const fitting = LADDER_RUNGS.filter((rung) => rung.lines <= short);
  const rungs = fitting.length > 0 ? fitting : [{ lines: evenLines(short), videoKbps: lowest.videoKbps }];
  const ladder = rungs.map((rung) => ({
    name: `${rung.lines}p`,
    ...scaled(rung.lines),
    videoKbps: rung.videoKbps,
    audioKbps: AUDIO_KBPS,
  }));
  const { uplinkKbps } = options;
  if (uplinkKbps === undefined || !(uplinkKbps > 0)) return ladder;
  while (ladder.length > 1 && ladderKbps(ladder) > uplinkKbps * UPLINK_SHARE) ladder.shift();
  return ladder;
}

/** The nearest even number of pixels, at least 2. */
const even = (pixels: number) => Math.max(2, 2 * Math.round(pixels / 2));
const evenLines = (lines: number) => Math.max(2, 2 * Math.floor(lines / 2));
