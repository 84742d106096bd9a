/**
 * The Broadcaster's recording upload in Node: a MediaRecorder test double hands out slices of a
 * real WebM (made by ffmpeg) as its `dataavailable` blobs; the SDK uploads them as parts through
 * the local stack's real presigned URLs, completes at stop(), and the recording is transcoded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Broadcaster, type LivestreamError, type RecordingProgress } from '../../web/sdk/index.ts';
import { makeTestVideo, type TestVideo } from '../support/media.ts';
import { NodeWebSocket, type SdkSession, sdkSession } from './support.ts';
import { Cameras, NodePeerConnection } from './webrtc.ts';

const MIB = 1024 * 1024;

/**
 * A MediaRecorder class that emits `blobs` as its data: all but the last one per turn while
 * recording, whatever is left (at least the last) on stop(), then `stop`, as browsers do.
 */
function fakeMediaRecorder(blobs: Blob[]) {
  const made: FakeRecorder[] = [];
  class FakeRecorder extends EventTarget {
    static isTypeSupported(type: string): boolean {
      return type === 'video/webm;codecs=vp8,opus';
    }
    state: RecordingState = 'inactive';
    readonly mimeType: string;
    timeslice: number | undefined;
    private readonly queue = [...blobs];

    constructor(
      readonly stream: MediaStream,
      options?: MediaRecorderOptions,
    ) {
      super();
      this.mimeType = options?.mimeType ?? 'video/webm';
      made.push(this);
    }

    start(timeslice?: number): void {
      this.state = 'recording';
      this.timeslice = timeslice;
      const pump = () => {
        if (this.state !== 'recording' || this.queue.length <= 1) return;
        this.data(this.queue.shift() as Blob);
        setTimeout(pump, 0);
      };
      setTimeout(pump, 0);
    }

    stop(): void {
      this.state = 'inactive';
      setTimeout(() => {
        for (const blob of this.queue.splice(0)) this.data(blob);
        this.dispatchEvent(new Event('stop'));
      }, 0);
    }

    private data(blob: Blob): void {
      this.dispatchEvent(Object.assign(new Event('dataavailable'), { data: blob }));
    }
  }
  return { MediaRecorder: FakeRecorder as unknown as typeof MediaRecorder, made };
}

let s: SdkSession;
const cameras = new Cameras();
let source: TestVideo;
beforeAll(async () => {
  [s, source] = await Promise.all([
    sdkSession(),
    makeTestVideo({ seconds: 8, width: 640, height: 360, noise: true, bitrate: '12M' }),
  ]);
  expect(source.bytes.byteLength).toBeGreaterThan(10 * MIB);
}, 120_000);
afterAll(async () => {
  cameras.stopAll();
  await s?.close();
});

describe('recording while live', () => {
  it('uploads parts of at least 5 MiB through presigned URLs and completes at stop()', async () => {
    const { streamId, api } = await s.liveStream('alice', { recordingEnabled: true });
    // The recorder's data: 1 MiB slices, as a recorder with a timeslice would hand them out.
    const slices: Blob[] = [];
    for (let at = 0; at < source.bytes.byteLength; at += MIB) {
      slices.push(new Blob([source.bytes.subarray(at, at + MIB)], { type: 'video/webm' }));
    }
    const recorder = fakeMediaRecorder(slices);
    const broadcaster = new Broadcaster({
      api,
      streamId,
      stream: cameras.stream(),
      recordPartBytes: 5 * MIB,
      recordTimesliceMs: 2000,
      iceServers: [],
      RTCPeerConnection: NodePeerConnection,
      WebSocket: NodeWebSocket,
      MediaRecorder: recorder.MediaRecorder,
    });
    const progress: RecordingProgress[] = [];
    const errors: LivestreamError[] = [];
    broadcaster.on('recording', (p) => progress.push(p));
    broadcaster.on('error', (e) => errors.push(e));

    // `record` is not given: the stream's recordingEnabled decides.
    await broadcaster.start();
    expect(recorder.made).toHaveLength(1);
    expect(recorder.made[0]?.mimeType).toBe('video/webm;codecs=vp8,opus');
    expect(recorder.made[0]?.timeslice).toBe(2000);
    await broadcaster.stop();

    expect(errors).toEqual([]);
    const uploads = progress.filter((p) => p.status === 'uploading');
    // Part sizes, from the bytes accepted after each part.
    const sizes = uploads.slice(1).map((p, i) => p.uploadedBytes - (uploads[i]?.uploadedBytes ?? 0));
    expect(sizes.length).toBeGreaterThanOrEqual(2);
    for (const size of sizes.slice(0, -1)) expect(size).toBeGreaterThanOrEqual(5 * MIB);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(source.bytes.byteLength);
    // The first report is the upload opening (nothing sent), then one per part.
    expect(uploads.map((p) => p.parts)).toEqual([0, ...sizes.map((_, n) => n + 1)]);
    const last = progress.at(-1);
    expect(last).toMatchObject({
      status: 'processing',
      parts: sizes.length,
      uploadedBytes: source.bytes.byteLength,
    });
    expect(last?.recording).toMatchObject({ status: 'processing', sizeBytes: source.bytes.byteLength });
    expect((await api.getStream(streamId)).status).toBe('ended');
    const partCalls = s.calls.filter((c) => c === `POST /api/livestream/${streamId}/recording/parts`);
    expect(partCalls).toHaveLength(sizes.length);

    // Bounded: a few seconds of 360p transcode.
    let recording = (await api.getRecording(streamId)).recording;
    for (let i = 0; i < 600 && recording.status === 'processing'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      recording = (await api.getRecording(streamId)).recording;
    }
    expect(recording.status, JSON.stringify(recording.failure)).toBe('ready');
    expect(recording.sizeBytes).toBe(source.bytes.byteLength);
    expect(Math.abs((recording.durationSeconds ?? 0) - source.durationSeconds)).toBeLessThanOrEqual(0.5);
    expect(recording.playbackUrl).toBe(`${s.stack.url}/media/${streamId}/index.m3u8`);
  }, 240_000);

  it('does not record when the stream has recording disabled and `record` is not set', async () => {
    const { streamId, api } = await s.liveStream('bob');
    const recorder = fakeMediaRecorder([new Blob(['x'])]);
    const broadcaster = new Broadcaster({
      api,
      streamId,
      stream: cameras.stream(),
      RTCPeerConnection: NodePeerConnection,
      WebSocket: NodeWebSocket,
      MediaRecorder: recorder.MediaRecorder,
    });
    await broadcaster.start();
    await broadcaster.stop();

    expect(recorder.made).toEqual([]);
    expect(s.calls).not.toContain(`POST /api/livestream/${streamId}/recording`);
  });
});
