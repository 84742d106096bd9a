import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoStreamStore } from '../../functions/adapters/stream-store.ts';
import { DynamoViewerStore } from '../../functions/adapters/viewer-store.ts';
import { tables } from '../../functions/manifest.ts';
import { harness } from './harness.ts';

let h: Awaited<ReturnType<typeof harness>>;
let streams: DynamoStreamStore;
let viewers: DynamoViewerStore;
beforeAll(async () => {
  h = await harness();
  streams = new DynamoStreamStore(tables.streams.name, h.db);
  viewers = new DynamoViewerStore(tables.viewers.name, h.db);
});
afterAll(() => h.close());

/** Well past the repair delay (60 s by default): the invocation that wrote it is long dead. */
const longAgo = () => Date.now() - 10 * 60_000;

/** The invariants a crash must not break: live count = open sessions, views = session rows. */
async function counts(streamId: string) {
  const stream = (await h.call('GET', `/api/livestream/${streamId}`)).body;
  const rows = await h.db.send(new ScanCommand({ TableName: tables.viewers.name, ConsistentRead: true }));
  const sessions = (rows.Items ?? []).filter((r) => r.streamId === streamId);
  return {
    viewerCount: stream.viewerCount,
    openSessions: sessions.filter((s) => s.leftAt === undefined).length,
    totalViews: stream.totalViews,
    sessionRows: sessions.length,
    markers: (await streams.get(streamId))?.pendingSeats?.length ?? 0,
  };
}

async function join(streamId: string, userId: string) {
  const joined = await h.call('POST', `/api/livestream/${streamId}/join`, { token: await h.token(userId) });
  expect(joined.status).toBe(200);
  return joined.body.viewerId as string;
}

describe('a join or leave cut short between its writes', () => {
  // Each case does only the first writes of a join or leave, with the real adapters, as a process
  // killed between them would; the next join of the stream must find and repair it.
  const cases: Array<[string, (streamId: string) => Promise<void>]> = [
    [
      'a join killed after counting in, before its session row',
      async (streamId) => {
        await streams.addViewer(streamId, 'crashed-join-1', longAgo());
      },
    ],
    [
      'a join killed after its session row, before removing the marker',
      async (streamId) => {
        const at = longAgo();
        await streams.addViewer(streamId, 'crashed-join-2', at);
        await viewers.put({ streamId, viewerId: 'crashed-join-2', userId: 'ghost', joinedAt: at });
      },
    ],
    [
      'a leave killed after its marker, before closing the session',
      async (streamId) => {
        const viewerId = await join(streamId, 'half-leaver');
        await streams.markLeaving(streamId, { kind: 'leaving', viewerId, attempt: 'k1', at: longAgo() });
      },
    ],
    [
      'a leave killed after closing the session, before counting out',
      async (streamId) => {
        const viewerId = await join(streamId, 'closed-leaver');
        const seat = { kind: 'leaving' as const, viewerId, attempt: 'k2', at: longAgo() };
        await streams.markLeaving(streamId, seat);
        await viewers.close(streamId, viewerId, {
          leftAt: Date.now(),
          attempt: 'k2',
          userId: 'closed-leaver',
        });
      },
    ],
  ];

  it.each(cases)('%s is repaired by the next join: counts match the sessions', async (_name, crash) => {
    const { streamId } = await h.newStream('crash-host', { start: true });
    await join(streamId, 'before');
    await crash(streamId);
    const broken = await counts(streamId);
    expect(broken.markers).toBe(1);

    await join(streamId, 'after');
    const repaired = await counts(streamId);
    expect(repaired).toMatchObject({
      markers: 0,
      viewerCount: repaired.openSessions,
      totalViews: repaired.sessionRows,
    });
  });

  it('repairs each interrupted change once, however many joins race to repair it', async () => {
    const { streamId } = await h.newStream('race-host', { start: true });
    await streams.addViewer(streamId, 'crashed-join-3', longAgo());
    await Promise.all(Array.from({ length: 10 }, (_, i) => join(streamId, `racer-${i}`)));
    const after = await counts(streamId);
    expect(after).toEqual({ viewerCount: 10, openSessions: 10, totalViews: 10, sessionRows: 10, markers: 0 });
  });

  it('leaves a recent marker alone: that join may still be running', async () => {
    const { streamId } = await h.newStream('patient-host', { start: true });
    await streams.addViewer(streamId, 'in-flight', Date.now());
    await join(streamId, 'next');
    expect(await counts(streamId)).toMatchObject({ viewerCount: 2, openSessions: 1, markers: 1 });
  });
});
