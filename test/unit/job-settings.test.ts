import type { Output } from '@aws-sdk/client-mediaconvert';
import { describe, expect, it } from 'vitest';
import { recordingJobRequest } from '../../functions/adapters/mediaconvert-job.ts';
import { AUDIO_BITRATE, JOB_SERVICE_TAG, LADDER, ladderFor } from '../../functions/core/ladder.ts';

const STREAM = '0b9e4c1e-6a35-4c8e-9d43-2f1f0e6a7b10';
const request = (width: number, height: number) =>
  recordingJobRequest({
    streamId: STREAM,
    bucket: 'rec-bucket',
    sourceKey: `uploads/${STREAM}/source.webm`,
    source: { width, height },
    roleArn: 'arn:aws:iam::111122223333:role/mc',
  });

const groups = (width: number, height: number) => {
  const all = request(width, height).Settings?.OutputGroups ?? [];
  const cmaf = all.find((g) => g.OutputGroupSettings?.Type === 'CMAF_GROUP_SETTINGS');
  const thumbs = all.find((g) => g.OutputGroupSettings?.Type === 'FILE_GROUP_SETTINGS');
  if (!cmaf || !thumbs) throw new Error('missing output group');
  return { all, cmaf, thumbs };
};
const videoOutputs = (outputs: Output[] = []) => outputs.filter((o) => o.VideoDescription);

describe('ladderFor', () => {
  it('never goes above the source height: a 720p source gets 360p, 480p, 720p', () => {
    expect(ladderFor({ width: 1280, height: 720 })).toEqual([
      { name: '360p', width: 640, height: 360, maxBitrate: 1_000_000 },
      { name: '480p', width: 854, height: 480, maxBitrate: 1_800_000 },
      { name: '720p', width: 1280, height: 720, maxBitrate: 3_500_000 },
    ]);
  });

  it('gives a 1080p or larger source the whole ladder, and nothing above 1080p', () => {
    expect(ladderFor({ width: 1920, height: 1080 }).map((r) => r.name)).toEqual([
      '360p',
      '480p',
      '720p',
      '1080p',
    ]);
    expect(ladderFor({ width: 3840, height: 2160 }).map((r) => r.height)).toEqual([360, 480, 720, 1080]);
  });

  it('cuts between rungs: a 600-line source stops at 480p', () => {
    expect(ladderFor({ width: 1066, height: 600 }).map((r) => r.name)).toEqual(['360p', '480p']);
  });

  it('keeps a portrait source portrait, with even widths', () => {
    const ladder = ladderFor({ width: 720, height: 1280 });
    expect(ladder.map((r) => [r.width, r.height])).toEqual([
      [202, 360],
      [270, 480],
      [406, 720],
      [608, 1080],
    ]);
    for (const r of ladder) expect(r.width % 2).toBe(0);
  });

  it('encodes a source below the lowest rung once, at its own even size', () => {
    expect(ladderFor({ width: 427, height: 241 })).toEqual([
      { name: '242p', width: 428, height: 242, maxBitrate: LADDER[0].maxBitrate },
    ]);
  });

  it('refuses a source without a size', () => {
    expect(() => ladderFor({ width: 0, height: 720 })).toThrow(/no size/);
  });
});

describe('recordingJobRequest', () => {
  it('reads the upload and tags the job for the EventBridge rule', () => {
    const job = request(1280, 720);
    expect(job.Role).toBe('arn:aws:iam::111122223333:role/mc');
    expect(job.UserMetadata).toEqual({ service: JOB_SERVICE_TAG, streamId: STREAM });
    expect(job.StatusUpdateInterval).toBe('SECONDS_10');
    expect(job.Settings?.Inputs?.[0]?.FileInput).toBe(`s3://rec-bucket/uploads/${STREAM}/source.webm`);
    expect(job.Settings?.Inputs?.[0]?.AudioSelectors?.['Audio Selector 1']?.DefaultSelection).toBe('DEFAULT');
  });

  it('writes one CMAF group with both an HLS and a DASH manifest, 6 s segments of 2 s fragments', () => {
    const settings = groups(1280, 720).cmaf.OutputGroupSettings?.CmafGroupSettings;
    expect(settings).toMatchObject({
      Destination: `s3://rec-bucket/media/${STREAM}/index`,
      SegmentLength: 6,
      FragmentLength: 2,
      SegmentControl: 'SEGMENTED_FILES',
      WriteHlsManifest: 'ENABLED',
      WriteDashManifest: 'ENABLED',
      StreamInfResolution: 'INCLUDE',
      MpdManifestBandwidthType: 'MAX',
    });
  });

  it('encodes each rung as capped QVBR H.264 with a keyframe every fragment', () => {
    const outputs = videoOutputs(groups(1920, 1080).cmaf.Outputs);
    expect(outputs.map((o) => o.NameModifier)).toEqual(['_360p', '_480p', '_720p', '_1080p']);
    outputs.forEach((output, i) => {
      const rung = LADDER[i];
      expect(output.ContainerSettings?.Container).toBe('CMFC');
      expect(output.VideoDescription?.Height).toBe(rung?.height);
      const h264 = output.VideoDescription?.CodecSettings?.H264Settings;
      expect(output.VideoDescription?.CodecSettings?.Codec).toBe('H_264');
      expect(h264?.RateControlMode).toBe('QVBR');
      expect(h264?.MaxBitrate).toBe(rung?.maxBitrate);
      expect(h264?.QvbrSettings?.QvbrQualityLevel).toBe(rung?.qvbrLevel);
      expect([h264?.GopSize, h264?.GopSizeUnits]).toEqual([2, 'SECONDS']);
    });
  });

  it('has no 1080p output for a 720p source', () => {
    const heights = videoOutputs(groups(1280, 720).cmaf.Outputs).map((o) => o.VideoDescription?.Height);
    expect(heights).toEqual([360, 480, 720]);
  });

  it('carries one AAC audio rendition in its own CMAF output', () => {
    const audio = (groups(1280, 720).cmaf.Outputs ?? []).filter((o) => o.AudioDescriptions);
    expect(audio).toHaveLength(1);
    expect(audio[0]?.VideoDescription).toBeUndefined();
    expect(audio[0]?.AudioDescriptions?.[0]?.CodecSettings).toEqual({
      Codec: 'AAC',
      AacSettings: { Bitrate: AUDIO_BITRATE, CodingMode: 'CODING_MODE_2_0', SampleRate: 48_000 },
    });
  });

  it('captures a 360-line JPEG every 10 s into the thumbnails folder', () => {
    const { thumbs } = groups(1280, 720);
    expect(thumbs.OutputGroupSettings?.FileGroupSettings?.Destination).toBe(
      `s3://rec-bucket/media/${STREAM}/thumbnails/thumb`,
    );
    const video = thumbs.Outputs?.[0]?.VideoDescription;
    expect([video?.Width, video?.Height]).toEqual([640, 360]);
    expect(video?.CodecSettings?.FrameCaptureSettings).toMatchObject({
      FramerateNumerator: 1,
      FramerateDenominator: 10,
    });
  });

  it("writes nothing outside the stream's media/ folder", () => {
    const destinations = groups(1920, 1080).all.map(
      (g) =>
        g.OutputGroupSettings?.CmafGroupSettings?.Destination ??
        g.OutputGroupSettings?.FileGroupSettings?.Destination,
    );
    for (const d of destinations) expect(d?.startsWith(`s3://rec-bucket/media/${STREAM}/`)).toBe(true);
  });
});
