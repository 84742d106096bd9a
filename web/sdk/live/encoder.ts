/**
 * One rendition's encoder and packager: WebCodecs through mediabunny, H.264 video scaled to the
 * rendition and the audio muxed beside it in one CMAF stream, cut into 1 s segments that each
 * start on a keyframe. Timestamps are the capture's wall clock (`timestampBase: 'unix'`), so a
 * segment's start is its PROGRAM-DATE-TIME and every rendition cuts at the same instants.
 *
 * Audio and video share each rendition's segments rather than an audio group: a player then
 * fetches one stream per rendition, every playlist stands alone (its own discontinuities and
 * window), and the audio costs ~100 kbit/s per extra rendition, a few percent of the ladder.
 *
 * mediabunny's own playlists are only read for each segment's timing (its EXTINF and PDT): the
 * SDK writes the published playlists itself (playlists.ts).
 */
import {
  BufferTarget,
  CmafOutputFormat,
  HlsOutputFormat,
  MediaStreamAudioTrackSource,
  MediaStreamVideoTrackSource,
  Output,
  PathedTarget,
  Quality,
} from 'mediabunny';
import { SEGMENT_SECONDS } from './playlists.ts';
import type { Rendition } from './renditions.ts';
import { parseMediaPlaylist } from './resume.ts';

/** H.264 at level 4.0 (720p at up to 60 fps), best profile first: High, Main, Baseline. */
const H264_CODECS = ['avc1.640028', 'avc1.4d0028', 'avc1.420028'];
/** AAC-LC when the browser encodes it (Safari, Chrome with proprietary codecs), else Opus. */
const AAC = 'mp4a.40.2';

/**
 * What the ladder encodes with: the H.264 codec string the browser accepts for the top
 * rendition, and the audio codec (`aac` when supported, else `opus`; none without audio).
 *
 * @example
 * const { video, audio } = await chooseCodecs(ladder[0], stream.getAudioTracks()[0]);
 */
export async function chooseCodecs(
  top: Rendition,
  audioTrack: MediaStreamTrack | undefined,
): Promise<{ video: string; audio: 'aac' | 'opus' | undefined }> {
  let video: string | undefined;
  for (const codec of H264_CODECS) {
    const config = { codec, width: top.width, height: top.height, bitrate: top.videoKbps * 1000 };
    if ((await VideoEncoder.isConfigSupported(config).catch(() => undefined))?.supported) {
      video = codec;
      break;
    }
  }
  if (!video) throw new Error('This browser cannot encode H.264 (VideoEncoder)');
  if (!audioTrack) return { video, audio: undefined };
  const settings = audioTrack.getSettings();
  const aac = await globalThis.AudioEncoder?.isConfigSupported({
    codec: AAC,
    sampleRate: settings.sampleRate ?? 48_000,
    numberOfChannels: settings.channelCount ?? 1,
    bitrate: top.audioKbps * 1000,
  }).catch(() => undefined);
  return { video, audio: aac?.supported ? 'aac' : 'opus' };
}

/**
 * A finished media segment: its bytes and its timing as the muxer cut it.
 *
 * @example
 * encoder.onSegment = ({ bytes, durationSec, programDateTime }) => upload(bytes);
 */
export interface EncodedSegment {
  bytes: ArrayBuffer;
  durationSec: number;
  /** Its first sample's capture time, ms since the epoch. */
  programDateTime: number;
}

/**
 * What the encoders really produce (for the master's CODECS and RESOLUTION): the decoder
 * configurations of the first packets.
 */
export interface EncodedConfig {
  video: VideoDecoderConfig;
  audio?: AudioDecoderConfig;
}

/** @internal What a {@link RenditionEncoder} needs. */
export interface RenditionEncoderOptions {
  rendition: Rendition;
  video: MediaStreamTrack;
  audio?: MediaStreamTrack;
  codecs: { video: string; audio: 'aac' | 'opus' | undefined };
  onInit(bytes: ArrayBuffer): void;
  onSegment(segment: EncodedSegment): void;
  onConfig(config: EncodedConfig): void;
  onError(error: unknown): void;
}

/**
 * @internal One rendition: its own clones of the tracks (stopped with it), one mediabunny
 * output in live HLS mode with one-second CMAF segments.
 */
export class RenditionEncoder {
  private readonly output: Output;
  private readonly tracks: MediaStreamTrack[];
  /** Segments written, by the muxer's name for them, until its playlist gives their timing. */
  private readonly waiting = new Map<string, ArrayBuffer>();
  private videoConfig: VideoDecoderConfig | undefined;
  private audioConfig: AudioDecoderConfig | undefined;

