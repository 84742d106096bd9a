/**
 * The order of refusals on owner-only routes: who is asking (401), whether the stream exists
 * (404), whether they may act on it (403), and only then what they sent (400, 413, 415). Someone
 * else's request learns nothing from validation, costs one read, and changes nothing.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restRoutes } from '../../functions/manifest.ts';
import { type CallOptions, harness } from './harness.ts';

let h: Awaited<ReturnType<typeof harness>>;
let streamId = '';
let alice = '';
let bob = '';

beforeAll(async () => {
  h = await harness();
  bob = await h.token('bob');
  // Live, recording, an upload open: a state in which the owner could do each of these.
  const stream = await h.newStream('alice', { start: true, body: { recordingEnabled: true } });
  ({ streamId, ownerToken: alice } = stream);
  const opened = await h.call('POST', `/api/livestream/${streamId}/recording`, {
    token: alice,
    body: { contentType: 'video/webm' },
  });
  expect(opened.status).toBe(201);
});
afterAll(() => h?.close());

/** Each owner-only route that takes a body, with a body its schema refuses. */
const OWNER_ONLY: Record<string, unknown> = {
  start: { streamKey: 'mine' },
  end: { recordingUrl: 'javascript:alert(1)' },
  key: { streamKey: 'mine' },
  'chat/bans': { userId: 'bob', durationSeconds: -1 },
  'chat/slow-mode': { seconds: 1e9 },
  recording: { contentType: 'text/html' },
  'recording/parts': { partNumber: 0, sizeBytes: 1 },
  'recording/complete': { parts: [] },
  // The broadcaster may not choose what the credential reaches.
  'live/credential': { keyPrefix: 'live/' },
};
/** Routes with a body that others than the owner call: viewers, chatters, admins, ticket holders. */
const OTHERS = ['ticket', 'join', 'leave', 'presence', 'chat', 'chat/ticket', 'terminate'];

/** What the owner would get for each: proof that the body is still checked, after ownership. */
const bodies: [name: string, options: (action: string) => CallOptions, ownerGets: [number, string]][] = [
  ['a body its schema refuses', (action) => ({ body: OWNER_ONLY[action] }), [400, 'VALIDATION_FAILED']],
  ['a 20 KB body', () => ({ body: { pad: 'x'.repeat(20_000) } }), [413, 'PAYLOAD_TOO_LARGE']],
  [
    'a form-encoded body',
    () => ({ rawBody: 'a=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }),
    [415, 'UNSUPPORTED_MEDIA_TYPE'],
  ],
];
const cases = Object.keys(OWNER_ONLY).flatMap((action) =>
  bodies.map(([name, options, ownerGets]) => ({ action, name, options: options(action), ownerGets })),
);
// The finding itself: a part size past the limit was 413 before the ownership check.
cases.push({
  action: 'recording/parts',
  name: 'a part size past the limit',
  options: { body: { partNumber: 1, sizeBytes: 2 ** 52 } },
  ownerGets: [413, 'PAYLOAD_TOO_LARGE'],
});

const path = (action: string, id = streamId) => `/api/livestream/${id}/${action}`;

/** Calls once, with the DynamoDB requests it made and whether any row changed. */
async function attempt(action: string, options: CallOptions, id = streamId) {
  const before = await h.snapshot();
  h.stack.dynamo.calls.reset();
  const res = await h.call('POST', path(action, id), options);
  const calls = h.stack.dynamo.calls.byOperation();
  expect(await h.snapshot()).toEqual(before);
  return { status: res.status, code: res.body?.error?.code, calls };
}

describe('owner-only routes', () => {
  it('are known: every POST on a stream is either owner-only or called by others', () => {
    const posts = restRoutes
      .filter((route) => route.method === 'POST' && route.path.startsWith('/api/livestream/{streamId}/'))
      .map((route) => route.path.slice('/api/livestream/{streamId}/'.length));

    expect(posts.sort()).toEqual([...Object.keys(OWNER_ONLY), ...OTHERS].sort());
  });

  it.each(cases)(
    "answer someone else's $name on $action with 403, after one read, storing nothing",
    async ({ action, options }) => {
      expect(await attempt(action, { ...options, token: bob })).toEqual({
        status: 403,
        code: 'FORBIDDEN',
        calls: { GetItem: 1 },
      });
    },
  );

  it.each(cases)("answer the owner's $name on $action as before: $ownerGets", async (c) => {
    const { status, code } = await attempt(c.action, { ...c.options, token: alice });

    expect([status, code]).toEqual(c.ownerGets);
  });

  it.each(Object.keys(OWNER_ONLY))(
    'answer 404 on %s for a stream that does not exist, before 403',
    async (action) => {
      const res = await attempt(action, { body: OWNER_ONLY[action], token: bob }, randomUUID());

      expect([res.status, res.code]).toEqual([404, 'STREAM_NOT_FOUND']);
    },
  );

  it.each(Object.keys(OWNER_ONLY))(
    'answer 401 on %s without credentials, reading nothing',
    async (action) => {
      expect(await attempt(action, { body: OWNER_ONLY[action] })).toEqual({
        status: 401,
        code: 'UNAUTHORIZED',
        calls: {},
      });
    },
  );

  it("reads the stream once for the owner's request, as before: the core acts on what the check read", async () => {
    const part = await attempt('recording/parts', { token: alice, body: { partNumber: 1, sizeBytes: 1024 } });
    const resumed = await attempt('recording', { token: alice, body: { contentType: 'video/webm' } });

    expect(part).toEqual({ status: 200, code: undefined, calls: { GetItem: 1 } });
    expect(resumed).toEqual({ status: 200, code: undefined, calls: { GetItem: 1 } });
  });
});
