import { randomUUID } from 'node:crypto';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_INDEX_SHARDS } from '../../functions/manifest.ts';
import { type CallOptions, harness } from './harness.ts';

let h: Awaited<ReturnType<typeof harness>>;
const t: Record<string, string> = {};
const s: Record<string, string> = {};
let bobViewerId = '';

/** A well-formed token for alice signed by a key the service has never seen. */
async function forgedToken() {
  const { privateKey } = await generateKeyPair('ES256');
  return new SignJWT({ roles: [] })
    .setProtectedHeader({ alg: 'ES256', kid: 'forged' })
    .setSubject('alice')
    .setIssuer(process.env.AUTH_ISSUER ?? '')
    .setAudience(process.env.AUTH_AUDIENCE ?? '')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);
}

/** An unsigned token (`alg: none`), the oldest JWT trick in the book. */
function unsignedToken() {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const exp = Math.floor(Date.now() / 1000) + 3600;
  return `${part({ alg: 'none' })}.${part({ sub: 'alice', iss: process.env.AUTH_ISSUER, aud: process.env.AUTH_AUDIENCE, exp })}.x`;
}

beforeAll(async () => {
  h = await harness();
  t.alice = await h.token('alice');
  t.bob = await h.token('bob');
  // The shortest lifetime the issuer grants; the fixtures below take longer than that to build.
  t.expired = await h.stack.issuer.mint({ userId: 'alice', expiresInSeconds: 1 });
  const expiry = Date.now() + 1000;
  t.forged = await forgedToken();
  t.unsigned = unsignedToken();
  s.created = (await h.newStream('alice')).streamId;
  const live = await h.newStream('alice', { start: true });
  s.live = live.streamId;
  s.liveKey = live.streamKey;
  const ended = await h.newStream('alice', { start: true });
  await h.call('POST', `/api/livestream/${ended.streamId}/end`, { token: ended.ownerToken });
  s.ended = ended.streamId;
  bobViewerId = (await h.call('POST', `/api/livestream/${s.live}/join`, { token: t.bob })).body.viewerId;
  // JWT times have one-second resolution: wait until `exp` is unambiguously past.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiry + 1100 - Date.now())));
});
afterAll(() => h.close());

const json = (body: unknown) => ({ token: t.alice, body });
const valid = { title: 'ok', description: '', recordingEnabled: false };

/** [case, method, path (fn of the fixtures), options, status, error code] */
type Case = [string, string, () => string, () => CallOptions, number, string];
const create = () => '/api/livestream/create';
const on =
  (which: string, action = '') =>
  () =>
    `/api/livestream/${s[which]}${action && `/${action}`}`;

/** A cursor as this API encodes them: base64url JSON. */
const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const id = '0b6f2a52-4b8e-4d5e-9b43-2f1f0e6a7b10';
const shards = (first: unknown) => [first, ...Array(LIVE_INDEX_SHARDS - 1).fill(null)];

/** Cursors whose JSON decodes but whose key DynamoDB would refuse or never have returned. */
function forgedCursors(): Case[] {
  const active: [string, unknown][] = [
    ['an empty stream id', shards({ streamId: '', startedAt: 1 })],
    ['an extra key', shards({ streamId: id, startedAt: 1, liveShard: 'live#0', extra: 1 })],
    ['a numeric stream id', shards({ streamId: 7, startedAt: 1 })],
    ['a start time past any date', shards({ streamId: id, startedAt: 1e300 })],
    ['a fractional start time', shards({ streamId: id, startedAt: 1.5 })],
    ['a position that is a list', shards([id, 1])],
    ['too few shards', [null]],
    ['an object instead of shards', { streamId: id, startedAt: 1 }],
  ];
  const recordings: [string, unknown][] = [
    ['an empty stream id', { streamId: '', recordingOwnerId: 'alice', recordingOpenedAt: 1 }],
    ['an extra key', { streamId: id, recordingOwnerId: 'alice', recordingOpenedAt: 1, x: 1 }],
    ['a start time past any date', { streamId: id, recordingOwnerId: 'alice', recordingOpenedAt: 1e300 }],
    ['a negative start time', { streamId: id, recordingOwnerId: 'alice', recordingOpenedAt: -1 }],
    ['a string start time', { streamId: id, recordingOwnerId: 'alice', recordingOpenedAt: '1' }],
    ["another owner's key", { streamId: id, recordingOwnerId: 'bob', recordingOpenedAt: 1 }],
    ['a list', [id, 'alice', 1]],
  ];
  return [
    ...active.map(
      ([name, value]): Case => [
        `active with a cursor holding ${name}`,
        'GET',
        () => `/api/livestream/active?cursor=${cursor(value)}`,
        () => ({}),
        400,
        'INVALID_CURSOR',
      ],
    ),
    ...recordings.map(
      ([name, value]): Case => [
        `recordings with a cursor holding ${name}`,
        'GET',
        () => `/api/livestream/recordings?cursor=${cursor(value)}`,
        () => ({ token: t.alice }),
        400,
        'INVALID_CURSOR',
      ],
    ),
  ];
}

