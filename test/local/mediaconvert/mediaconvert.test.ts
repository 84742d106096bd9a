import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateJobCommand,
  type CreateJobRequest,
  GetJobCommand,
  type Job,
  ProbeCommand,
} from '@aws-sdk/client-mediaconvert';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { EventBridgeEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingJobRequest } from '../../../functions/adapters/mediaconvert-job.ts';
import { AUDIO_BITRATE, LADDER } from '../../../functions/core/ladder.ts';
import { eventSources } from '../../../functions/manifest.ts';
import { ffprobePath } from '../../../local/mediaconvert/ffmpeg.ts';
import { BUCKET, type MediaRig, recordedClip, startMediaRig } from '../media-harness.ts';

const run = promisify(execFile);
const ROLE = 'arn:aws:iam::000000000000:role/local-mediaconvert';
const SECONDS = 7;
const rule = eventSources.find((source) => source.kind === 'eventbridge');

interface OutputDetail {
  durationInMs: number;
  outputFilePaths?: string[];
  videoDetails?: { widthInPx: number; heightInPx: number };
}

/** The slice of a job event's detail the tests read. */
interface JobDetail {
  status: string;
  jobId: string;
  userMetadata?: Record<string, string>;
  jobProgress?: { jobPercentComplete: number; currentPhase: string };
  outputGroupDetails?: { type: string; outputDetails: OutputDetail[] }[];
  errorCode?: number;
  errorMessage?: string;
}

type JobEvent = EventBridgeEvent<'MediaConvert Job State Change', JobDetail>;

interface Probed {
  streams: Record<string, unknown>[];
  frames?: { key_frame: number; pts_time: string }[];
}

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => ({ name: 'ok', status: 200, message: '' }),
    (err: Error & { $metadata?: { httpStatusCode?: number } }) => ({
      name: err.name,
      status: err.$metadata?.httpStatusCode,
      message: err.message,
    }),
  );