  constructor(private readonly options: RenditionEncoderOptions) {
    const { rendition, codecs } = options;
    const video = options.video.clone();
    const audio = options.audio?.clone();
    this.tracks = audio ? [video, audio] : [video];
    this.output = new Output({
      format: new HlsOutputFormat({
        segmentFormat: new CmafOutputFormat(),
        targetDuration: SEGMENT_SECONDS,
        live: true,
        // Its playlists are only read for the newest segment: keep them short.
        maxLiveSegmentCount: 2,
        getSegmentPath: ({ n }) => `s${n}.m4s`,
        onInit: (target) => options.onInit(bufferOf(target)),
        onSegment: (target, info) => this.waiting.set(`s${info.n}.m4s`, bufferOf(target)),
        onPlaylist: (text) => this.timed(text),
      }),
      // Every file the muxer writes lands in memory; only segments and the init are kept.
      target: new PathedTarget('master.m3u8', () => new BufferTarget()),
    });
    const videoSource = new MediaStreamVideoTrackSource(
      video as MediaStreamVideoTrack,
      {
        codec: 'avc',
        fullCodecString: codecs.video,
        quality: new Quality({ bitrate: rendition.videoKbps * 1000 }),
        keyFrameInterval: SEGMENT_SECONDS,
        // Live: the encoder keeps pace with the camera (no lookahead, frames dropped before it
        // falls behind) rather than spending time on quality; a ladder behind real time is late
        // for every HLS viewer at once.
        latencyMode: 'realtime',
        // Scaled only when the rendition is not the capture's own size (a canvas pass per frame).
        ...(!sameSize(options.video, rendition) && {
          transform: { width: rendition.width, height: rendition.height },
        }),
        // A source that changes size (a rotated phone, a resized window) is letterboxed into the first.
        sizeChangeBehavior: 'contain',
        onEncodedPacket: (_packet, meta) => this.configured({ video: meta?.decoderConfig }),
      },
      { timestampBase: 'unix' },
    );
    videoSource.errorPromise.catch(options.onError);
    this.output.addVideoTrack(videoSource, { isRelativeToUnixEpoch: true });
    if (audio && codecs.audio) {
      const audioSource = new MediaStreamAudioTrackSource(
        audio as MediaStreamAudioTrack,
        {
          codec: codecs.audio,
          quality: new Quality({ bitrate: rendition.audioKbps * 1000 }),
          onEncodedPacket: (_packet, meta) => this.configured({ audio: meta?.decoderConfig }),
        },
        { timestampBase: 'unix' },
      );
      audioSource.errorPromise.catch(options.onError);
      this.output.addAudioTrack(audioSource, { isRelativeToUnixEpoch: true });
    }
  }

  /** Starts capturing and encoding. */
  async start(): Promise<void> {
    await this.output.start();
  }

  /** Encodes what was captured, cuts the last segment (reported like the others), stops the clones. */
  async stop(): Promise<void> {
    try {
      if (this.output.state === 'started') await this.output.finalize();
      else if (this.output.state !== 'finalized') await this.output.cancel();
    } finally {
      for (const track of this.tracks) track.stop();
    }
  }

  /** The muxer's playlist after a segment: the newest entry is that segment's timing. */
  private timed(text: string): void {
    const newest = parseMediaPlaylist(text).segments.at(-1);
    const bytes = newest && this.waiting.get(newest.uri);
    if (!newest || !bytes) return;
    this.waiting.delete(newest.uri);
    this.options.onSegment({
      bytes,
      durationSec: newest.durationSec,
      programDateTime: newest.programDateTime,
    });
  }

  private configured(found: { video?: VideoDecoderConfig; audio?: AudioDecoderConfig }): void {
    const complete = () =>
      this.videoConfig && (this.audioConfig || this.tracks.length === 1 || !this.options.codecs.audio);
    if (complete()) return;
    this.videoConfig ??= found.video;
    this.audioConfig ??= found.audio;
    if (complete() && this.videoConfig) {
      this.options.onConfig({
        video: this.videoConfig,
        ...(this.audioConfig && { audio: this.audioConfig }),
      });
    }
  }
}

function sameSize(track: MediaStreamTrack, rendition: Rendition): boolean {
  const { width, height } = track.getSettings();
  return width === rendition.width && height === rendition.height;
}

function bufferOf(target: unknown): ArrayBuffer {
  const buffer = (target as BufferTarget).buffer;
  if (!buffer) throw new Error('The muxer reported a file before it was finalized');
  return buffer;
}
