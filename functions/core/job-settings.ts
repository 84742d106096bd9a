/**
 * The transcode of a recording, as one MediaConvert job request: a pure function of the source's
 * size, so it is unit-tested here and the local stack's ffmpeg transcoder reads the very same
 * settings (local/mediaconvert/mediaconvert-ffmpeg.ts).
 *
 * One CMAF output group: a single set of fMP4 segments with both an HLS master playlist and a
 * DASH manifest, H.264 renditions under QVBR with a peak-bitrate cap, one AAC audio rendition
 * (CMAF carries audio and video in separate outputs), 6 s segments of 2 s fragments. A second
 * group captures one JPEG thumbnail every 10 s.
 */
import type { CreateJobRequest, Output, OutputGroup } from '@aws-sdk/client-mediaconvert';
import { mediaDestinations } from './media-layout.ts';
import type { Rendition } from './recording-model.ts';

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
const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);

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

const qvbrLevel = (rendition: Rendition) =>
  LADDER.find((rung) => rung.name === rendition.name)?.qvbrLevel ?? LADDER[0].qvbrLevel;

function videoOutput(rendition: Rendition): Output {
  return {
    NameModifier: `_${rendition.name}`,
    ContainerSettings: { Container: 'CMFC' },
    VideoDescription: {
      Width: rendition.width,
      Height: rendition.height,
      ScalingBehavior: 'DEFAULT',
      CodecSettings: {
        Codec: 'H_264',
        H264Settings: {
          RateControlMode: 'QVBR',
          QvbrSettings: { QvbrQualityLevel: qvbrLevel(rendition) },
          MaxBitrate: rendition.maxBitrate,
          CodecProfile: 'HIGH',
          CodecLevel: 'AUTO',
          // A keyframe opens every fragment, so players can switch renditions at any fragment.
          GopSize: FRAGMENT_SECONDS,
          GopSizeUnits: 'SECONDS',
          GopClosedCadence: 1,
          SceneChangeDetect: 'TRANSITION_DETECTION',
          FramerateControl: 'INITIALIZE_FROM_SOURCE',
        },
      },
    },
  };
}

const audioOutput: Output = {
  NameModifier: AUDIO_NAME_MODIFIER,
  ContainerSettings: { Container: 'CMFC' },
  AudioDescriptions: [
    {
      AudioSourceName: 'Audio Selector 1',
      CodecSettings: {
        Codec: 'AAC',
        AacSettings: {
          Bitrate: AUDIO_BITRATE,
          CodingMode: 'CODING_MODE_2_0',
          SampleRate: AUDIO_SAMPLE_RATE,
        },
      },
    },
  ],
};

export interface JobInput {
  streamId: string;
  bucket: string;
  sourceKey: string;
  source: SourceVideo;
  /** The role MediaConvert assumes to read the source and write the output. */
  roleArn: string;
}

/** The CreateJob request for a recording. */
export function recordingJobRequest(input: JobInput): CreateJobRequest {
  const renditions = ladderFor(input.source);
  const destinations = mediaDestinations(input.bucket, input.streamId);
  const cmaf: OutputGroup = {
    Name: 'CMAF',
    OutputGroupSettings: {
      Type: 'CMAF_GROUP_SETTINGS',
      CmafGroupSettings: {
        Destination: destinations.cmaf,
        SegmentLength: SEGMENT_SECONDS,
        FragmentLength: FRAGMENT_SECONDS,
        SegmentControl: 'SEGMENTED_FILES',
        WriteHlsManifest: 'ENABLED',
        WriteDashManifest: 'ENABLED',
        // RESOLUTION on every variant, so players (and the tests) see each rung's size.
        StreamInfResolution: 'INCLUDE',
        // The DASH @bandwidth is the peak, like HLS BANDWIDTH: the cap, not a guess at the average.
        MpdManifestBandwidthType: 'MAX',
        ManifestDurationFormat: 'FLOATING_POINT',
        CodecSpecification: 'RFC_6381',
      },
    },
    Outputs: [...renditions.map(videoOutput), audioOutput],
  };
  const thumbnailHeight = Math.min(THUMBNAIL_HEIGHT, even(input.source.height));
  const thumbnailWidth = even((thumbnailHeight * input.source.width) / input.source.height);
  const thumbnails: OutputGroup = {
    Name: 'Thumbnails',
    OutputGroupSettings: {
      Type: 'FILE_GROUP_SETTINGS',
      FileGroupSettings: { Destination: destinations.thumbnails },
    },
    Outputs: [
      {
        ContainerSettings: { Container: 'RAW' },
        Extension: 'jpg',
        VideoDescription: {
          Width: thumbnailWidth,
          Height: thumbnailHeight,
          CodecSettings: {
            Codec: 'FRAME_CAPTURE',
            FrameCaptureSettings: {
              FramerateNumerator: 1,
              FramerateDenominator: THUMBNAIL_EVERY_SECONDS,
              MaxCaptures: MAX_THUMBNAILS,
              Quality: 80,
            },
          },
        },
      },
    ],
  };
  return {
    Role: input.roleArn,
    UserMetadata: { service: JOB_SERVICE_TAG, streamId: input.streamId },
    // STATUS_UPDATE events every 10 s carry the progress the recording shows.
    StatusUpdateInterval: 'SECONDS_10',
    Settings: {
      TimecodeConfig: { Source: 'ZEROBASED' },
      Inputs: [
        {
          FileInput: `s3://${input.bucket}/${input.sourceKey}`,
          TimecodeSource: 'ZEROBASED',
          // Phones store portrait video as rotated landscape: encode it as it is displayed.
          VideoSelector: { Rotate: 'AUTO' },
          AudioSelectors: { 'Audio Selector 1': { DefaultSelection: 'DEFAULT' } },
        },
      ],
      OutputGroups: [cmaf, thumbnails],
    },
  };
}
