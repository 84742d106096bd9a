import { Sha256 } from '@aws-crypto/sha256-js';
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { calls, eventually, invocations } from './fixtures/ws-recorder.ts';
import { closed, connect, nextMessage, startGateway, type TestGateway } from './gateway-harness.ts';

/** What the handlers build: the callback URL as endpoint, signing with the local stack's keys. */
const handlersClient = (endpoint: string) =>
  new ApiGatewayManagementApiClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

/** One gateway for the file, and the client the handlers build for it. */
let gw: TestGateway;
let client: ApiGatewayManagementApiClient;
beforeAll(async () => {
  gw = await startGateway();
  client = handlersClient(gw.callbackUrl);
});
afterAll(async () => {
  client.destroy();
  await gw.close();
});

describe('@connections with the real ApiGatewayManagementApiClient', () => {
  let ws: WebSocket;
  let id: string;
  beforeEach(async () => {
    invocations.length = 0;
    ws = await connect(`${gw.wsUrl}?ticket=carol`);
    id = calls('connect')[0]?.event.requestContext.connectionId;
  });

  const goneError = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (err: { name: string; $metadata: { httpStatusCode?: number } }) => ({
        name: err.name,
        status: err.$metadata.httpStatusCode,
      }),
    );

  it('PostToConnection sends the bytes to the client as a text frame', async () => {
    const message = nextMessage(ws);
    await client.send(new PostToConnectionCommand({ ConnectionId: id, Data: '{"event":"hello"}' }));

    expect(await message).toBe('{"event":"hello"}');
    ws.close();
  });

  it('GetConnection describes the connection', async () => {
    const before = Date.now();
    const out = await client.send(new GetConnectionCommand({ ConnectionId: id }));

    expect(out.Identity).toEqual({ SourceIp: '127.0.0.1', UserAgent: '' });
    expect(out.ConnectedAt).toBeInstanceOf(Date);
    expect(out.ConnectedAt?.getTime()).toBeLessThanOrEqual(before);
    expect(out.LastActiveAt?.getTime()).toBeGreaterThanOrEqual(out.ConnectedAt?.getTime() ?? 0);
    ws.close();
  });

  it('DeleteConnection closes the socket and runs $disconnect once', async () => {
    const bye = closed(ws);
    await client.send(new DeleteConnectionCommand({ ConnectionId: id }));

    expect((await bye).code).toBe(1000);
    await eventually(() => expect(calls('disconnect', id)).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(calls('disconnect', id)).toHaveLength(1);
    expect(calls('disconnect', id)[0]?.event.requestContext).toMatchObject({
      disconnectStatusCode: 1000,
      authorizer: { userId: 'carol' },
    });
    expect(gw.gateway.connections.ids()).not.toContain(id);
  });

  it('answers GoneException (410) for a connection that has closed, to every operation', async () => {
    ws.close();
    await eventually(() => expect(calls('disconnect', id)).toHaveLength(1));
    const gone = { name: 'GoneException', status: 410 };

    expect(
      await goneError(client.send(new PostToConnectionCommand({ ConnectionId: id, Data: 'x' }))),
    ).toEqual(gone);
    expect(await goneError(client.send(new GetConnectionCommand({ ConnectionId: id })))).toEqual(gone);
    expect(await goneError(client.send(new DeleteConnectionCommand({ ConnectionId: id })))).toEqual(gone);
    expect(
      await goneError(client.send(new GetConnectionCommand({ ConnectionId: 'neverSeen0000A=' }))),
    ).toEqual(gone);
  });

  it('answers PayloadTooLargeException (413) for a message over 128 KB, and sends nothing', async () => {
    const received: string[] = [];
    ws.on('message', (data: Buffer) => received.push(data.toString()));
    const err = await client
      .send(new PostToConnectionCommand({ ConnectionId: id, Data: 'x'.repeat(128 * 1024 + 1) }))
      .catch((e: Error) => e);
    await client.send(new PostToConnectionCommand({ ConnectionId: id, Data: 'x'.repeat(128 * 1024) }));

    expect(err).toMatchObject({ name: 'PayloadTooLargeException', message: expect.stringMatching(/131072/) });
    await eventually(() => expect(received.map((r) => r.length)).toEqual([128 * 1024]));
    ws.close();
  });

  it('counts a PostToConnection as activity for the idle timeout', async () => {
    const idle = await startGateway({ wsIdleTimeoutMs: 300 });
    const socket = await connect(`${idle.wsUrl}?ticket=dave`);
    const connectionId = idle.gateway.connections.ids()[0] ?? '';
    const local = handlersClient(idle.callbackUrl);
    const started = Date.now();
    const pushes = setInterval(
      () => void local.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'tick' })),
      100,
    );
    await new Promise((resolve) => setTimeout(resolve, 600));
    clearInterval(pushes);

    expect(idle.gateway.connections.count()).toBe(1);
    expect((await closed(socket)).code).toBe(1001);
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    local.destroy();
    await idle.close();
  });
});

