import type { CreateJobRequest, Output } from '@aws-sdk/client-mediaconvert';
import {
  type Check,
  integer,
  list,
  map,
  object,
  oneOf,
  positive,
  text,
  variant,
} from './mediaconvert-checks.ts';
import { fromWire } from './mediaconvert-wire.ts';

/**
 * What the local transcoder can honor, as a schema of CreateJob's wire JSON: exactly the job
 * `recordingJobRequest` (functions/adapters/mediaconvert-job.ts) builds. One input; one CMAF group of
 * H.264 QVBR video outputs and one AAC output (segmented, HLS + DASH manifests); one file group
 * with a JPEG frame capture. A setting outside it is a 400 naming that setting, so a change to
 * the job that the local stack cannot follow fails loudly instead of producing something else.
 */
const S3_URL = /^s3:\/\/[a-z0-9.-]{3,63}\/.+/;

const STATUS_UPDATE_INTERVALS = [10, 12, 15, 20, 30]
  .map((s) => `SECONDS_${s}`)
  .concat(Array.from({ length: 10 }, (_, i) => `SECONDS_${60 * (i + 1)}`));

const cmfc = object({ container: oneOf('CMFC') }, ['container']);

const h264 = object(
  {
    rateControlMode: oneOf('QVBR'),
    qvbrSettings: object({ qvbrQualityLevel: integer(1, 10) }, ['qvbrQualityLevel']),
    maxBitrate: integer(1000, 1_152_000_000),
    codecProfile: oneOf('HIGH', 'MAIN'),
    codecLevel: oneOf('AUTO'),
    gopSize: positive,
    gopSizeUnits: oneOf('SECONDS'),
    gopClosedCadence: integer(0),
    // Honored as "keep the GOP cadence": no rendition gets extra I-frames (they must cut alike).
    sceneChangeDetect: oneOf('DISABLED', 'ENABLED', 'TRANSITION_DETECTION'),
    framerateControl: oneOf('INITIALIZE_FROM_SOURCE'),
  },
  ['rateControlMode', 'qvbrSettings', 'maxBitrate', 'gopSize', 'gopSizeUnits'],
);

const videoOutput = object(
  {
    nameModifier: text(/^[\w-]{1,64}$/),
    containerSettings: cmfc,
    videoDescription: object(
      {
        width: integer(32, 8192),
        height: integer(32, 4320),
        scalingBehavior: oneOf('DEFAULT'),
        codecSettings: object({ codec: oneOf('H_264'), h264Settings: h264 }, ['codec', 'h264Settings']),
      },
      ['width', 'height', 'codecSettings'],
    ),
  },
  ['nameModifier', 'containerSettings', 'videoDescription'],
);

const audioOutput = object(
  {
    nameModifier: text(/^[\w-]{1,64}$/),
    containerSettings: cmfc,
    audioDescriptions: list(
      object(
        {
          audioSourceName: text(),
          codecSettings: object(
            {
              codec: oneOf('AAC'),
              aacSettings: object(
                {
                  bitrate: integer(6000, 1_024_000),
                  codingMode: oneOf('CODING_MODE_2_0'),
                  sampleRate: oneOf(44100, 48000),
                },
                ['bitrate', 'codingMode', 'sampleRate'],
              ),
            },
            ['codec', 'aacSettings'],
          ),
        },
        ['audioSourceName', 'codecSettings'],
      ),
      1,
      1,
    ),
  },
  ['nameModifier', 'containerSettings', 'audioDescriptions'],
);

const cmafGroup = object(
  {
    name: text(),
    outputGroupSettings: object(
      {
        type: oneOf('CMAF_GROUP_SETTINGS'),
        cmafGroupSettings: object(
          {
            destination: text(S3_URL),
            segmentLength: integer(1, 600),
            fragmentLength: integer(1, 600),
            segmentControl: oneOf('SEGMENTED_FILES'),
            writeHlsManifest: oneOf('ENABLED'),
            writeDashManifest: oneOf('ENABLED'),
            streamInfResolution: oneOf('INCLUDE'),
            mpdManifestBandwidthType: oneOf('MAX'),
            manifestDurationFormat: oneOf('FLOATING_POINT'),
            codecSpecification: oneOf('RFC_6381'),
          },
          // Where MediaConvert's default differs from what the local transcoder writes.
          ['destination', 'segmentLength', 'fragmentLength', 'manifestDurationFormat', 'codecSpecification'],
        ),
      },
      ['type', 'cmafGroupSettings'],
    ),
    outputs: list(
      variant((output) => {
        if ('videoDescription' in output) return videoOutput;
        if ('audioDescriptions' in output) return audioOutput;
        return 'A CMAF output needs videoDescription or audioDescriptions';
      }),
      2,
    ),
  },
  ['outputGroupSettings', 'outputs'],
);

