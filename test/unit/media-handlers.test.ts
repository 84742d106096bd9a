/**
 * The media event handlers as Lambda runs them: real handler modules over dynalite, with
 * MediaConvert (which cannot run here) mocked at the SDK client.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateJobCommand,
  MediaConvertClient,
  ProbeCommand,
  type ProbeCommandOutput,
} from '@aws-sdk/client-mediaconvert';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, EventBridgeEvent, S3Event } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recordingJobRequest } from '../../functions/adapters/mediaconvert-job.ts';
import type { StreamRecord } from '../../functions/core/model.ts';
import type { JobStateDetail } from '../../functions/core/recording-pipeline.ts';
import { handlers } from '../../functions/manifest.ts';
import { type LocalDynamo, startDynamo } from '../../local/dynamodb/dynamo.ts';
import { manifestEnvironment } from '../support/handler-env.ts';

const BUCKET = 'rec-bucket';
const ROLE = 'arn:aws:iam::111122223333:role/mediaconvert';
const CDN = 'https://d111111abcdef8.cloudfront.net';
const context = { awsRequestId: 'req-1' } as Context;

let dynamo: LocalDynamo;
let db: DynamoDBDocumentClient;
let transcode: (event: S3Event, context: Context) => Promise<void>;
let jobState: (event: EventBridgeEvent<string, JobStateDetail>, context: Context) => Promise<void>;
const mediaconvert = mockClient(MediaConvertClient);

beforeAll(async () => {
  dynamo = await startDynamo({});
  Object.assign(process.env, manifestEnvironment(handlers.transcodeRecording), {
    RECORDINGS_BUCKET: BUCKET,
    MEDIACONVERT_ROLE_ARN: ROLE,
    STREAMS_TABLE: 'Livestreams',
    MEDIA_BASE_URL: CDN,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
  db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamo.endpoint }));
  transcode = (await import('../../functions/media/transcode-recording.ts')).handler;
  jobState = (await import('../../functions/media/recording-job-state.ts')).handler;
});
afterAll(() => dynamo.close());
beforeEach(() => mediaconvert.reset());

let streamCount = 0;
/** A stream that ended with its upload completed (as the complete endpoint leaves it). */
async function uploadedStream(): Promise<{ streamId: string; key: string }> {
  const streamId = `0b9e4c1e-6a35-4c8e-9d43-${String(++streamCount).padStart(12, '0')}`;
  const key = `uploads/${streamId}/source.webm`;
  const stream: StreamRecord = {
    streamId,
    ownerId: 'alice',
    title: 'Recorded',
    description: '',
    recordingEnabled: true,
    status: 'ended',
    maxViewers: 50,
    viewerCount: 0,
    peakViewers: 3,
    totalViews: 3,
    createdAt: 1,
    endedAt: 2,
    recording: {
      status: 'processing',
      contentType: 'video/webm',
      sourceKey: key,
      openedAt: 1,
      uploadedAt: 2,
      sizeBytes: 20_000_000,
      progress: 0,
    },
  };
  await db.send(new PutCommand({ TableName: 'Livestreams', Item: stream }));
  return { streamId, key };
}

const recordingOf = async (streamId: string) =>
  ((await db.send(new GetCommand({ TableName: 'Livestreams', Key: { streamId } }))).Item as StreamRecord)
    .recording;

const s3Event = (key: string): S3Event =>
  ({
    Records: [
      {
        eventName: 'ObjectCreated:CompleteMultipartUpload',
        s3: {
          bucket: { name: BUCKET },
          object: { key: encodeURIComponent(key).replaceAll('%2F', '/'), size: 20_000_000 },
        },
      },
    ],
  }) as unknown as S3Event;

const probeOf = (width: number, height: number): ProbeCommandOutput => ({
  $metadata: {},
  ProbeResults: [
    {
      Container: {
        Format: 'webm',
        Duration: 12.04,
        Tracks: [
          { TrackType: 'video', Codec: 'VP8', VideoProperties: { Width: width, Height: height } },
          { TrackType: 'audio', Codec: 'OPUS' },
        ],
      },
    },
  ],
});

const jobEvent = (streamId: string, detail: Partial<JobStateDetail>) =>
  ({
    'detail-type': 'MediaConvert Job State Change',
    source: 'aws.mediaconvert',
    detail: { jobId: 'job-1', userMetadata: { service: 'dreamx-livestream', streamId }, ...detail },
  }) as EventBridgeEvent<string, JobStateDetail>;

