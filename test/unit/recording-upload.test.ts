/**
 * Upload rules that need a clock: the window after the end. The stores are the real DynamoDB
 * adapters over dynalite; the bucket is a recorder of calls (the S3 side is covered against
 * s3rver in test/integration/recording-api.test.ts).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRecordingStore } from '../../functions/adapters/recording-store.ts';
import { DynamoStreamStore } from '../../functions/adapters/stream-store.ts';
import type { StreamRecord } from '../../functions/core/model.ts';
import type { RecordingBucket } from '../../functions/core/ports.ts';
import {
  checkParts,
  openRecording,
  presignPart,
  type RecordingDeps,
  S3_PARTS,
} from '../../functions/core/recording-upload.ts';
import { type LocalDynamo, startDynamo } from '../../local/dynamodb/dynamo.ts';

const MIB = 1024 * 1024;
const alice = { userId: 'alice', roles: [] };
let dynamo: LocalDynamo;
let db: DynamoDBDocumentClient;
let now = 0;
const calls: string[] = [];

const bucket: RecordingBucket = {
  name: 'b',
  createUpload: async (key) => {
    calls.push(`create ${key}`);
    return 'upload-1';
  },
  presignPart: async (_key, _id, part) => {
    calls.push(`presign ${part.partNumber}`);
    return 'https://s3.example/part';
  },
  listParts: async () => [],
  completeUpload: async () => {},
  abortUpload: async () => {},
  deletePrefix: async () => 0,
};

let deps: RecordingDeps;
beforeAll(async () => {
  dynamo = await startDynamo({});
  db = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  deps = {
    streams: new DynamoStreamStore('Livestreams', db),
    recordings: new DynamoRecordingStore('Livestreams', db),
    bucket,
    clock: { now: () => now },
    limits: { maxBytes: 100 * MIB, uploadWindowMs: 60_000 },
    mediaBaseUrl: 'https://d111111abcdef8.cloudfront.net',
  };
});
afterAll(() => dynamo.close());

let n = 0;
async function endedStream(endedAt: number, recording?: StreamRecord['recording']): Promise<string> {
  const streamId = `5f1d2c3b-0000-4000-8000-${String(++n).padStart(12, '0')}`;
  const stream: StreamRecord = {
    streamId,
    ownerId: 'alice',
    title: 't',
    description: '',
    recordingEnabled: true,
    status: 'ended',
    maxViewers: 5,
    viewerCount: 0,
    peakViewers: 0,
    totalViews: 0,
    createdAt: 0,
    endedAt,
    ...(recording && { recording }),
  };
  await db.send(new PutCommand({ TableName: 'Livestreams', Item: stream }));
  return streamId;
}

describe('the upload window after the end', () => {
  it('lets the owner open an upload within it', async () => {
    const streamId = await endedStream(1_000);
    now = 1_000 + 59_000;
    const opened = await openRecording(deps, streamId, alice, 'video/mp4');
    expect(opened.created).toBe(true);
    expect(opened.recording.uploadDeadline).toBe(new Date(61_000).toISOString());
    expect(calls.at(-1)).toBe(`create uploads/${streamId}/source.mp4`);
  });

  it('refuses to open, or to sign a part, once it has closed, before touching S3', async () => {
    const closed = await endedStream(1_000);
    const uploading = await endedStream(1_000, {
      status: 'uploading',
      contentType: 'video/webm',
      sourceKey: 'uploads/x/source.webm',
      uploadId: 'u',
      openedAt: 500,
    });
    now = 1_000 + 60_001;
    const before = calls.length;
    await expect(openRecording(deps, closed, alice, 'video/webm')).rejects.toMatchObject({
      code: 'UPLOAD_WINDOW_CLOSED',
    });
    await expect(presignPart(deps, uploading, alice, { partNumber: 1, sizeBytes: 10 })).rejects.toMatchObject(
      {
        code: 'UPLOAD_WINDOW_CLOSED',
      },
    );
    expect(calls.length).toBe(before);
  });
});

describe('who asks, before what they ask for', () => {
  it("refuses someone else's part request with 403, whatever its size, before touching S3", async () => {
    const uploading = await endedStream(now, {
      status: 'uploading',
      contentType: 'video/webm',
      sourceKey: 'uploads/x/source.webm',
      uploadId: 'u',
      openedAt: now,
    });
    const before = calls.length;
    const bob = { userId: 'bob', roles: [] };

    await expect(
      presignPart(deps, uploading, bob, { partNumber: 1, sizeBytes: 2 ** 52 }),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(
      presignPart(deps, uploading, alice, { partNumber: 1, sizeBytes: 2 ** 52 }),
    ).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(calls.length).toBe(before);
  });
});

describe('checkParts', () => {
  const stored = [
    { partNumber: 1, etag: '"a"', sizeBytes: 6 * MIB },
    { partNumber: 2, etag: '"b"', sizeBytes: 6 * MIB },
    { partNumber: 3, etag: '"c"', sizeBytes: 1 },
  ];

  it('accepts ETags quoted or not, and sums the sizes', () => {
    const claimed = [
      { partNumber: 1, etag: 'a' },
      { partNumber: 2, etag: '"b"' },
      { partNumber: 3, etag: 'c' },
    ];
    expect(checkParts(claimed, stored, 100 * MIB).sizeBytes).toBe(12 * MIB + 1);
  });

  it('names the parts S3 does not hold with that ETag', () => {
    expect(() =>
      checkParts(
        [
          { partNumber: 1, etag: 'x' },
          { partNumber: 4, etag: 'd' },
        ],
        stored,
        100 * MIB,
      ),
    ).toThrow(
      expect.objectContaining({ code: 'MISSING_PARTS', details: { missing: [1, 4], held: [1, 2, 3] } }),
    );
  });

  it('lets only the last part be under 5 MiB', () => {
    expect(S3_PARTS.minPartBytes).toBe(5 * MIB);
    expect(() =>
      checkParts(
        [
          { partNumber: 3, etag: 'c' },
          { partNumber: 1, etag: 'a' },
        ],
        stored,
        100 * MIB,
      ),
    ).toThrow(expect.objectContaining({ code: 'PART_TOO_SMALL' }));
  });

  it('refuses a total over the limit, saying both sizes', () => {
    expect(() =>
      checkParts(
        [
          { partNumber: 1, etag: 'a' },
          { partNumber: 2, etag: 'b' },
        ],
        stored,
        10 * MIB,
      ),
    ).toThrow(
      expect.objectContaining({
        code: 'PAYLOAD_TOO_LARGE',
        details: { sizeBytes: 12 * MIB, maxBytes: 10 * MIB },
      }),
    );
  });
});
