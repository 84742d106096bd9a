/**
 * Ending the live ladder and replay at once, on the local stack: a fake ladder's playlists put
 * under `live/{id}/` through the S3 stand-in, the stream ended by its owner, the watchdog or an
 * admin, and finishLive woken by the real DynamoDB stream (the manifest's filter) to append
 * `#EXT-X-ENDLIST` to every rendition's playlists, once. Then which replay `GET …/recording`
 * serves. `ladderKbps`, which the broadcaster's `stream:uplink` report sets, is written directly.
 */
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBStreamEvent, EventBridgeEvent } from 'aws-lambda';
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  type MockInstance,
  vi,
} from 'vitest';
import type { JobStateDetail } from '../../functions/core/recording-pipeline.ts';
import { localS3Client } from '../../local/s3/s3-client.ts';
import { harness } from './harness.ts';

let h: Awaited<ReturnType<typeof harness>>;
let s3: ReturnType<typeof localS3Client>;
let errors: MockInstance<typeof console.error>;
const context = { awsRequestId: 'live-finish-test' } as Context;
const ENDLIST = '#EXT-X-ENDLIST';
const RENDITIONS = ['720p', '360p'] as const;

beforeAll(async () => {
  h = await harness();
  s3 = localS3Client(h.stack.s3.endpoint);
}, 60_000);
afterAll(async () => {
  s3?.destroy();
  await h?.close();
});
// Handler failures (a batch finishLive could not finish) reach stderr: the stack's and the handler's.
beforeEach(() => {
  errors = vi.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(() => {
  const logged = errors.mock.calls.map((call) => call.join(' '));
  errors.mockRestore();
  expect(logged).toEqual([]);
});

const bucket = () => h.stack.s3.bucket;
const put = (key: string, body: string, contentType = 'application/vnd.apple.mpegurl') =>
  s3.send(new PutObjectCommand({ Bucket: bucket(), Key: key, Body: body, ContentType: contentType }));
const text = async (key: string) =>
  (await s3
    .send(new GetObjectCommand({ Bucket: bucket(), Key: key }))
    .then((o) => o.Body?.transformToString())) ?? '';
const head = (key: string) => s3.send(new HeadObjectCommand({ Bucket: bucket(), Key: key }));

const master = (playlist: string) =>
  [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    '#EXT-X-INDEPENDENT-SEGMENTS',
    '#EXT-X-STREAM-INF:BANDWIDTH=2628000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2"',
    `720p/${playlist}`,
    '#EXT-X-STREAM-INF:BANDWIDTH=928000,RESOLUTION=640x360,CODECS="avc1.42e01e,mp4a.40.2"',
    `360p/${playlist}`,
    '',
  ].join('\n');

/** A media playlist of 1 s segments `from..to`, as the broadcaster's SDK writes them. */
const media = (from: number, to: number, event = false) =>
  [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    '#EXT-X-TARGETDURATION:1',
    ...(event ? ['#EXT-X-PLAYLIST-TYPE:EVENT'] : []),
    `#EXT-X-MEDIA-SEQUENCE:${from}`,
    '#EXT-X-MAP:URI="init-1.mp4"',
    ...Array.from({ length: to - from + 1 }, (_, i) => [
      `#EXT-X-PROGRAM-DATE-TIME:${new Date(Date.UTC(2026, 11, 3, 17, 0, from + i)).toISOString()}`,
      '#EXTINF:1.000,',
      `${from + i}.m4s`,
    ]).flat(),
    '',
  ].join('\n');

const playlistKeys = (streamId: string) =>
  RENDITIONS.flatMap((r) => [`live/${streamId}/${r}/index.m3u8`, `live/${streamId}/${r}/full.m3u8`]);

/** A live ladder of two renditions, five segments each, as it stands when the stream ends. */
async function putLadder(streamId: string): Promise<Record<string, string>> {
  const base = `live/${streamId}`;
  await put(`${base}/index.m3u8`, master('index.m3u8'));
  await put(`${base}/replay.m3u8`, master('full.m3u8'));
  const written: Record<string, string> = {};
  for (const r of RENDITIONS) {
    await put(`${base}/${r}/init-1.mp4`, 'init', 'video/mp4');
    for (let i = 0; i <= 4; i++) await put(`${base}/${r}/${i}.m4s`, `segment ${i}`, 'video/mp4');
    written[`${base}/${r}/index.m3u8`] = media(2, 4);
    written[`${base}/${r}/full.m3u8`] = media(0, 4, true);
  }
  for (const [key, body] of Object.entries(written)) await put(key, body);
  return written;
}

/** A live stream of alice's (recording on, nothing uploaded), with a live ladder reported or not. */
async function liveStream(options: { ladder: boolean }) {
  const stream = await h.newStream('alice', { start: true, body: { recordingEnabled: true } });
  if (options.ladder) {
    await h.db.send(
      new UpdateCommand({
        TableName: 'Livestreams',
        Key: { streamId: stream.streamId },
        UpdateExpression: 'SET ladderKbps = :k',
        ExpressionAttributeValues: { ':k': 2900 },
      }),
    );
  }
  return stream;
}

/** Every write so far delivered to the stream consumers (finishLive among them), and their work done. */
const settled = () => h.stack.streams.idle();

const etags = async (keys: string[]) =>
  Object.fromEntries(await Promise.all(keys.map(async (key) => [key, (await head(key)).ETag] as const)));

describe('finishLive on the local stack', () => {
  it("ends every rendition's playlists once when the owner ends the stream; already ended ones untouched", async () => {
    const { streamId, ownerToken } = await liveStream({ ladder: true });
    const written = await putLadder(streamId);
    // The SDK got one playlist ended before it stopped: that one must stay exactly as it is.
    const preEnded = `live/${streamId}/360p/full.m3u8`;
    written[preEnded] = `${media(0, 4, true)}${ENDLIST}\n`;
    await put(preEnded, written[preEnded] as string);
    const preEndedEtag = (await head(preEnded)).ETag;
    await settled();
    expect(await text(`live/${streamId}/720p/index.m3u8`)).not.toContain(ENDLIST); // nothing while live

    expect(
      (await h.call('POST', `/api/livestream/${streamId}/end`, { token: ownerToken, body: {} })).status,
    ).toBe(200);
    await settled();

    for (const key of playlistKeys(streamId)) {
      const ended = await text(key);
      expect(ended, key).toBe(key === preEnded ? written[key] : `${written[key]}${ENDLIST}\n`);
      expect(ended.match(/#EXT-X-ENDLIST/g), key).toHaveLength(1);
      expect((await head(key)).ContentType).toBe('application/vnd.apple.mpegurl');
    }
    expect((await head(preEnded)).ETag).toBe(preEndedEtag);
    expect(await text(`live/${streamId}/index.m3u8`)).toBe(master('index.m3u8'));
    expect(await text(`live/${streamId}/replay.m3u8`)).toBe(master('full.m3u8'));
  });

  it('changes nothing on a second wake, or on a batch naming the stream twice', async () => {
    const { streamId, ownerToken } = await liveStream({ ladder: true });
    await putLadder(streamId);
    await h.call('POST', `/api/livestream/${streamId}/end`, { token: ownerToken, body: {} });
    await settled();
    const before = await etags(playlistKeys(streamId));
    // A broadcaster's upload that landed after the server finished (docs/live.md, "Ending"):
    // that playlist lost its end, which the next wake puts back (and so shows the wake ran).
    const overwritten = `live/${streamId}/720p/index.m3u8`;
    await put(overwritten, media(3, 5));

    // A later write to the ended row (a recording's progress, say) wakes finishLive again.
    await h.db.send(
      new UpdateCommand({
        TableName: 'Livestreams',
        Key: { streamId },
        UpdateExpression: 'SET peakViewers = :p',
        ExpressionAttributeValues: { ':p': 7 },
      }),
    );
    await settled();
    expect(await text(overwritten)).toBe(`${media(3, 5)}${ENDLIST}\n`);
    const { [overwritten]: _, ...untouched } = before;
    expect(await etags(Object.keys(untouched))).toEqual(untouched);

    // The handler itself, with one stream twice in a batch (a retried batch redelivers records).
    const { handler } = await import('../../functions/media/finish-live.ts');
    const row = (await h.call('GET', `/api/livestream/${streamId}`)).body;
    const record = (sequence: string) => ({
      eventName: 'MODIFY' as const,
      dynamodb: { SequenceNumber: sequence, NewImage: marshall({ ...row, ladderKbps: 2900 }) as never },
    });
    const event: DynamoDBStreamEvent = { Records: [record('1'), record('2')] };
    const rewaken = await etags(playlistKeys(streamId));
    expect(await handler(event, context)).toEqual({ batchItemFailures: [] });
    expect(await handler(event, context)).toEqual({ batchItemFailures: [] });
    expect(await etags(playlistKeys(streamId))).toEqual(rewaken);
  });

  it('ends the playlists when an admin terminates the stream', async () => {
    const { streamId } = await liveStream({ ladder: true });
    const written = await putLadder(streamId);
    const admin = await h.token('mod', ['admin']);
    const terminated = await h.call('POST', `/api/livestream/${streamId}/terminate`, {
      token: admin,
      body: { reason: 'Terms of service' },
    });
    expect(terminated.status).toBe(200);
    await settled();
    for (const key of playlistKeys(streamId))
      expect(await text(key), key).toBe(`${written[key]}${ENDLIST}\n`);
  });

  it('ends the playlists when the watchdog ends a stream whose broadcaster vanished', async () => {
    const { streamId } = await liveStream({ ladder: true });
    const written = await putLadder(streamId);
    const goneAt = Date.now() - 120_000;
    await h.db.send(
      new UpdateCommand({
        TableName: 'Livestreams',
        Key: { streamId },
        UpdateExpression: 'SET broadcasterGoneAt = :g',
        ExpressionAttributeValues: { ':g': goneAt },
      }),
    );
    // The one-off schedule's payload, as $disconnect schedules it after the grace period.
    const { handler: watchdog } = await import('../../functions/events/stream-watchdog.ts');
    await watchdog({ streamId, goneAt }, context);
    expect((await h.call('GET', `/api/livestream/${streamId}`)).body.endReason).toBe(
      'broadcaster_disconnected',
    );
    await settled();
    for (const key of playlistKeys(streamId))
      expect(await text(key), key).toBe(`${written[key]}${ENDLIST}\n`);
  });

  it('is fine with a stream that has a ladder reported but no live objects', async () => {
    const { streamId, ownerToken } = await liveStream({ ladder: true });
    expect(
      (await h.call('POST', `/api/livestream/${streamId}/end`, { token: ownerToken, body: {} })).status,
    ).toBe(200);
    await settled(); // no failure logged (checked after each test)
  });

  it('never touches a stream that reported no ladder: the filter does not wake the handler', async () => {
    const { streamId, ownerToken } = await liveStream({ ladder: false });
    const written = await putLadder(streamId);
    await h.call('POST', `/api/livestream/${streamId}/end`, { token: ownerToken, body: {} });
    await settled();
    for (const key of playlistKeys(streamId)) expect(await text(key), key).toBe(written[key]);
  });
});

describe('replay at once: GET …/recording and the public summary', () => {
  const mediaBase = () => h.stack.env.MEDIA_BASE_URL;

  it('has no replay while live; the live replay from the end; the transcoded one once its job completes', async () => {
    const { streamId, ownerToken } = await liveStream({ ladder: true });
    await putLadder(streamId);
    const recording = `/api/livestream/${streamId}/recording`;
    expect((await h.call('GET', recording)).body.error.code).toBe('RECORDING_NOT_FOUND');
    expect((await h.call('GET', `/api/livestream/${streamId}`)).body.recording).toBeNull();

    await h.call('POST', `/api/livestream/${streamId}/end`, { token: ownerToken, body: {} });
    await settled();
    const liveReplay = `${mediaBase()}/live/${streamId}/replay.m3u8`;
    const atEnd = await h.call('GET', recording);
    expect(atEnd.status).toBe(200);
    expect(atEnd.body.recording).toMatchObject({
      status: 'ready',
      playbackUrl: liveReplay,
      dashUrl: null,
      source: 'live',
    });
    expect((await h.call('GET', `/api/livestream/${streamId}`)).body.recording).toEqual({
      status: 'ready',
      playbackUrl: liveReplay,
      thumbnailUrl: null,
      durationSeconds: null,
      source: 'live',
    });

    // The server recording as transcodeRecording leaves it, then MediaConvert's COMPLETE event.
    await h.db.send(
      new UpdateCommand({
        TableName: 'Livestreams',
        Key: { streamId },
        UpdateExpression: 'SET recording = :r',
        ExpressionAttributeValues: {
          ':r': {
            status: 'processing',
            contentType: 'video/webm',
            sourceKey: `uploads/${streamId}/source.webm`,
            openedAt: Date.now(),
            jobId: 'job-live-1',
            progress: 30,
          },
        },
      }),
    );
    expect((await h.call('GET', recording)).body.recording).toMatchObject({
      status: 'processing',
      progress: 30,
      playbackUrl: liveReplay,
      source: 'live',
    });
    const { handler: jobState } = await import('../../functions/media/recording-job-state.ts');
    const complete = {
      'detail-type': 'MediaConvert Job State Change',
      source: 'aws.mediaconvert',
      detail: {
        status: 'COMPLETE',
        jobId: 'job-live-1',
        userMetadata: { service: 'dreamx-livestream', streamId },
      },
    } as unknown as EventBridgeEvent<string, JobStateDetail>;
    await jobState(complete, context);
    const ready = (await h.call('GET', recording)).body.recording;
    expect(ready).toMatchObject({
      status: 'ready',
      playbackUrl: `${mediaBase()}/${streamId}/index.m3u8`,
      dashUrl: `${mediaBase()}/${streamId}/index.mpd`,
      source: 'transcoded',
    });
    expect((await h.call('GET', `/api/livestream/${streamId}`)).body.recording).toMatchObject({
      playbackUrl: ready.playbackUrl,
      source: 'transcoded',
    });
    await settled();
  });

  it('answers 404 as before for a stream with no replay, and for an unknown stream', async () => {
    const { streamId, ownerToken } = await liveStream({ ladder: false });
    await h.call('POST', `/api/livestream/${streamId}/end`, { token: ownerToken, body: {} });
    const none = await h.call('GET', `/api/livestream/${streamId}/recording`);
    expect([none.status, none.body.error.code]).toEqual([404, 'RECORDING_NOT_FOUND']);
    const unknown = await h.call('GET', '/api/livestream/0b9e4c1e-6a35-4c8e-9d43-000000000000/recording');
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'STREAM_NOT_FOUND']);
    await settled();
  });
});