/** Line separators and bidi controls in the text other users see (docs/api.md, "Text"). */
function spoofingText(): Case[] {
  const chat = () => `/api/livestream/${s.live}/chat`;
  return [
    ['a title with U+2028 LINE SEPARATOR', create, { ...valid, title: 'a\u2028b' }],
    ['a title with U+2029 PARAGRAPH SEPARATOR', create, { ...valid, title: 'a\u2029b' }],
    ['a title with U+202E RIGHT-TO-LEFT OVERRIDE', create, { ...valid, title: 'invoice\u202efdp.exe' }],
    ['a description with U+2028 LINE SEPARATOR', create, { ...valid, description: 'a\u2028b' }],
    ['a description with a lone CR', create, { ...valid, description: 'a\rb' }],
    ['a description with U+2066 LEFT-TO-RIGHT ISOLATE', create, { ...valid, description: 'a\u2066b' }],
    ['a chat message with U+202E RIGHT-TO-LEFT OVERRIDE', chat, { message: 'gg\u202eeasy' }],
    ['a chat message with U+2067 RIGHT-TO-LEFT ISOLATE', chat, { message: 'a\u2067b\u2069' }],
  ].map(
    ([name, path, body]): Case => [
      name as string,
      'POST',
      path as () => string,
      () => ({ token: t.bob, body }),
      400,
      'VALIDATION_FAILED',
    ],
  );
}

