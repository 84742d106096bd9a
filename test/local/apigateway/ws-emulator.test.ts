import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { calls, eventually, invocations } from './fixtures/ws-recorder.ts';
import {
  closed,
  connect,
  nextMessage,
  RefusedError,
  startGateway,
  type TestGateway,
} from './gateway-harness.ts';

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => 0,
    (err: unknown) => (err instanceof RefusedError ? err.status : -1),
  );

describe('WebSocket emulator: the upgrade', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw.close());
  beforeEach(() => {
    invocations.length = 0;
  });

  it('answers 401 without a ticket, without calling the authorizer', async () => {
    expect(await refusal(connect(gw.wsUrl))).toBe(401);
    expect(await refusal(connect(`${gw.wsUrl}?ticket=`))).toBe(401);
    expect(calls('authorizer')).toHaveLength(0);
  });

  it.each([
    ['denies', 'deny', 403],
    ['throws Unauthorized', 'unauthorized', 401],
    ['throws another error', 'boom', 500],
    ['puts an object in its context', 'nested', 500],
  ])('refuses with the status API Gateway uses when the authorizer %s', async (_case, ticket, status) => {
    expect(await refusal(connect(`${gw.wsUrl}?ticket=${ticket}`))).toBe(status);
    expect(calls('authorizer')).toHaveLength(1);
    expect(calls('connect')).toHaveLength(0);
  });

  it('refuses with the status $connect answers, or 500 when it throws; no $disconnect follows', async () => {
    expect(await refusal(connect(`${gw.wsUrl}?ticket=a&connectStatus=429`))).toBe(429);
    expect(await refusal(connect(`${gw.wsUrl}?ticket=a&connectThrows`))).toBe(500);
    expect(calls('connect')).toHaveLength(2);
    expect(calls('disconnect')).toHaveLength(0);
    expect(gw.gateway.connections.count()).toBe(0);
  });

  it('sends the authorizer a WebSocket REQUEST event', async () => {
    const ws = await connect(`${gw.wsUrl}?ticket=alice`);
    const [auth] = calls('authorizer');
    ws.close();

    expect(auth?.functionName).toBe('wsAuthorize');
    expect(auth?.event).toMatchObject({
      type: 'REQUEST',
      methodArn: 'arn:aws:execute-api:us-east-1:000000000000:local/ws/$connect',
      queryStringParameters: { ticket: 'alice' },
      multiValueQueryStringParameters: { ticket: ['alice'] },
      headers: { Upgrade: 'websocket', 'X-Forwarded-For': '127.0.0.1', 'X-Forwarded-Proto': 'http' },
      stageVariables: {},
      requestContext: {
        routeKey: '$connect',
        eventType: 'CONNECT',
        messageDirection: 'IN',
        stage: 'ws',
        apiId: 'local',
        domainName: `127.0.0.1:${gw.port}`,
        identity: { sourceIp: '127.0.0.1' },
        connectionId: expect.stringMatching(/^[A-Za-z0-9]{15}=$/),
      },
    });
  });

  it('runs $connect with the authorizer context, stringified, and completes the upgrade', async () => {
    const ws = await connect(`${gw.wsUrl}?ticket=alice`);
    const [{ event } = { event: undefined }] = calls('connect');
    const id = event.requestContext.connectionId;

    expect(event.requestContext).toMatchObject({
      routeKey: '$connect',
      eventType: 'CONNECT',
      connectionId: calls('authorizer')[0]?.event.requestContext.connectionId,
      requestId: calls('authorizer')[0]?.event.requestContext.requestId,
      authorizer: {
        principalId: 'user-alice',
        streamId: 'stream-1',
        userId: 'alice',
        slot: '3',
        ready: 'true',
        integrationLatency: expect.any(Number),
      },
    });
    expect(event).toMatchObject({ queryStringParameters: { ticket: 'alice' }, isBase64Encoded: false });
    expect(gw.gateway.connections.ids()).toContain(id);
    ws.close();
  });

  it('takes query and header names that are Object members as data, and never logs the query', async () => {
    const lines: string[] = [];
    const logged = await startGateway({
      logger: { info: (line) => lines.push(line), error: (line) => lines.push(line) },
    });
    const headers = Object.fromEntries([
      ['constructor', 'x'],
      ['__proto__', 'y'],
    ]);
    const query = 'ticket=secret-ticket&constructor=1&__proto__=2&hasOwnProperty=3&hasOwnProperty=4';

    const ws = await connect(`${logged.wsUrl}?${query}`, undefined, headers);
    const [auth] = calls('authorizer');
    const id = auth?.event.requestContext.connectionId;
    const [connected] = calls('connect', id);
    ws.close();
    await eventually(() => expect(calls('disconnect', id)).toHaveLength(1));
    await logged.close();

    for (const event of [auth?.event, connected?.event]) {
      expect(Object.entries(event.queryStringParameters)).toEqual([
        ['ticket', 'secret-ticket'],
        ['constructor', '1'],
        ['__proto__', '2'],
        ['hasOwnProperty', '4'],
      ]);
      expect(Object.entries(event.multiValueQueryStringParameters)).toContainEqual([
        'hasOwnProperty',
        ['3', '4'],
      ]);
      expect(Object.entries(event.headers)).toEqual(
        expect.arrayContaining([
          ['constructor', 'x'],
          ['__proto__', 'y'],
        ]),
      );
    }
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toMatch(/secret-ticket/);
  });

  it('answers with the subprotocol $connect chose in its Sec-WebSocket-Protocol header', async () => {
    const ws = await connect(`${gw.wsUrl}?ticket=a&protocol=signal.v1`, ['other', 'signal.v1']);

    expect(ws.protocol).toBe('signal.v1');
    ws.close();
  });
});

