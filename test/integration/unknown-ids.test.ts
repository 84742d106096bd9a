import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restRoutes } from '../../functions/manifest.ts';
import { countDynamoCommands } from '../support/dynamo-counter.ts';
import { type CallOptions, harness } from './harness.ts';

let h: Awaited<ReturnType<typeof harness>>;
let counter: ReturnType<typeof countDynamoCommands>;
let admin: string;

beforeAll(async () => {
  h = await harness();
  // The handlers run in this process and share this client: count what they send.
  counter = countDynamoCommands();
  // An admin passes every role gate (terminate, stats, moderation), so what answers is the lookup.
  admin = await h.token('root', ['admin']);
  // Something stored to leave unchanged: a live stream with a viewer, a message and a ban.
  const live = await h.newStream('alice', { start: true });
  await h.call('POST', `/api/livestream/${live.streamId}/join`, { token: await h.token('bob') });
  await h.call('POST', `/api/livestream/${live.streamId}/chat`, { token: admin, body: { message: 'hi' } });
  await h.call('POST', `/api/livestream/${live.streamId}/chat/bans`, {
    token: live.ownerToken,
    body: { userId: 'mallory' },
  });
  // The message's fan-out runs later, off the chat table's stream (one Query of the room): let it
  // run now, so that its read is not counted against a request below.
  const deadline = Date.now() + 15_000;
  while (!counter.take().names.includes('QueryCommand')) {
    if (Date.now() > deadline) throw new Error('the chat fan-out never ran');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
});
afterAll(() => h.close());

/**
 * A valid body for each route that needs one, so that what answers is the id and nothing else. A
 * route added with a required body and no entry here fails below with its 400, naming the route.
 */
const BODIES: Record<string, unknown[]> = {
  'POST /api/livestream/{streamId}/end': [{}, { recordingUrl: 'https://cdn.example.com/r.webm' }],
  'POST /api/livestream/{streamId}/ticket': [{}, { viewerId: randomUUID() }],
  'POST /api/livestream/{streamId}/leave': [{ viewerId: randomUUID() }],
  'POST /api/livestream/{streamId}/presence': [{ viewerId: randomUUID() }],
  'POST /api/livestream/{streamId}/chat': [{ message: 'hello?' }],
  'POST /api/livestream/{streamId}/chat/bans': [{ userId: 'mallory' }],
  'POST /api/livestream/{streamId}/chat/slow-mode': [{ seconds: 5 }],
  'POST /api/livestream/{streamId}/terminate': [{ reason: 'a test' }],
  'POST /api/livestream/{streamId}/recording': [{}, { contentType: 'video/webm' }],
  'POST /api/livestream/{streamId}/recording/parts': [{ partNumber: 1, sizeBytes: 1024 }],
  'POST /api/livestream/{streamId}/recording/complete': [{ parts: [{ partNumber: 1, etag: '"abc"' }] }],
};

/** The other path ids, valid (the stream is what is unknown). */
const OTHER_PARAMS: Record<string, string> = { messageId: '01JDZ5N7Q0C9V2T1A8K3M6P4XR', userId: 'mallory' };

const withStreamId = restRoutes.filter((route) => route.path.includes('{streamId}'));

function pathFor(template: string, streamId: string): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) =>
    name === 'streamId' ? streamId : encodeURIComponent(OTHER_PARAMS[name] ?? 'x'),
  );
}

/** Every way to call the route: its method and path, with each sample body (or none). */
function calls(route: (typeof withStreamId)[number], streamId: string): Array<[string, CallOptions]> {
  const token = route.auth === 'public' ? {} : { token: admin };
  const bodies = BODIES[`${route.method} ${route.path}`];
  const path = pathFor(route.path, streamId);
  return bodies ? bodies.map((body) => [path, { ...token, body }]) : [[path, token]];
}

/** Ids that could be ids (well formed) but name no stream; the UUID is the only one read for. */
const UNKNOWN = {
  'an unknown UUID': randomUUID(),
  'a non-UUID id': 'does-not-exist-123',
  'an uppercase UUID': randomUUID().toUpperCase(),
  'a 128-character id': 'x'.repeat(128),
  'the word undefined': 'undefined',
};