const frameCapture = object(
  {
    nameModifier: text(/^[\w-]{1,64}$/),
    extension: oneOf('jpg'),
    containerSettings: object({ container: oneOf('RAW') }, ['container']),
    videoDescription: object(
      {
        width: integer(32, 8192),
        height: integer(32, 4320),
        scalingBehavior: oneOf('DEFAULT'),
        codecSettings: object(
          {
            codec: oneOf('FRAME_CAPTURE'),
            frameCaptureSettings: object(
              {
                framerateNumerator: integer(1),
                framerateDenominator: integer(1),
                maxCaptures: integer(1, 10_000_000),
                quality: integer(1, 100),
              },
              ['framerateNumerator', 'framerateDenominator'],
            ),
          },
          ['codec', 'frameCaptureSettings'],
        ),
      },
      ['width', 'height', 'codecSettings'],
    ),
  },
  ['containerSettings', 'videoDescription'],
);

const fileGroup = object(
  {
    name: text(),
    outputGroupSettings: object(
      {
        type: oneOf('FILE_GROUP_SETTINGS'),
        fileGroupSettings: object({ destination: text(S3_URL) }, ['destination']),
      },
      ['type', 'fileGroupSettings'],
    ),
    outputs: list(frameCapture, 1, 1),
  },
  ['outputGroupSettings', 'outputs'],
);

const createJob: Check = object(
  {
    role: text(/^arn:aws:iam::\d{12}:role\/.+/),
    // The SDK fills it in (an idempotency token).
    clientRequestToken: text(),
    queue: text(/^(Default|arn:aws:mediaconvert:[a-z0-9-]+:\d{12}:queues\/Default)$/),
    userMetadata: map(text()),
    statusUpdateInterval: oneOf(...STATUS_UPDATE_INTERVALS),
    settings: object(
      {
        timecodeConfig: object({ source: oneOf('ZEROBASED') }),
        inputs: list(
          object(
            {
              fileInput: text(S3_URL),
              timecodeSource: oneOf('ZEROBASED'),
              // AUTO: as the container's rotation says (ffmpeg's autorotate); absent is DEGREE_0.
              videoSelector: object({ rotate: oneOf('AUTO', 'DEGREE_0') }),
              audioSelectors: map(object({ defaultSelection: oneOf('DEFAULT') }), 1, 1),
            },
            ['fileInput'],
          ),
          1,
          1,
        ),
        outputGroups: list(
          variant((group) => {
            const type = (group.outputGroupSettings as { type?: unknown } | undefined)?.type;
            if (type === 'CMAF_GROUP_SETTINGS') return cmafGroup;
            if (type === 'FILE_GROUP_SETTINGS') return fileGroup;
            return `outputGroupSettings/type ${JSON.stringify(type)} is not supported by the local MediaConvert stand-in (it honors "CMAF_GROUP_SETTINGS", "FILE_GROUP_SETTINGS")`;
          }),
          2,
          2,
        ),
      },
      ['inputs', 'outputGroups'],
    ),
  },
  ['role', 'settings'],
);

/** Where an output goes: `s3://bucket/media/<id>/index` is prefix `media/<id>/`, base name `index`. */
export interface Destination {
  readonly bucket: string;
  readonly prefix: string;
  readonly baseName: string;
}

export interface VideoRendition {
  readonly nameModifier: string;
  readonly width: number;
  readonly height: number;
  readonly maxBitrate: number;
  readonly qvbrLevel: number;
  readonly profile: 'high' | 'main';
  readonly gopSeconds: number;
}

/** Everything the transcoder does for a job, read off its settings. */
export interface TranscodePlan {
  readonly source: { readonly bucket: string; readonly key: string; readonly autorotate: boolean };
  readonly cmaf: {
    readonly destination: Destination;
    readonly segmentSeconds: number;
    readonly fragmentSeconds: number;
    readonly videos: readonly VideoRendition[];
    readonly audio: { readonly nameModifier: string; readonly bitrate: number; readonly sampleRate: number };
  };
  readonly thumbnails: {
    readonly destination: Destination;
    readonly nameModifier: string;
    readonly width: number;
    readonly height: number;
    readonly everySeconds: number;
    readonly maxCaptures: number;
    readonly quality: number;
  };
}

/**
 * Checks a CreateJob body against what the local transcoder honors: the plan, or the problem
 * (a 400's message). `bucket` is the one bucket the stand-in reads and writes.
 */