describe('WebSocket emulator: messages and $disconnect', () => {
  let gw: TestGateway;
  let ws: WebSocket;
  let id: string;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw.close());
  beforeEach(async () => {
    invocations.length = 0;
    ws = await connect(`${gw.wsUrl}?ticket=bob`);
    id = calls('connect')[0]?.event.requestContext.connectionId;
  });
  afterEach(async () => {
    ws.close();
    await eventually(() => expect(calls('disconnect', id)).toHaveLength(1));
  });

  const send = async (data: string | Buffer) => {
    const reply = nextMessage(ws);
    ws.send(data);
    return JSON.parse(await reply) as Record<string, unknown>;
  };

  it('routes on the body action: a custom route, else $default; replies with the returned body', async () => {
    expect(await send('{"action":"ping"}')).toMatchObject({ functionName: 'wsPing', routeKey: 'ping' });
    expect(await send('{"action":"stream:join"}')).toMatchObject({
      functionName: 'wsDefault',
      routeKey: '$default',
    });
    expect(await send('{"action":"$connect"}')).toMatchObject({ routeKey: '$default' });
    expect(await send('{"action":7}')).toMatchObject({ routeKey: '$default' });
    expect(await send('not json')).toMatchObject({ routeKey: '$default', body: 'not json' });
  });

  it('gives every message the connection, a message id and the same authorizer as $connect', async () => {
    await send('{"action":"stream:join"}');
    const [message] = calls('message');
    const authorizer = calls('connect')[0]?.event.requestContext.authorizer;

    expect(message?.event).toMatchObject({
      body: '{"action":"stream:join"}',
      isBase64Encoded: false,
      requestContext: { routeKey: '$default', eventType: 'MESSAGE', connectionId: id, stage: 'ws' },
    });
    expect(message?.event.requestContext.messageId).toMatch(/=$/);
    expect(message?.event.requestContext.authorizer).toEqual(authorizer);
  });

  it('passes a binary frame base64-encoded', async () => {
    expect(await send(Buffer.from([0, 1, 2, 255]))).toMatchObject({
      routeKey: '$default',
      body: 'AAEC/w==',
      isBase64Encoded: true,
    });
  });

  it("sends API Gateway's error frame when the route fails, and nothing when it returns no body", async () => {
    ws.send('silent');
    expect(await send('throw')).toEqual({
      message: 'Internal server error',
      connectionId: id,
      requestId: expect.any(String),
    });
    expect(calls('message')).toHaveLength(2);
    expect(gw.errors.some((line) => line.includes('wsDefault failed'))).toBe(true);
  });

  it('runs the invocations of one connection in order', async () => {
    const replies: string[] = [];
    ws.on('message', (data: Buffer) => replies.push(JSON.parse(data.toString()).body));
    ws.send('slow:150');
    ws.send('fast');

    await eventually(() => expect(replies).toEqual(['slow:150', 'fast']));
  });

  it('runs $disconnect once when the client closes, with its code, reason and the authorizer', async () => {
    ws.close(4000, 'bye');
    await eventually(() => expect(calls('disconnect', id)).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(calls('disconnect', id)).toHaveLength(1);
    expect(calls('disconnect', id)[0]?.event.requestContext).toMatchObject({
      routeKey: '$disconnect',
      eventType: 'DISCONNECT',
      connectionId: id,
      disconnectStatusCode: 4000,
      disconnectReason: 'bye',
      authorizer: { principalId: 'user-bob', userId: 'bob' },
    });
    expect(gw.gateway.connections.ids()).not.toContain(id);
  });

  it('reports a close frame without a status as AWS does (1005)', async () => {
    ws.close();
    const [disconnect] = await eventually(() => {
      expect(calls('disconnect', id)).toHaveLength(1);
      return calls('disconnect', id);
    });

    expect(disconnect?.event.requestContext).toMatchObject({
      disconnectStatusCode: 1005,
      disconnectReason: 'Client-side close frame status not set',
    });
  });

  it('closes with 1009 a message over 128 KB, without routing it, and runs $disconnect once', async () => {
    expect(await send('x'.repeat(128 * 1024))).toMatchObject({ body: `<${128 * 1024} bytes>` });

    const bye = closed(ws);
    ws.send('x'.repeat(128 * 1024 + 1));

    expect((await bye).code).toBe(1009);
    await eventually(() => expect(calls('disconnect', id)).toHaveLength(1));
    expect(calls('disconnect', id)[0]?.event.requestContext.disconnectStatusCode).toBe(1009);
    expect(calls('message').map((c) => c.event.body.length)).toEqual([128 * 1024]);
  });
});

