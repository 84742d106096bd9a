import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restRoutes, tables } from '../../functions/manifest.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';

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
    });
  });

  it("keeps the developer's DEFAULT_MAX_VIEWERS and TURN settings", () => {
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
    await expect(fetch(`${second.url}/.well-known/jwks.json`)).rejects.toThrow();
  });
});
