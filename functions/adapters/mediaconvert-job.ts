/**
 * The transcode of a recording, as one MediaConvert job request: a pure function of the job
 * (core/ladder.ts chose the renditions), so it is unit-tested, and the local stack's ffmpeg
 * transcoder reads the very same settings (local/mediaconvert/mediaconvert-ffmpeg.ts).
 *
 * One CMAF output group: a single set of fMP4 segments with both an HLS master playlist and a
 * DASH manifest, H.264 renditions under QVBR with a peak-bitrate cap, one AAC audio rendition
 * (CMAF carries audio and video in separate outputs), 6 s segments of 2 s fragments. A second
 * group captures one JPEG thumbnail every 10 s.
 */
import type { CreateJobRequest, Output, OutputGroup } from '@aws-sdk/client-mediaconvert';
import {
  AUDIO_BITRATE,
  AUDIO_NAME_MODIFIER,
  AUDIO_SAMPLE_RATE,
  even,
  FRAGMENT_SECONDS,
  JOB_SERVICE_TAG,
  type JobInput,
  LADDER,
  ladderFor,
  MAX_THUMBNAILS,
  SEGMENT_SECONDS,
  THUMBNAIL_EVERY_SECONDS,
  THUMBNAIL_HEIGHT,
} from '../core/ladder.ts';
import { mediaDestinations } from '../core/media-layout.ts';
import type { Rendition } from '../core/recording-model.ts';

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