describe('WebSocket emulator: idle timeout and maximum lifetime', () => {
  it('closes an idle connection with 1001 Going away and runs $disconnect once', async () => {
    const gw = await startGateway({ wsIdleTimeoutMs: 200 });
    invocations.length = 0;
    const ws = await connect(`${gw.wsUrl}?ticket=idle`);

    expect(await closed(ws)).toEqual({ code: 1001, reason: 'Going away' });
    await eventually(() => expect(calls('disconnect')).toHaveLength(1));
    expect(calls('disconnect')[0]?.event.requestContext).toMatchObject({
      disconnectStatusCode: 1001,
      disconnectReason: 'Going away',
    });
    await gw.close();
    expect(calls('disconnect')).toHaveLength(1);
  });

  it('keeps a busy connection open until its maximum lifetime', async () => {
    const gw = await startGateway({ wsIdleTimeoutMs: 150, wsMaxLifetimeMs: 500 });
    invocations.length = 0;
    const started = Date.now();
    const ws = await connect(`${gw.wsUrl}?ticket=busy`);
    const chatter = setInterval(() => ws.send('silent'), 50);

    const { code } = await closed(ws);
    clearInterval(chatter);

    expect(code).toBe(1001);
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    await eventually(() => expect(calls('disconnect')).toHaveLength(1));
    await gw.close();
  });

  it('closes every connection when it stops, running their $disconnect', async () => {
    const gw = await startGateway();
    invocations.length = 0;
    const sockets = [await connect(`${gw.wsUrl}?ticket=a`), await connect(`${gw.wsUrl}?ticket=b`)];
    const closes = sockets.map(closed);

    await gw.close();

    expect((await Promise.all(closes)).map((c) => c.code)).toEqual([1001, 1001]);
    expect(calls('disconnect')).toHaveLength(2);
  });
});