/** ffprobe of some bytes: streams, and the video's key frame times. */
async function ffprobe(bytes: Uint8Array, extra: string[] = []): Promise<Probed> {
  const dir = await mkdtemp(join(tmpdir(), 'dreamx-probe-'));
  try {
    const file = join(dir, 'media');
    await writeFile(file, bytes);
    const { stdout } = await run(ffprobePath(), ['-v', 'error', ...extra, '-of', 'json', file]);
    return JSON.parse(stdout) as Probed;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('MediaConvert stand-in', () => {
  let rig: MediaRig;
  let clip: Buffer;
  const streamId = randomUUID();
  const sourceKey = `uploads/${streamId}/source.webm`;
  const media = (path: string) => fetch(`${rig.url}/media/${streamId}/${path}`);
  const bytesOf = async (path: string) => new Uint8Array(await (await media(path)).arrayBuffer());
  const jobEvents = (jobId: string) =>
    rig.invocations
      .filter((i) => i.handler === 'recordingJobState' && (i.event as JobEvent).detail.jobId === jobId)
      .map((i) => i.event as JobEvent);

  const request = (overrides: Partial<Parameters<typeof recordingJobRequest>[0]> = {}) =>
    recordingJobRequest({
      streamId,
      bucket: BUCKET,
      sourceKey,
      source: { width: 1280, height: 720 },
      roleArn: ROLE,
      ...overrides,
    });

  beforeAll(async () => {
    if (rule?.kind !== 'eventbridge') throw new Error('the manifest has no eventbridge source');
    rig = await startMediaRig({
      eventSources: [rule, { handler: 'canceledOnly', pattern: { detail: { status: ['CANCELED'] } } }],
    });
    clip = await recordedClip({ seconds: SECONDS, width: 1280, height: 720 });
    await rig.client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: sourceKey, Body: clip, ContentType: 'video/webm' }),
    );
  });
  afterAll(() => rig?.close());

  it('probes a recording: container, duration, video and audio tracks, object metadata', async () => {
    const out = await rig.mediaConvertClient.send(
      new ProbeCommand({ InputFiles: [{ FileUrl: `s3://${BUCKET}/${sourceKey}` }] }),
    );

    const [result] = out.ProbeResults ?? [];
    expect(result?.Container).toMatchObject({
      Format: 'webm',
      Tracks: [
        {
          Index: 1,
          TrackType: 'video',
          Codec: 'VP8',
          VideoProperties: { Width: 1280, Height: 720, FrameRate: { Numerator: 30, Denominator: 1 } },
        },
        {
          Index: 2,
          TrackType: 'audio',
          Codec: 'OPUS',
          AudioProperties: { SampleRate: 48000, Channels: 1 },
        },
      ],
    });
    expect(Math.abs((result?.Container?.Duration ?? 0) - SECONDS)).toBeLessThan(0.1);
    expect(result?.Metadata).toMatchObject({
      FileSize: clip.length,
      ETag: createHash('md5').update(clip).digest('hex'),
      MimeType: 'video/webm',
    });
  });

  it('probes a file it cannot read as a container without format or tracks, a missing one as a 400', async () => {
    const key = `uploads/${randomUUID()}/source.webm`;
    await rig.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'not a video at all' }));
    const unreadable = await rig.mediaConvertClient.send(
      new ProbeCommand({ InputFiles: [{ FileUrl: `s3://${BUCKET}/${key}` }] }),
    );
    const missing = await errorOf(
      rig.mediaConvertClient.send(
        new ProbeCommand({ InputFiles: [{ FileUrl: `s3://${BUCKET}/uploads/none.webm` }] }),
      ),
    );

    expect(unreadable.ProbeResults?.[0]?.Container).toEqual({ Tracks: [] });
    expect(missing).toMatchObject({ name: 'BadRequestException', status: 400 });
  });

  describe('a recording job', () => {
    let job: Job | undefined;
    let done: Job | undefined;

    beforeAll(async () => {
      job = (await rig.mediaConvertClient.send(new CreateJobCommand(request()))).Job;
      await rig.mediaConvert.idle();
      done = (await rig.mediaConvertClient.send(new GetJobCommand({ Id: job?.Id }))).Job;
    });

    it('is answered as MediaConvert answers CreateJob, then found COMPLETE by GetJob', () => {
      expect(job).toMatchObject({
        Id: expect.stringMatching(/^\d{13}-[0-9a-z]{6}$/),
        Status: 'SUBMITTED',
        Role: ROLE,
        Queue: 'arn:aws:mediaconvert:us-east-1:000000000000:queues/Default',
        UserMetadata: { service: 'dreamx-livestream', streamId },
        StatusUpdateInterval: 'SECONDS_10',
      });
      expect(job?.Arn).toBe(`arn:aws:mediaconvert:us-east-1:000000000000:jobs/${job?.Id}`);
      expect(job?.CreatedAt).toBeInstanceOf(Date);
      expect(job?.Settings).toEqual(request().Settings);
      expect(done).toMatchObject({ Id: job?.Id, Status: 'COMPLETE' });
      expect(done?.OutputGroupDetails?.map((g) => g.OutputDetails?.length)).toEqual([4, 1]);
      expect(rig.errors).toEqual([]);
    });

    it('sends PROGRESSING, STATUS_UPDATEs with progress, then COMPLETE with the output details', () => {
      const events = jobEvents(job?.Id ?? '');
      const statuses = events.map((e) => e.detail.status);

      expect(statuses[0]).toBe('PROGRESSING');
      expect(statuses.at(-1)).toBe('COMPLETE');
      expect(statuses.slice(1, -1).length).toBeGreaterThanOrEqual(1);
      expect(new Set(statuses.slice(1, -1))).toEqual(new Set(['STATUS_UPDATE']));
      for (const event of events) {
        expect(event).toMatchObject({
          version: '0',
          'detail-type': 'MediaConvert Job State Change',
          source: 'aws.mediaconvert',
          account: '000000000000',
          region: 'us-east-1',
          resources: [job?.Arn],
          detail: {
            jobId: job?.Id,
            accountId: '000000000000',
            queue: 'arn:aws:mediaconvert:us-east-1:000000000000:queues/Default',
            userMetadata: { service: 'dreamx-livestream', streamId },
          },
        });
        expect(event.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      }
      const percents = events.slice(1, -1).map((e) => e.detail.jobProgress?.jobPercentComplete ?? -1);
      expect(percents).toEqual([...percents].sort((a, b) => a - b));
      expect(events[1]?.detail.jobProgress).toMatchObject({
        currentPhase: 'TRANSCODING',
        phaseProgress: { PROBING: { status: 'COMPLETE', percentComplete: 100 } },
      });

      const complete = events.at(-1)?.detail;
      const media = `s3://${BUCKET}/media/${streamId}`;
      expect(complete?.outputGroupDetails).toEqual([
        {
          type: 'CMAF_GROUP',
          playlistFilePaths: [`${media}/index.mpd`, `${media}/index.m3u8`],
          outputDetails: [
            { durationInMs: expect.any(Number), videoDetails: { widthInPx: 640, heightInPx: 360 } },
            { durationInMs: expect.any(Number), videoDetails: { widthInPx: 854, heightInPx: 480 } },
            { durationInMs: expect.any(Number), videoDetails: { widthInPx: 1280, heightInPx: 720 } },
            { durationInMs: expect.any(Number) },
          ],
        },
        {
          type: 'FILE_GROUP',
          outputDetails: [
            {
              outputFilePaths: [`${media}/thumbnails/thumb.0000000.jpg`],
              durationInMs: expect.any(Number),
              videoDetails: { widthInPx: 640, heightInPx: 360 },
            },
          ],
        },
      ]);
      for (const output of complete?.outputGroupDetails?.[0]?.outputDetails ?? []) {
        expect(Math.abs(output.durationInMs - SECONDS * 1000)).toBeLessThanOrEqual(500);
      }
      // Only the rule whose pattern matches is invoked.
      expect(rig.invocations.some((i) => i.handler === 'canceledOnly')).toBe(false);
    });

    it('writes an HLS master listing every rendition at its peak bandwidth, resolution and codecs', async () => {
      const res = await media('index.m3u8');
      const master = await res.text();
      const variants = [...master.matchAll(/#EXT-X-STREAM-INF:([^\n]+)\n([^\n]+)/g)].map(
        ([, attrs = '', uri]) => ({
          uri,
          bandwidth: Number(/(?:^|,)BANDWIDTH=(\d+)/.exec(attrs)?.[1]),
          average: Number(/AVERAGE-BANDWIDTH=(\d+)/.exec(attrs)?.[1]),
          resolution: /RESOLUTION=(\d+x\d+)/.exec(attrs)?.[1],
          codecs: /CODECS="([^"]+)"/.exec(attrs)?.[1],
        }),
      );

      expect(res.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
      expect(master).toMatch(/^#EXTM3U\n/);
      expect(master).toMatch(/#EXT-X-MEDIA:TYPE=AUDIO,[^\n]*URI="index_audio.m3u8"/);
      const rungs = LADDER.filter((rung) => rung.height <= 720);
      expect(variants.map(({ uri, bandwidth, resolution }) => ({ uri, bandwidth, resolution }))).toEqual(
        rungs.map((rung) => ({
          uri: `index_${rung.name}.m3u8`,
          bandwidth: rung.maxBitrate + AUDIO_BITRATE,
          resolution: `${Math.round((rung.height * 16) / 9 / 2) * 2}x${rung.height}`,
        })),
      );
      for (const variant of variants) {
        expect(variant.codecs).toMatch(/^avc1\.64[0-9a-f]{4},mp4a\.40\.2$/);
        // The advertised peak is never below what was measured.
        expect(variant.average).toBeLessThanOrEqual(variant.bandwidth);
      }
    });

    it('cuts media playlists into SegmentLength segments lasting as long as the source', async () => {
      for (const name of ['index_360p', 'index_480p', 'index_720p', 'index_audio']) {
        const playlist = await (await media(`${name}.m3u8`)).text();
        const durations = [...playlist.matchAll(/^#EXTINF:([\d.]+),/gm)].map(([, d]) => Number(d));
        const ext = name === 'index_audio' ? 'cmfa' : 'cmfv';

        expect(playlist).toContain(`#EXT-X-MAP:URI="${name}_init.${ext}"`);
        expect(playlist).toContain(`${name}_00001.${ext}`);
        expect(playlist).toContain('#EXT-X-ENDLIST');
        expect(playlist).not.toContain('PROGRAM-DATE-TIME');
        expect(durations).toHaveLength(2);
        expect(Math.abs((durations[0] ?? 0) - 6)).toBeLessThan(0.1);
        expect(Math.abs(durations.reduce((a, b) => a + b, 0) - SECONDS)).toBeLessThanOrEqual(0.5);
      }
    });

    it('writes a DASH manifest with one Representation per rendition at its MaxBitrate, and the audio', async () => {
      const res = await media('index.mpd');
      const mpd = await res.text();
      const sets = [
        ...mpd.matchAll(/<AdaptationSet\b[^>]*contentType="(\w+)"[^>]*>([\s\S]*?)<\/AdaptationSet>/g),
      ];
      const reps = (body: string) =>
        [...body.matchAll(/<Representation\b([^>]*)>/g)].map(([, attrs = '']) =>
          Object.fromEntries(
            ['width', 'height', 'bandwidth', 'codecs'].flatMap((name) => {
              const value = new RegExp(`\\s${name}="([^"]*)"`).exec(attrs)?.[1];
              return value === undefined ? [] : [[name, /^\d+$/.test(value) ? Number(value) : value]];
            }),
          ),
        );

      expect(res.headers.get('content-type')).toBe('application/dash+xml');
      expect(sets.map(([, type]) => type)).toEqual(['video', 'audio']);
      expect(reps(sets[0]?.[2] ?? '')).toEqual([
        { width: 640, height: 360, bandwidth: 1_000_000, codecs: expect.stringMatching(/^avc1\./) },
        { width: 854, height: 480, bandwidth: 1_800_000, codecs: expect.stringMatching(/^avc1\./) },
        { width: 1280, height: 720, bandwidth: 3_500_000, codecs: expect.stringMatching(/^avc1\./) },
      ]);
      expect(reps(sets[1]?.[2] ?? '')).toEqual([{ bandwidth: AUDIO_BITRATE, codecs: 'mp4a.40.2' }]);
      expect(mpd).toContain('media="index_720p_$Number%05d$.cmfv"');
      const seconds = Number(/mediaPresentationDuration="PT([\d.]+)S"/.exec(mpd)?.[1]);
      expect(Math.abs(seconds - SECONDS)).toBeLessThanOrEqual(0.5);
    });

    it('makes fMP4 segments ffprobe decodes: the rendition size, a keyframe every GopSize, 2 s fragments', async () => {
      const init = await bytesOf('index_720p_init.cmfv');
      const first = await bytesOf('index_720p_00001.cmfv');
      const joined = new Uint8Array([...init, ...first]);
      const info = await ffprobe(joined, [
        '-show_streams',
        '-show_entries',
        'frame=pts_time,key_frame',
        '-select_streams',
        'v',
      ]);
      const keyframes = (info.frames as { key_frame: number; pts_time: string }[])
        .filter((f) => f.key_frame === 1)
        .map((f) => Math.round(Number(f.pts_time) * 10) / 10);

      expect(info.streams[0]).toMatchObject({
        codec_name: 'h264',
        width: 1280,
        height: 720,
        profile: 'High',
      });
      expect(info.frames).toHaveLength(180);
      expect(keyframes).toEqual([0, 2, 4]);
      expect(Buffer.from(first).toString('latin1').split('moof').length - 1).toBe(3);
      const audio = await ffprobe(
        new Uint8Array([
          ...(await bytesOf('index_audio_init.cmfa')),
          ...(await bytesOf('index_audio_00001.cmfa')),
        ]),
        ['-show_streams'],
      );
      expect(audio.streams[0]).toMatchObject({ codec_name: 'aac', sample_rate: '48000', channels: 2 });
    });

    it('captures thumbnails at the output size, first frame first', async () => {
      const res = await media('thumbnails/thumb.0000000.jpg');
      const info = await ffprobe(new Uint8Array(await res.arrayBuffer()), ['-show_streams']);

      expect(res.headers.get('content-type')).toBe('image/jpeg');
      expect(info.streams[0]).toMatchObject({ codec_name: 'mjpeg', width: 640, height: 360 });
      expect((await media('thumbnails/thumb.0000001.jpg')).status).toBe(404);
    });
  });

  it('captures a thumbnail every FramerateDenominator/FramerateNumerator seconds, at most MaxCaptures', async () => {
    const smallId = randomUUID();
    const key = `uploads/${smallId}/source.webm`;
    await rig.client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: key,
        Body: await recordedClip({ seconds: 5, width: 320, height: 240 }),
      }),
    );
    const settings = recordingJobRequest({
      streamId: smallId,
      bucket: BUCKET,
      sourceKey: key,
      source: { width: 320, height: 240 },
      roleArn: ROLE,
    });
    const capture =
      settings.Settings?.OutputGroups?.[1]?.Outputs?.[0]?.VideoDescription?.CodecSettings
        ?.FrameCaptureSettings;
    if (!capture) throw new Error('no frame capture output');
    Object.assign(capture, { FramerateNumerator: 1, FramerateDenominator: 2, MaxCaptures: 2 });
    const { Job: small } = await rig.mediaConvertClient.send(new CreateJobCommand(settings));
    await rig.mediaConvert.idle();
    const thumb = (n: number) => fetch(`${rig.url}/media/${smallId}/thumbnails/thumb.000000${n}.jpg`);
    const complete = jobEvents(small?.Id ?? '').at(-1)?.detail;

    expect(complete?.status).toBe('COMPLETE');
    expect((await thumb(0)).status).toBe(200);
    expect((await thumb(1)).status).toBe(200);
    expect((await thumb(2)).status).toBe(404);
    expect(complete?.outputGroupDetails?.[1]?.outputDetails[0]?.outputFilePaths).toEqual([
      `s3://${BUCKET}/media/${smallId}/thumbnails/thumb.0000001.jpg`,
    ]);
    // Below the lowest rung: one rendition at the source's size.
    expect(complete?.outputGroupDetails?.[0]?.outputDetails[0]?.videoDetails).toEqual({
      widthInPx: 320,
      heightInPx: 240,
    });
  });

  it('refuses settings the local transcoder cannot honor with a 400 naming the setting', async () => {
    const variants: [string, (job: CreateJobRequest) => void, string][] = [
      [
        'single-file CMAF',
        (job) => {
          const cmaf = job.Settings?.OutputGroups?.[0]?.OutputGroupSettings?.CmafGroupSettings;
          if (cmaf) cmaf.SegmentControl = 'SINGLE_FILE';
        },
        '/settings/outputGroups/0/outputGroupSettings/cmafGroupSettings/segmentControl: "SINGLE_FILE" is not supported',
      ],
      [
        'HEVC',
        (job) => {
          const video = job.Settings?.OutputGroups?.[0]?.Outputs?.[0]?.VideoDescription?.CodecSettings;
          if (video) video.Codec = 'H_265';
        },
        '/settings/outputGroups/0/outputs/0/videoDescription/codecSettings/codec: "H_265" is not supported',
      ],
      [
        'an unknown setting',
        (job) => {
          const h264 =
            job.Settings?.OutputGroups?.[0]?.Outputs?.[1]?.VideoDescription?.CodecSettings?.H264Settings;
          if (h264) h264.NumberBFramesBetweenReferenceFrames = 0;
        },
        '/settings/outputGroups/0/outputs/1/videoDescription/codecSettings/h264Settings/numberBFramesBetweenReferenceFrames is not supported',
      ],
      [
        'an HLS group',
        (job) => {
          const group = job.Settings?.OutputGroups?.[0]?.OutputGroupSettings;
          if (group) group.Type = 'HLS_GROUP_SETTINGS';
        },
        '/settings/outputGroups/0: outputGroupSettings/type "HLS_GROUP_SETTINGS" is not supported',
      ],
    ];
    for (const [what, change, message] of variants) {
      const job = request();
      change(job);
      const result = await errorOf(rig.mediaConvertClient.send(new CreateJobCommand(job)));
      expect(result, what).toMatchObject({ name: 'BadRequestException', status: 400 });
      expect(result.message, what).toContain(message);
    }
  });

  it('fails a job on a corrupt source with ERROR 1010 and the reason', async () => {
    const badId = randomUUID();
    const key = `uploads/${badId}/source.webm`;
    // Junk, then a slice from the middle of a real recording: no parser takes it.
    await rig.client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: key,
        Body: Buffer.concat([Buffer.from('junk'), clip.subarray(1024, 4096)]),
      }),
    );
    const { Job: bad } = await rig.mediaConvertClient.send(
      new CreateJobCommand(request({ streamId: badId, sourceKey: key })),
    );
    await rig.mediaConvert.idle();
    const events = jobEvents(bad?.Id ?? '');
    const described = (await rig.mediaConvertClient.send(new GetJobCommand({ Id: bad?.Id }))).Job;

    expect(events.map((e) => e.detail.status)).toEqual(['PROGRESSING', 'ERROR']);
    expect(events[1]?.detail).toMatchObject({
      errorCode: 1010,
      errorMessage: expect.stringContaining(`Unable to open input file [s3://${BUCKET}/${key}]`),
      userMetadata: { streamId: badId },
    });
    expect(described).toMatchObject({ Status: 'ERROR', ErrorCode: 1010 });
    expect(
      await errorOf(rig.mediaConvertClient.send(new GetJobCommand({ Id: 'no-such-job' }))),
    ).toMatchObject({
      name: 'NotFoundException',
      status: 404,
    });
  });
});
