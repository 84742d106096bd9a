import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countDynamoCommands } from '../support/dynamo-counter.ts';
import { harness } from './harness.ts';
import { broadcaster, candidate, liveStream, sdp, viewer } from './signaling-scene.ts';

let h: Awaited<ReturnType<typeof harness>>;
let counter: ReturnType<typeof countDynamoCommands>;

beforeAll(async () => {
  h = await harness();
  // The handlers run in this process and share this client: count what they send.
  counter = countDynamoCommands();
});
afterAll(() => h.close());

describe('what a relayed message costs in DynamoDB', () => {
  it('is one read (a BatchGetItem of the stream and session rows) and no write for each offer, answer and candidate', async () => {
    const live = await liveStream(h, 'frugal');
    const b = await broadcaster(live.url, live.ticket);
    const v = await viewer(h, live.streamId, 'counted');
    await b.next('stream:viewer:joined');

    const relays: Array<[string, () => Promise<unknown>]> = [
      [
        'offer',
        async () => {
          b.send('stream:offer:viewer', { viewerId: v.viewerId, offer: sdp('offer') });
          await v.client.next('stream:offer:received');
        },
      ],
      [
        'answer',
        async () => {
          v.client.send('stream:answer', { answer: sdp('answer') });
          await b.next('stream:answer:received');
        },
      ],
      [
        'broadcaster candidate',
        async () => {
          b.send('stream:ice-candidate', { viewerId: v.viewerId, candidate });
          await v.client.next('stream:ice-candidate:received');
        },
      ],
      [
        'viewer candidate',
        async () => {
          v.client.send('stream:ice-candidate', { candidate });
          await b.next('stream:ice-candidate:received');
        },
      ],
    ];
    for (const [name, relay] of relays) {
      counter.take();
      await relay();
      const { reads, writes, names } = counter.take();
      expect({ name, reads, writes, names }).toEqual({
        name,
        reads: 1,
        writes: 0,
        names: ['BatchGetItemCommand'],
      });
    }
    await Promise.all([b.close(), v.client.close()]);
  });

  it('counts the commands of a whole viewer join (REST join, $connect, stream:join)', async () => {
    const live = await liveStream(h, 'joiner');
    const b = await broadcaster(live.url, live.ticket);
    counter.take();
    const v = await viewer(h, live.streamId, 'newcomer');
    await b.next('stream:viewer:joined');
    // REST join: count in with the seat's marker, put the session, remove the marker (with the
    // peak when it grows); $connect: claim the ticket, put the connection; stream:join: bind the
    // session, read the stream. The marker and the ticket claim are what crash safety and
    // one-connection-per-ticket cost (docs/security.md).
    const { reads, writes, names } = counter.take();
    expect({ reads, writes }).toEqual({ reads: 1, writes: 6 });
    expect(names).toContain('PutItemCommand');
    await Promise.all([b.close(), v.client.close()]);
  });
});