const cases: Case[] = [
  [
    'malformed JSON',
    'POST',
    create,
    () => ({ token: t.alice, rawBody: '{"title":', headers: { 'Content-Type': 'application/json' } }),
    400,
    'INVALID_JSON',
  ],
  ['a JSON array body', 'POST', create, () => json([valid]), 400, 'VALIDATION_FAILED'],
  [
    'a missing title',
    'POST',
    create,
    () => json({ description: 'x', recordingEnabled: false }),
    400,
    'VALIDATION_FAILED',
  ],
  ['a numeric title', 'POST', create, () => json({ ...valid, title: 42 }), 400, 'VALIDATION_FAILED'],
  [
    'a whitespace-only title',
    'POST',
    create,
    () => json({ ...valid, title: '   ' }),
    400,
    'VALIDATION_FAILED',
  ],
  [
    'a 141-character title',
    'POST',
    create,
    () => json({ ...valid, title: 'x'.repeat(141) }),
    400,
    'VALIDATION_FAILED',
  ],
  [
    'a title with a line break',
    'POST',
    create,
    () => json({ ...valid, title: 'a\nb' }),
    400,
    'VALIDATION_FAILED',
  ],
  ...spoofingText(),
  [
    'a 2,001-character description',
    'POST',
    create,
    () => json({ ...valid, description: 'd'.repeat(2001) }),
    400,
    'VALIDATION_FAILED',
  ],
  [
    'a string recordingEnabled',
    'POST',
    create,
    () => json({ ...valid, recordingEnabled: 'yes' }),
    400,
    'VALIDATION_FAILED',
  ],
  ['maxViewers of 0', 'POST', create, () => json({ ...valid, maxViewers: 0 }), 400, 'VALIDATION_FAILED'],
  [
    'a fractional maxViewers',
    'POST',
    create,
    () => json({ ...valid, maxViewers: 1.5 }),
    400,
    'VALIDATION_FAILED',
  ],
  ['an unknown field', 'POST', create, () => json({ ...valid, streamKey: 'mine' }), 400, 'VALIDATION_FAILED'],
  [
    'a 20 KB body',
    'POST',
    create,
    () => json({ ...valid, description: 'd'.repeat(20_000) }),
    413,
    'PAYLOAD_TOO_LARGE',
  ],
  [
    'a form-encoded body',
    'POST',
    create,
    () => ({
      token: t.alice,
      rawBody: 'title=x',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    }),
    415,
    'UNSUPPORTED_MEDIA_TYPE',
  ],
  ['no token', 'POST', create, () => ({ body: valid }), 401, 'UNAUTHORIZED'],
  ['an expired token', 'POST', create, () => ({ token: t.expired, body: valid }), 401, 'TOKEN_EXPIRED'],
  [
    'a token signed by another key',
    'POST',
    create,
    () => ({ token: t.forged, body: valid }),
    401,
    'INVALID_TOKEN',
  ],
  [
    'an unsigned (alg: none) token',
    'POST',
    create,
    () => ({ token: t.unsigned, body: valid }),
    401,
    'INVALID_TOKEN',
  ],
  [
    'Basic credentials',
    'POST',
    create,
    () => ({ body: valid, headers: { Authorization: 'Basic YWxpY2U6eA==' } }),
    401,
    'INVALID_TOKEN',
  ],
  ['a malformed stream id', 'GET', () => '/api/livestream/not.an.id', () => ({}), 400, 'VALIDATION_FAILED'],
  [
    'a well-formed id that names no stream',
    'GET',
    () => '/api/livestream/not-a-uuid',
    () => ({}),
    404,
    'STREAM_NOT_FOUND',
  ],
  ['an unknown stream', 'GET', () => `/api/livestream/${randomUUID()}`, () => ({}), 404, 'STREAM_NOT_FOUND'],
  ['an unknown route', 'GET', () => '/api/livestream/create/extra', () => ({}), 404, 'ROUTE_NOT_FOUND'],
  ['a wrong method', 'DELETE', on('live'), () => ({ token: t.alice }), 404, 'ROUTE_NOT_FOUND'],
  [
    'active with limit=0',
    'GET',
    () => '/api/livestream/active?limit=0',
    () => ({}),
    400,
    'VALIDATION_FAILED',
  ],
  [
    'active with limit=abc',
    'GET',
    () => '/api/livestream/active?limit=abc',
    () => ({}),
    400,
    'VALIDATION_FAILED',
  ],
  [
    'active with a forged cursor',
    'GET',
    () => '/api/livestream/active?cursor=eyJzIjoxfQ',
    () => ({}),
    400,
    'INVALID_CURSOR',
  ],
  ...forgedCursors(),
  [
    'active with cursor and offset',
    'GET',
    () => '/api/livestream/active?cursor=x&offset=3',
    () => ({}),
    400,
    'VALIDATION_FAILED',
  ],
  [
    'active with an unknown parameter',
    'GET',
    () => '/api/livestream/active?sort=hot',
    () => ({}),
    400,
    'VALIDATION_FAILED',
  ],
  [
    'active with a repeated parameter',
    'GET',
    () => '/api/livestream/active?limit=1&limit=2',
    () => ({}),
    400,
    'VALIDATION_FAILED',
  ],
  [
    'active with query names that are Object members',
    'GET',
    () => '/api/livestream/active?constructor=1&__proto__=2&hasOwnProperty=3',
    () => ({}),
    400,
    'VALIDATION_FAILED',
  ],
  [
    'joining with headers named like Object members, without a token',
    'POST',
    on('live', 'join'),
    () => ({
      headers: Object.fromEntries([
        ['constructor', 'x'],
        ['__proto__', 'y'],
        ['hasOwnProperty', 'z'],
      ]),
    }),
    401,
    'UNAUTHORIZED',
  ],
  [
    "starting another user's stream",
    'POST',
    on('created', 'start'),
    () => ({ token: t.bob }),
    403,
    'FORBIDDEN',
  ],
  [
    'starting with a wrong stream key',
    'POST',
    on('created', 'start'),
    () => ({ headers: { 'X-Stream-Key': 'sk_wrong' } }),
    403,
    'FORBIDDEN',
  ],
  ['starting with neither token nor key', 'POST', on('created', 'start'), () => ({}), 401, 'UNAUTHORIZED'],
  [
    'starting a live stream',
    'POST',
    on('live', 'start'),
    () => ({ token: t.alice }),
    409,
    'STREAM_ALREADY_LIVE',
  ],
  ['starting an ended stream', 'POST', on('ended', 'start'), () => ({ token: t.alice }), 409, 'STREAM_ENDED'],
  [
    'ending a stream never started',
    'POST',
    on('created', 'end'),
    () => ({ token: t.alice }),
    409,
    'STREAM_NOT_LIVE',
  ],
  ["ending another user's stream", 'POST', on('live', 'end'), () => ({ token: t.bob }), 403, 'FORBIDDEN'],
  [
    'ending with a javascript: recordingUrl',
    'POST',
    on('live', 'end'),
    () => json({ recordingUrl: 'javascript:alert(1)' }),
    400,
    'VALIDATION_FAILED',
  ],
  ["rotating another user's key", 'POST', on('live', 'key'), () => ({ token: t.bob }), 403, 'FORBIDDEN'],
  [
    'joining a stream not yet live',
    'POST',
    on('created', 'join'),
    () => ({ token: t.bob }),
    409,
    'STREAM_NOT_LIVE',
  ],
  ['joining an ended stream', 'POST', on('ended', 'join'), () => ({ token: t.bob }), 409, 'STREAM_ENDED'],
  [
    'joining an unknown stream',
    'POST',
    () => `/api/livestream/${randomUUID()}/join`,
    () => ({ token: t.bob }),
    404,
    'STREAM_NOT_FOUND',
  ],
  ['joining without a token', 'POST', on('live', 'join'), () => ({}), 401, 'UNAUTHORIZED'],
  [
    'leaving with a viewerId that is not an id',
    'POST',
    on('live', 'leave'),
    () => ({ token: t.bob, body: { viewerId: '../x' } }),
    400,
    'VALIDATION_FAILED',
  ],
  [
    'leaving an unknown session',
    'POST',
    on('live', 'leave'),
    () => ({ token: t.bob, body: { viewerId: randomUUID() } }),
    404,
    'VIEWER_NOT_FOUND',
  ],
  [
    "leaving another user's session",
    'POST',
    on('live', 'leave'),
    () => ({ token: t.alice, body: { viewerId: bobViewerId } }),
    403,
    'FORBIDDEN',
  ],
];

describe('bad input', () => {
  const rows = cases.map(([name, method, path, options, status, code]) => ({
    name,
    method,
    path,
    options,
    status,
    code,
  }));
  it.each(rows)('$name: $status $code, nothing stored', async ({ method, path, options, status, code }) => {
    const before = await h.snapshot();
    const res = await h.call(method, path(), options());
    expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
    expect(res.body.error.message).toEqual(expect.any(String));
    expect(res.body.error.message.length).toBeGreaterThan(5);
    expect(await h.snapshot()).toEqual(before);
  });

  it('keeps right-to-left text, its LRM/RLM marks, and line breaks and tabs in a description', async () => {
    const text = { title: 'שידור \u200fחי\u200f live', description: 'שורה\r\nline\ttab\nمرحبا' };
    const res = await h.call('POST', '/api/livestream/create', json({ ...valid, ...text }));

    expect(res.status).toBe(201);
    expect(res.body.stream).toMatchObject(text);
  });

  it('names the offending field', async () => {
    const res = await h.call('POST', '/api/livestream/create', json({ ...valid, title: 'x'.repeat(141) }));
    expect(res.body.error.details.issues).toEqual([
      { field: 'title', message: 'must be at most 140 characters' },
    ]);
  });
});
