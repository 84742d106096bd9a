/**
 * Which replay a stream serves (docs/live.md, "Replay"): the live ladder's replay.m3u8 from the
 * moment a stream with one ends, the transcoded ladder once ready, nothing before the end. The
 * same choice in `GET …/recording` and the stream's public summary; the whole path on the local
 * stack is test/integration/live-finish.
 */
import { describe, expect, it } from 'vitest';
import { type StreamRecord, toPublicStream } from '../../functions/core/model.ts';
import { getRecording } from '../../functions/core/recording-archive.ts';
import type { RecordingState } from '../../functions/core/recording-model.ts';
import { replayOf } from '../../functions/core/replay.ts';

const CDN = 'https://d111111abcdef8.cloudfront.net';
const ID = '0b9e4c1e-6a35-4c8e-9d43-2f1f0e6a7b10';
const LIVE_REPLAY = `${CDN}/live/${ID}/replay.m3u8`;
const TRANSCODED = `${CDN}/${ID}/index.m3u8`;

const stream = (over: Partial<StreamRecord> = {}): StreamRecord => ({
  streamId: ID,
  ownerId: 'alice',
  title: 't',
  description: '',
  recordingEnabled: true,
  status: 'ended',
  maxViewers: 50,
  viewerCount: 0,
  peakViewers: 2,
  totalViews: 2,
  createdAt: Date.UTC(2026, 11, 3, 17, 0),
  startedAt: Date.UTC(2026, 11, 3, 17, 1),
  endedAt: Date.UTC(2026, 11, 3, 18, 0),
  ladderKbps: 2900,
  ...over,
});

const recording = (status: RecordingState['status'], over: Partial<RecordingState> = {}): RecordingState => ({
  status,
  contentType: 'video/webm',
  sourceKey: `uploads/${ID}/source.webm`,
  openedAt: Date.UTC(2026, 11, 3, 17, 1),
  ...(status === 'processing' && { progress: 40, jobId: 'job-1' }),
  ...(status === 'ready' && {
    playbackUrl: TRANSCODED,
    dashUrl: `${CDN}/${ID}/index.mpd`,
    thumbnailUrl: `${CDN}/${ID}/thumbnails/thumb.0000000.jpg`,
    durationSeconds: 3540,
  }),
  ...over,
});

const deps = (row: StreamRecord | undefined) => ({
  streams: { get: async () => row },
  limits: { maxBytes: 1024, uploadWindowMs: 900_000 },
  mediaBaseUrl: CDN,
});

describe('replayOf', () => {
  it('is the live replay from the end of a stream with a live ladder, the transcoded one once ready', () => {
    expect(replayOf(stream(), CDN)).toEqual({ source: 'live', playbackUrl: LIVE_REPLAY });
    for (const status of ['uploading', 'processing', 'failed'] as const) {
      expect(replayOf(stream({ recording: recording(status) }), CDN)).toEqual({
        source: 'live',
        playbackUrl: LIVE_REPLAY,
      });
    }
    expect(replayOf(stream({ recording: recording('ready') }), CDN)).toEqual({
      source: 'transcoded',
      playbackUrl: TRANSCODED,
    });
    // No live ladder: the transcoded one or nothing, as before.
    expect(
      replayOf(stream({ ladderKbps: undefined, recording: recording('processing') }), CDN),
    ).toBeUndefined();
    expect(replayOf(stream({ ladderKbps: undefined, recording: recording('ready') }), CDN)?.source).toBe(
      'transcoded',
    );
  });

  it('is nothing while the stream is live or not started, once deleted, or when recording was off', () => {
    expect(replayOf(stream({ status: 'live', endedAt: undefined }), CDN)).toBeUndefined();
    expect(
      replayOf(stream({ status: 'created', startedAt: undefined, endedAt: undefined }), CDN),
    ).toBeUndefined();
    expect(replayOf(stream({ recording: recording('deleted') }), CDN)).toBeUndefined();
    expect(replayOf(stream({ recordingEnabled: false }), CDN)).toBeUndefined();
  });
});

describe('GET …/recording (getRecording)', () => {
  it('serves the live replay of an ended stream with a live ladder and no server recording', async () => {
    expect(await getRecording(deps(stream()), ID)).toEqual({
      streamId: ID,
      status: 'ready',
      contentType: 'video/mp4',
      progress: 100,
      openedAt: '2026-12-03T17:01:00.000Z',
      uploadDeadline: null,
      uploadedAt: null,
      sizeBytes: null,
      playbackUrl: LIVE_REPLAY,
      dashUrl: null,
      thumbnailUrl: null,
      durationSeconds: null,
      renditions: [],
      failure: null,
      source: 'live',
    });
  });

  it('serves the live replay while the transcode runs (its state unchanged), then the transcoded one', async () => {
    const processing = await getRecording(deps(stream({ recording: recording('processing') })), ID);
    expect(processing).toMatchObject({
      status: 'processing',
      progress: 40,
      playbackUrl: LIVE_REPLAY,
      dashUrl: null,
      source: 'live',
    });
    const ready = await getRecording(deps(stream({ recording: recording('ready') })), ID);
    expect(ready).toMatchObject({
      status: 'ready',
      playbackUrl: TRANSCODED,
      dashUrl: `${CDN}/${ID}/index.mpd`,
      source: 'transcoded',
    });
  });

  it('shows no replay while live, 404s as before for a stream with neither, and for an unknown one', async () => {
    const live = await getRecording(
      deps(stream({ status: 'live', endedAt: undefined, recording: recording('uploading') })),
      ID,
    );
    expect(live).toMatchObject({ status: 'uploading', playbackUrl: null, source: null });
    await expect(
      getRecording(deps(stream({ status: 'live', endedAt: undefined })), ID),
    ).rejects.toMatchObject({
      code: 'RECORDING_NOT_FOUND',
    });
    await expect(getRecording(deps(stream({ ladderKbps: undefined })), ID)).rejects.toMatchObject({
      code: 'RECORDING_NOT_FOUND',
    });
    await expect(getRecording(deps(undefined), ID)).rejects.toMatchObject({ code: 'STREAM_NOT_FOUND' });
  });
});

describe("the stream's public recording summary", () => {
  it('names the same replay as GET …/recording', () => {
    expect(toPublicStream(stream(), 0, CDN).recording).toEqual({
      status: 'ready',
      playbackUrl: LIVE_REPLAY,
      thumbnailUrl: null,
      durationSeconds: null,
      source: 'live',
    });
    expect(toPublicStream(stream({ recording: recording('processing') }), 0, CDN).recording).toMatchObject({
      status: 'processing',
      playbackUrl: LIVE_REPLAY,
      source: 'live',
    });
    expect(toPublicStream(stream({ recording: recording('ready') }), 0, CDN).recording).toMatchObject({
      status: 'ready',
      playbackUrl: TRANSCODED,
      source: 'transcoded',
    });
    expect(toPublicStream(stream({ status: 'live', endedAt: undefined }), 0, CDN).recording).toBeNull();
    expect(toPublicStream(stream({ ladderKbps: undefined }), 0, CDN).recording).toBeNull();
  });
});