describe('transcodeRecording (S3 ObjectCreated)', () => {
  it('probes the upload and submits exactly the job settings for its size', async () => {
    const { streamId, key } = await uploadedStream();
    mediaconvert.on(ProbeCommand).resolves(probeOf(1280, 720));
    mediaconvert.on(CreateJobCommand).resolves({ Job: { Id: 'job-1', Role: ROLE, Settings: {} } });
    await transcode(s3Event(key), context);

    expect(mediaconvert.commandCalls(ProbeCommand)[0]?.args[0].input).toEqual({
      InputFiles: [{ FileUrl: `s3://${BUCKET}/${key}` }],
    });
    const calls = mediaconvert.commandCalls(CreateJobCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual(
      recordingJobRequest({
        streamId,
        bucket: BUCKET,
        sourceKey: key,
        source: { width: 1280, height: 720 },
        roleArn: ROLE,
      }),
    );
    const recording = await recordingOf(streamId);
    expect(recording).toMatchObject({ status: 'processing', jobId: 'job-1', progress: 0 });
    expect(recording?.renditions?.map((r) => r.name)).toEqual(['360p', '480p', '720p']);
  });

  it('submits nothing for a redelivered event once the job exists', async () => {
    const { key } = await uploadedStream();
    mediaconvert.on(ProbeCommand).resolves(probeOf(1920, 1080));
    mediaconvert.on(CreateJobCommand).resolves({ Job: { Id: 'job-1', Role: ROLE, Settings: {} } });
    await transcode(s3Event(key), context);
    await transcode(s3Event(key), context);
    expect(mediaconvert.commandCalls(CreateJobCommand)).toHaveLength(1);
  });

  it('fails the recording, without a job, when Probe finds no video', async () => {
    const { streamId, key } = await uploadedStream();
    mediaconvert
      .on(ProbeCommand)
      .rejects(Object.assign(new Error('unsupported input'), { name: 'BadRequestException', $metadata: {} }));
    await transcode(s3Event(key), context);
    expect(mediaconvert.commandCalls(CreateJobCommand)).toHaveLength(0);
    expect(await recordingOf(streamId)).toMatchObject({
      status: 'failed',
      failure: { code: 'SOURCE_UNREADABLE' },
    });
  });

  it('ignores objects that are not a recording upload', async () => {
    await transcode(s3Event('uploads/not-a-stream/source.webm'), context);
    expect(mediaconvert.calls()).toHaveLength(0);
  });

  it('lets a MediaConvert outage throw, so Lambda retries the event', async () => {
    const { streamId, key } = await uploadedStream();
    mediaconvert.on(ProbeCommand).resolves(probeOf(1280, 720));
    mediaconvert
      .on(CreateJobCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'TooManyRequestsException', $metadata: {} }));
    await expect(transcode(s3Event(key), context)).rejects.toThrow(/slow down/);
    expect(await recordingOf(streamId)).toMatchObject({ status: 'processing' });
    expect((await recordingOf(streamId))?.jobId).toBeUndefined();
  });
});

describe('recordingJobState (EventBridge)', () => {
  async function submitted() {
    const { streamId, key } = await uploadedStream();
    mediaconvert.on(ProbeCommand).resolves(probeOf(1280, 720));
    mediaconvert.on(CreateJobCommand).resolves({ Job: { Id: 'job-1', Role: ROLE, Settings: {} } });
    await transcode(s3Event(key), context);
    return streamId;
  }

  it('stores progress, never moving it back', async () => {
    const streamId = await submitted();
    await jobState(
      jobEvent(streamId, { status: 'STATUS_UPDATE', jobProgress: { jobPercentComplete: 40 } }),
      context,
    );
    await jobState(
      jobEvent(streamId, { status: 'STATUS_UPDATE', jobProgress: { jobPercentComplete: 25 } }),
      context,
    );
    expect((await recordingOf(streamId))?.progress).toBe(40);
  });

  it('marks the recording ready with the CDN URLs and the duration', async () => {
    const streamId = await submitted();
    const outputs = [360, 480, 720].map((h) => ({ durationInMs: 12_040, videoDetails: { heightInPx: h } }));
    await jobState(
      jobEvent(streamId, {
        status: 'COMPLETE',
        outputGroupDetails: [
          { type: 'CMAF_GROUP', outputDetails: [...outputs, { durationInMs: 12_050 }] },
          { type: 'FILE_GROUP', outputDetails: [{ durationInMs: 1 }] },
        ],
      }),
      context,
    );
    expect(await recordingOf(streamId)).toMatchObject({
      status: 'ready',
      progress: 100,
      durationSeconds: 12.05,
      playbackUrl: `${CDN}/${streamId}/index.m3u8`,
      dashUrl: `${CDN}/${streamId}/index.mpd`,
      thumbnailUrl: `${CDN}/${streamId}/thumbnails/thumb.0000000.jpg`,
    });
    // A late progress event must not drag a ready recording back.
    await jobState(
      jobEvent(streamId, { status: 'STATUS_UPDATE', jobProgress: { jobPercentComplete: 90 } }),
      context,
    );
    expect(await recordingOf(streamId)).toMatchObject({ status: 'ready', progress: 100 });
  });

  it("marks it failed with MediaConvert's code and message", async () => {
    const streamId = await submitted();
    await jobState(
      jobEvent(streamId, { status: 'ERROR', errorCode: 1010, errorMessage: 'Unable to open input' }),
      context,
    );
    expect(await recordingOf(streamId)).toMatchObject({
      status: 'failed',
      failure: { code: 'TRANSCODE_FAILED', message: 'MediaConvert error 1010: Unable to open input' },
    });
  });

  it('ignores events of another job, or for no stream of ours', async () => {
    const streamId = await submitted();
    await jobState(
      {
        ...jobEvent(streamId, { status: 'ERROR' }),
        detail: { ...jobEvent(streamId, { status: 'ERROR' }).detail, jobId: 'job-2' },
      },
      context,
    );
    await jobState(jobEvent('0b9e4c1e-6a35-4c8e-9d43-ffffffffffff', { status: 'COMPLETE' }), context);
    expect(await recordingOf(streamId)).toMatchObject({ status: 'processing', jobId: 'job-1' });
  });
});
