import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { calls, eventually, invocations } from './fixtures/ws-recorder.ts';
import { closed, connect, nextMessage, startGateway, type TestGateway } from './harness.ts';

describe('@connections with the real ApiGatewayManagementApiClient', () => {
  let gw: TestGateway;
  let client: ApiGatewayManagementApiClient;
  let ws: WebSocket;
  let id: string;
  beforeAll(async () => {
    gw = await startGateway();
    // What the handlers build: the callback URL as endpoint, nothing else local about it.
    client = new ApiGatewayManagementApiClient({
      endpoint: gw.callbackUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });
  afterAll(async () => {
    client.destroy();
    await gw.close();
  });
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
    const local = new ApiGatewayManagementApiClient({
      endpoint: idle.callbackUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
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