export function planJob(wire: unknown, bucket: string): TranscodePlan | string {
  const problem = createJob(wire, '');
  if (problem) return problem;
  const request = fromWire(wire) as CreateJobRequest;
  const [input] = request.Settings?.Inputs ?? [];
  const groups = request.Settings?.OutputGroups ?? [];
  const cmafGroup = groups.find((g) => g.OutputGroupSettings?.Type === 'CMAF_GROUP_SETTINGS');
  const fileGroup = groups.find((g) => g.OutputGroupSettings?.Type === 'FILE_GROUP_SETTINGS');
  if (!input || !cmafGroup || !fileGroup)
    return '/settings/outputGroups: Needs one CMAF group and one file group';
  const cmafIndex = groups.indexOf(cmafGroup);
  const source = parseS3Url(input.FileInput ?? '');
  const cmafSettings = cmafGroup.OutputGroupSettings?.CmafGroupSettings ?? {};
  const videos = (cmafGroup.Outputs ?? []).filter((o) => o.VideoDescription);
  const audios = (cmafGroup.Outputs ?? []).filter((o) => o.AudioDescriptions);
  const outputsPath = `/settings/outputGroups/${cmafIndex}/outputs`;
  if (videos.length === 0 || audios.length !== 1) {
    return `${outputsPath}: The local MediaConvert stand-in needs at least one video output and exactly one audio output`;
  }
  const modifiers = (cmafGroup.Outputs ?? []).map((o) => o.NameModifier);
  if (new Set(modifiers).size !== modifiers.length) return `${outputsPath}: Name modifiers must be unique`;
  const [audio] = audios as [Output];
  const [audioDescription] = audio.AudioDescriptions ?? [];
  const selectors = Object.keys(input.AudioSelectors ?? {});
  if (!selectors.includes(audioDescription?.AudioSourceName ?? '')) {
    return `${outputsPath}: audioSourceName ${JSON.stringify(audioDescription?.AudioSourceName)} names no audio selector of the input`;
  }
  const cmafDestination = parseDestination(cmafSettings.Destination ?? '', source.key);
  const [capture] = fileGroup.Outputs ?? [];
  const thumbnailDestination = parseDestination(
    fileGroup.OutputGroupSettings?.FileGroupSettings?.Destination ?? '',
    source.key,
  );
  const foreign = [source, cmafDestination, thumbnailDestination].find((place) => place.bucket !== bucket);
  if (foreign)
    return `/settings: Bucket ${foreign.bucket} does not exist locally (the local stack has ${bucket})`;
  const frames = capture?.VideoDescription?.CodecSettings?.FrameCaptureSettings ?? {};
  const aac = audioDescription?.CodecSettings?.AacSettings ?? {};
  return {
    source: { ...source, autorotate: input.VideoSelector?.Rotate === 'AUTO' },
    cmaf: {
      destination: cmafDestination,
      segmentSeconds: cmafSettings.SegmentLength ?? 10,
      fragmentSeconds: cmafSettings.FragmentLength ?? 2,
      videos: videos.map(rendition),
      audio: {
        nameModifier: audio.NameModifier ?? '',
        bitrate: aac.Bitrate ?? 96_000,
        sampleRate: aac.SampleRate ?? 48_000,
      },
    },
    thumbnails: {
      destination: thumbnailDestination,
      nameModifier: capture?.NameModifier ?? '',
      width: capture?.VideoDescription?.Width ?? 0,
      height: capture?.VideoDescription?.Height ?? 0,
      everySeconds: (frames.FramerateDenominator ?? 1) / (frames.FramerateNumerator ?? 1),
      maxCaptures: frames.MaxCaptures ?? 10_000_000,
      quality: frames.Quality ?? 80,
    },
  };
}

function rendition(output: Output): VideoRendition {
  const video = output.VideoDescription ?? {};
  const h264 = video.CodecSettings?.H264Settings ?? {};
  return {
    nameModifier: output.NameModifier ?? '',
    width: video.Width ?? 0,
    height: video.Height ?? 0,
    maxBitrate: h264.MaxBitrate ?? 0,
    qvbrLevel: h264.QvbrSettings?.QvbrQualityLevel ?? 7,
    profile: h264.CodecProfile === 'MAIN' ? 'main' : 'high',
    gopSeconds: h264.GopSize ?? 2,
  };
}

export function parseS3Url(url: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(url);
  return { bucket: match?.[1] ?? '', key: match?.[2] ?? '' };
}

/** MediaConvert names outputs after the input file when the destination ends with `/`. */
function parseDestination(url: string, sourceKey: string): Destination {
  const { bucket, key } = parseS3Url(url);
  const slash = key.lastIndexOf('/');
  const baseName = key.slice(slash + 1) || (sourceKey.split('/').pop() ?? 'output').replace(/\.[^.]*$/, '');
  return { bucket, prefix: key.slice(0, slash + 1), baseName };
}
