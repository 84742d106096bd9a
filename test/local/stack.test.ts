import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restRoutes, tables } from '../../functions/manifest.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { connect, nextMessage, RefusedError } from './apigateway/gateway-harness.ts';

const postToken = (stack: LocalStack, body: string) =>
  fetch(`${stack.url}/api/dev/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body,
  });

describe('startLocalStack (in memory)', () => {
  let stack: LocalStack;
  const developerEnv = {
    DEFAULT_MAX_VIEWERS: '7',
    TURN_SERVER: 'turn:example.org:3478',
    TURN_USERNAME: 'u',
    TURN_PASSWORD: 'p',
    SIGNALING_TICKET_TTL_SECONDS: '30',
    BROADCASTER_GRACE_SECONDS: '5',
  };
  beforeAll(async () => {
    Object.assign(process.env, developerEnv);
    stack = await startLocalStack({ quiet: true });
  });
  afterAll(async () => {
    await stack.close();
    for (const name of Object.keys(developerEnv)) delete process.env[name];
  });

  it('points the handler environment at the local stand-ins', () => {
    expect(process.env).toMatchObject({
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_DYNAMODB: stack.dynamo.endpoint,
      STREAMS_TABLE: 'Livestreams',
      VIEWERS_TABLE: 'LivestreamViewers',
      CHAT_TABLE: 'LivestreamChat',
      CONNECTIONS_TABLE: 'LivestreamConnections',
      AUTH_JWKS_URL: `${stack.url}/.well-known/jwks.json`,
      AUTH_ISSUER: stack.issuer.issuer,
      AUTH_AUDIENCE: 'dreamx-livestream',
      CONNECTION_TTL_SECONDS: '7500',
      SIGNALING_URL: stack.wsUrl,
      WS_CALLBACK_URL: `${stack.url}/ws`,
      AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI: `${stack.url}/ws`,
      AWS_ENDPOINT_URL_SCHEDULER: `${stack.url}/scheduler`,
      SIGNALING_SECRET: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      WATCHDOG_FUNCTION_ARN: 'arn:aws:lambda:us-east-1:000000000000:function:streamWatchdog',
      WATCHDOG_SCHEDULER_ROLE_ARN: 'arn:aws:iam::000000000000:role/local-scheduler',
      WATCHDOG_SCHEDULE_GROUP: 'stream-watchdog',
    });
    expect(stack.wsUrl).toBe(`ws://127.0.0.1:${stack.port}/ws`);
  });

  it("keeps the developer's DEFAULT_MAX_VIEWERS, TURN, ticket TTL and grace settings", () => {
    expect(process.env).toMatchObject(developerEnv);
  });

  it('mints a dev token over HTTP that verifies against the served JWKS', async () => {
    const res = await postToken(stack, JSON.stringify({ userId: 'alice', roles: ['admin'] }));
    const body = (await res.json()) as { token: string; expiresIn: number; userId: string };

    const { payload } = await jwtVerify(
      body.token,
      createRemoteJWKSet(new URL(stack.env.AUTH_JWKS_URL ?? '')),
      {
        issuer: stack.env.AUTH_ISSUER,
        audience: stack.env.AUTH_AUDIENCE,
      },
    );

    expect(res.status).toBe(201);
    expect(body).toMatchObject({ expiresIn: 3600, userId: 'alice' });
    expect(payload).toMatchObject({ sub: 'alice', roles: ['admin'] });
  });

  /** A browser's request from a page of `origin` (a browser always sends Origin on a POST). */
  const tokenFrom = (origin: string, method = 'POST') =>
    fetch(`${stack.url}/api/dev/token`, {
      method,
      headers: {
        Origin: origin,
        'Content-Type': 'application/json',
        'Access-Control-Request-Method': 'POST',
      },
      ...(method === 'POST' && { body: JSON.stringify({ userId: 'mallory', roles: ['admin'] }) }),
    });

  it.each([
    ['the stack itself', () => stack.url],
    ['the stack as 127.0.0.1', () => `http://127.0.0.1:${stack.port}`],
    ['the stack as localhost', () => `http://localhost:${stack.port}`],
    ["Vite's dev server", () => 'http://localhost:5173'],
  ])('mints tokens for a page of %s, and lets that page read them', async (_case, origin) => {
    const preflight = await tokenFrom(origin(), 'OPTIONS');
    const res = await tokenFrom(origin());

    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin());
    expect(res.status).toBe(201);
    expect(res.headers.get('access-control-allow-origin')).toBe(origin());
    expect(res.headers.get('vary')).toMatch(/Origin/);
  });

  it.each([
    ['another site', () => 'https://evil.example'],
    ['an opaque origin (sandboxed frame, file://)', () => 'null'],
    ['another port of this machine', () => `http://localhost:${stack.port + 1}`],
    ['a look-alike host', () => 'http://localhost:5173.evil.example'],
    ['https on the same host', () => `https://127.0.0.1:${stack.port}`],
  ])('refuses a page of %s: 403 ORIGIN_NOT_ALLOWED, no token, no CORS header', async (_case, origin) => {
    const preflight = await tokenFrom(origin(), 'OPTIONS');
    const res = await tokenFrom(origin());
    const text = await res.text();

    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'ORIGIN_NOT_ALLOWED' } });
    expect(text).not.toMatch(/eyJ/);
  });

  it.each([
    ['@connections', '/ws/@connections/QQFxqeZfIAMCKRA%3D', 'hello'],
    ['the Scheduler', '/scheduler/schedules/evil', '{"ScheduleExpression":"at(2030-01-01T00:00:00)"}'],
    ['MediaConvert', '/mediaconvert/2017-08-29/jobs', '{"Role":"x","Settings":{}}'],
  ])(
    "refuses a web page's unsigned call to %s: 403, as AWS refuses a call without IAM signature",
    async (_api, path, body) => {
      const res = await fetch(`${stack.url}${path}`, {
        method: 'POST',
        // A "simple" request: a browser sends it cross-origin without asking first.
        headers: { Origin: 'https://evil.example', 'Content-Type': 'text/plain' },
        body,
      });

      expect(res.status).toBe(403);
      expect(res.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    },
  );

  it('still mints for scripts and curl, which send no Origin, without a CORS header', async () => {
    const res = await postToken(stack, JSON.stringify({ userId: 'script' }));

    expect(res.status).toBe(201);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it.each([
    ['not JSON', '{'],
    ['no userId', '{}'],
    ['a bad userId', '{"userId":"a b"}'],
    ['roles that are not strings', '{"userId":"a","roles":[1]}'],
    ['an unknown field', '{"userId":"a","admin":true}'],
  ])('answers 400 VALIDATION_FAILED for %s', async (_case, body) => {
    const res = await postToken(stack, body);

    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { code: 'VALIDATION_FAILED', message: expect.any(String) },
    });
  });

  it('serves every manifest route through its handler module', async () => {
    for (const route of restRoutes) {
      const res = await fetch(`${stack.url}${route.path.replace('{streamId}', 'no-such-stream')}`, {
        method: route.method,
      });
      // Anything the handler said is fine here; a 404 ROUTE_NOT_FOUND or a 502 would be the emulator's.
      const body = await res.text();
      expect({ route: route.handler, status: res.status, body }).not.toMatchObject({ status: 502 });
      expect(body).not.toContain('ROUTE_NOT_FOUND');
    }
  });

  it('names the failing field the way the service does (details.issues)', async () => {
    const res = await postToken(stack, '{"userId":"a b"}');

    expect(await res.json()).toMatchObject({
      error: { details: { issues: [{ field: 'userId', message: expect.stringMatching(/1 to 128/) }] } },
    });
  });

  it('counts the DynamoDB calls the handlers make: GET /active is a Query on the live index', async () => {
    stack.dynamo.calls.reset();

    const res = await fetch(`${stack.url}/api/livestream/active`);

    expect(res.status).toBe(200);
    expect(
      stack.dynamo.calls.count({ operation: 'Query', table: 'Livestreams', index: 'live' }),
    ).toBeGreaterThan(0);
    expect(stack.dynamo.calls.count({ operation: 'Scan' })).toBe(0);
  });

  it("streams the chat table to chatFanOut; idle() waits for it, and the stream's reads are not counted", async () => {
    const client = new DynamoDBClient({});
    const Key = { streamId: { S: 'chat-s1' }, messageId: { S: 'msg#1' } };
    stack.dynamo.calls.reset();

    await client.send(
      new PutItemCommand({
        TableName: tables.chat.name,
        // As the chat store writes a message (functions/adapters/chat-store.ts).
        Item: {
          ...Key,
          id: { S: '1' },
          userId: { S: 'alice' },
          message: { S: 'hi' },
          createdAt: { N: String(Date.now()) },
          kind: { S: 'message' },
        },
      }),
    );
    // An update makes the stand-in read the new image back: that GetItem is its own, not counted.
    await client.send(
      new UpdateItemCommand({
        TableName: tables.chat.name,
        Key,
        UpdateExpression: 'SET deletedAt = :t',
        ExpressionAttributeValues: { ':t': { N: String(Date.now()) } },
      }),
    );
    await stack.streams.idle();
    client.destroy();

    expect(stack.dynamo.calls.count({ table: tables.chat.name })).toBe(2);
  });

  it('serves the WebSocket API on the same port: no ticket, no connection (401)', async () => {
    const status = await connect(stack.wsUrl).then(
      () => 0,
      (err: unknown) => (err instanceof RefusedError ? err.status : -1),
    );

    expect(status).toBe(401);
    expect(stack.connections.count()).toBe(0);
  });

  it('serves the Scheduler API to a SchedulerClient built with no options, in the watchdog group', async () => {
    const client = new SchedulerClient({});
    const input = {
      Name: 'stack-test',
      GroupName: process.env.WATCHDOG_SCHEDULE_GROUP,
      ScheduleExpression: 'at(2099-01-01T00:00:00)',
      FlexibleTimeWindow: { Mode: 'OFF' as const },
      Target: {
        Arn: process.env.WATCHDOG_FUNCTION_ARN,
        RoleArn: process.env.WATCHDOG_SCHEDULER_ROLE_ARN,
        Input: '{"streamId":"s1","goneAt":0}',
      },
    };
    const bad = await client
      .send(new CreateScheduleCommand({ ...input, ScheduleExpression: 'at(tomorrow)' }))
      .catch((err: Error) => err.name);

    const created = await client.send(new CreateScheduleCommand(input));
    await client.send(new DeleteScheduleCommand({ Name: input.Name, GroupName: input.GroupName }));
    client.destroy();

    expect(bad).toBe('ValidationException');
    expect(created.ScheduleArn).toMatch(/schedule\/stream-watchdog\/stack-test$/);
  });

  it('runs the real WebSocket handlers: ticket, $connect, a two-way frame, $disconnect, the watchdog', async () => {
    const token = await stack.issuer.mint({ userId: 'alice' });
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    const post = async (path: string, body: unknown) =>
      (await fetch(`${stack.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) })).json();
    const { streamId } = (await post('/api/livestream/create', { title: 'WS', recordingEnabled: false })) as {
      streamId: string;
    };
    const { signaling } = (await post(`/api/livestream/${streamId}/start`, {})) as {
      signaling: { url: string; ticket: string };
    };

    const ws = await connect(`${signaling.url}?ticket=${encodeURIComponent(signaling.ticket)}`);
    const ack = nextMessage(ws);
    ws.send(JSON.stringify({ action: 'stream:offer', data: {}, ref: '1' }));
    expect(JSON.parse(await ack)).toMatchObject({ event: 'stream:offer:ack', ref: '1' });
    expect(stack.connections.count()).toBe(1);
    ws.close();

    // BROADCASTER_GRACE_SECONDS is 5 here: $disconnect schedules the watchdog, which ends the stream.
    const status = async () =>
      ((await (await fetch(`${stack.url}/api/livestream/${streamId}`)).json()) as { status: string }).status;
    expect(await status()).toBe('live');
    const deadline = Date.now() + 9_000;
    while ((await status()) !== 'ended' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 250));
    expect(await status()).toBe('ended');
  }, 15_000);

  it('refuses a second stack in the same process', async () => {
    await expect(startLocalStack({ quiet: true })).rejects.toThrow(/already running/);
  });
});

describe('startLocalStack (persisted)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-stack-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('keeps tables and dev keys across a restart, and closes twice without error', async () => {
    const first = await startLocalStack({ dataDir: dir, quiet: true });
    const client = () =>
      new DynamoDBClient({
        endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
    await client().send(
      new PutItemCommand({ TableName: tables.streams.name, Item: { streamId: { S: 'kept' } } }),
    );
    const keys = first.issuer.jwks();
    const secret = first.env.SIGNALING_SECRET;
    // An idle keep-alive connection must not hold close() open.
    await fetch(`${first.url}/.well-known/jwks.json`);
    await first.close();
    await first.close();

    const second = await startLocalStack({ dataDir: dir, quiet: true });
    const { Item } = await client().send(
      new GetItemCommand({ TableName: tables.streams.name, Key: { streamId: { S: 'kept' } } }),
    );
    await second.close();

    expect(Item).toEqual({ streamId: { S: 'kept' } });
    expect(second.issuer.jwks()).toEqual(keys);
    expect(second.env.SIGNALING_SECRET).toBe(secret);
    await expect(fetch(`${second.url}/.well-known/jwks.json`)).rejects.toThrow();
  });
});