/** Input that cannot be an id at all (each written as it goes in the URL). */
const MALFORMED = {
  'a 129-character id': 'x'.repeat(129),
  'an id with a dot': 'a.b',
  'a traversal, encoded': '..%2F..%2Fetc%2Fpasswd',
  'a space': 'a%20b',
  'a non-ASCII letter': 'caf%C3%A9',
  'a NUL byte': 'a%00b',
  'a percent sign': '100%25',
};

describe('an id that names no stream', () => {
  it('covers every REST route with a path id, as the manifest lists them', () => {
    // A route whose only id is another one (not under a stream) needs its own cases here.
    const withAnyId = restRoutes.filter((route) => route.path.includes('{'));
    expect(withAnyId.filter((route) => !route.path.includes('{streamId}'))).toEqual([]);
    expect(withStreamId.length).toBeGreaterThanOrEqual(20);
  });

  it.each(withStreamId.map((route) => ({ name: `${route.method} ${route.path}`, route })))(
    '$name answers 404 STREAM_NOT_FOUND for every well-formed unknown id, storing nothing',
    async ({ route }) => {
      const before = await h.snapshot();
      for (const [label, id] of Object.entries(UNKNOWN)) {
        for (const [path, options] of calls(route, id)) {
          counter.take();
          const res = await h.call(route.method, path, options);
          const what = `${label}: ${route.method} ${path} ${JSON.stringify(options.body ?? null)}`;
          expect({ what, status: res.status, code: res.body?.error?.code }).toEqual({
            what,
            status: 404,
            code: 'STREAM_NOT_FOUND',
          });
          expect(res.body.error.message).toBe(`Stream ${id} does not exist`);
          const cost = counter.take();
          // Only a UUID can have been minted: anything else is answered without a DynamoDB call.
          if (!/^[0-9a-f-]{36}$/.test(id))
            expect({ what, ...cost }).toEqual({ what, reads: 0, writes: 0, names: [] });
        }
      }
      expect(await h.snapshot()).toEqual(before);
    },
  );

  it.each(withStreamId.map((route) => ({ name: `${route.method} ${route.path}`, route })))(
    '$name answers 400 VALIDATION_FAILED for input that cannot be an id, storing nothing',
    async ({ route }) => {
      const before = await h.snapshot();
      for (const [label, id] of Object.entries(MALFORMED)) {
        for (const [path, options] of calls(route, id)) {
          counter.take();
          const res = await h.call(route.method, path, options);
          const what = `${label}: ${route.method} ${path}`;
          expect({ what, status: res.status, code: res.body?.error?.code }).toEqual({
            what,
            status: 400,
            code: 'VALIDATION_FAILED',
          });
          expect(res.body.error.details.issues).toEqual([
            { field: 'streamId', message: 'must be an id: 1 to 128 letters, digits, - or _' },
          ]);
          expect(counter.take()).toEqual({ reads: 0, writes: 0, names: [] });
        }
      }
      expect(await h.snapshot()).toEqual(before);
    },
  );
});

describe('an id that names nothing under a stream that exists', () => {
  it('is the missing thing: MESSAGE_NOT_FOUND, VIEWER_NOT_FOUND, RECORDING_NOT_FOUND, storing nothing', async () => {
    const live = await h.newStream('carol', { start: true });
    const base = `/api/livestream/${live.streamId}`;
    const dave = await h.token('dave');
    const before = await h.snapshot();
    const cases: Array<[string, string, CallOptions, string]> = [
      ['DELETE', `${base}/chat/does-not-exist-123`, { token: live.ownerToken }, 'MESSAGE_NOT_FOUND'],
      ['DELETE', `${base}/chat/01JDZ5N7Q0C9V2T1A8K3M6P4XR`, { token: live.ownerToken }, 'MESSAGE_NOT_FOUND'],
      ['POST', `${base}/leave`, { token: dave, body: { viewerId: randomUUID() } }, 'VIEWER_NOT_FOUND'],
      [
        'POST',
        `${base}/ticket`,
        { token: dave, body: { viewerId: 'does-not-exist-123' } },
        'VIEWER_NOT_FOUND',
      ],
      ['GET', `${base}/recording`, {}, 'RECORDING_NOT_FOUND'],
    ];
    for (const [method, path, options, code] of cases) {
      const res = await h.call(method, path, options);
      expect({ path, status: res.status, code: res.body?.error?.code }).toEqual({ path, status: 404, code });
    }
    expect(await h.snapshot()).toEqual(before);
  });
});