describe('@connections takes SigV4-signed calls with the local credentials only', () => {
  let ws: WebSocket;
  let id: string;
  let received: string[];
  beforeEach(async () => {
    ws = await connect(`${gw.wsUrl}?ticket=erin`);
    id = gw.gateway.connections.ids().at(-1) ?? '';
    received = [];
    ws.on('message', (data: Buffer) => received.push(data.toString()));
    return () => ws.close();
  });

  const url = () => new URL(`${gw.callbackUrl}/@connections/${encodeURIComponent(id)}`);
  /** What a signed request looks like, signed by hand as the SDK signs it. */
  async function signed(method: string, body: string, secretAccessKey = 'local') {
    const target = url();
    const signer = new SignatureV4({
      service: 'execute-api',
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey },
      sha256: Sha256,
    });
    const request = await signer.sign({
      method,
      protocol: 'http:',
      hostname: target.hostname,
      port: Number(target.port),
      path: target.pathname,
      headers: { host: target.host, 'content-type': 'text/plain' },
      body,
    });
    const { host: _host, ...headers } = request.headers;
    return headers;
  }
  const call = async (method: string, init: RequestInit = {}) => {
    const res = await fetch(url(), { method, ...init });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('x-amzn-errortype'), body: text && JSON.parse(text) };
  };
  /** What reached the socket before a frame the stack's own client sends now: frames keep their order. */
  const receivedSoFar = async () => {
    await client.send(new PostToConnectionCommand({ ConnectionId: id, Data: 'marker' }));
    await eventually(() => expect(received).toContain('marker'));
    return received.slice(0, received.indexOf('marker'));
  };

  it('refuses an unsigned call, as from a web page or curl: 403, nothing pushed, nothing closed', async () => {
    const page = { headers: { Origin: 'https://evil.example', 'Content-Type': 'text/plain' }, body: 'hi' };

    expect(await call('POST', page)).toEqual({
      status: 403,
      type: 'MissingAuthenticationTokenException',
      body: { message: 'Missing Authentication Token' },
    });
    expect((await call('DELETE')).status).toBe(403);
    expect((await call('GET')).status).toBe(403);
    expect(await receivedSoFar()).toEqual([]);
    expect(gw.gateway.connections.ids()).toContain(id);
  });

  it.each([
    ['another secret key', { accessKeyId: 'local', secretAccessKey: 'guess' }, 'InvalidSignatureException'],
    [
      'another access key',
      { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'local' },
      'UnrecognizedClientException',
    ],
  ])('refuses the real client signing with %s', async (_case, credentials, name) => {
    const forger = new ApiGatewayManagementApiClient({
      endpoint: gw.callbackUrl,
      region: 'us-east-1',
      credentials,
    });
    const err = await forger
      .send(new PostToConnectionCommand({ ConnectionId: id, Data: 'forged' }))
      .catch((e: { name: string; $metadata: { httpStatusCode?: number } }) => e);
    forger.destroy();

    expect(err).toMatchObject({ name, $metadata: { httpStatusCode: 403 } });
    expect(await receivedSoFar()).toEqual([]);
  });

  it('refuses a signed call whose body is not the one signed', async () => {
    const headers = await signed('POST', 'signed');

    expect(await call('POST', { headers, body: 'tampered' })).toMatchObject({
      status: 403,
      type: 'InvalidSignatureException',
    });
    expect(await call('POST', { headers: await signed('POST', 'ok', 'guess'), body: 'ok' })).toMatchObject({
      status: 403,
    });
    expect(await receivedSoFar()).toEqual([]);
  });

  it('takes a correctly signed call, the body being part of the signature', async () => {
    const res = await call('POST', { headers: await signed('POST', 'signed'), body: 'signed' });

    expect(res.status).toBe(200);
    expect(await receivedSoFar()).toEqual(['signed']);
  });
});
