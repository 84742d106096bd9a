import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handlers, restRoutes } from '../../../functions/manifest.ts';
import { createRestEmulator, type RestEmulatorOptions } from '../../../local/apigateway/rest-emulator.ts';
import { createModuleLoader } from '../../../local/lambda/handler-loader.ts';
import { type LocalHttpServer, listenHttp } from '../../../local/shared/http-server.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const ECHO = 'test/local/apigateway/fixtures/echo-handler.ts';

interface Echo {
  event: APIGatewayProxyEvent;
  context: { functionName: string; awsRequestId: string; remainingMs: number };
}

async function serve(options: Omit<RestEmulatorOptions, 'logger'>) {
  const errors: string[] = [];
  const lines: string[] = [];
  const logger = {
    info: (line: string) => lines.push(line),
    error: (line: string) => {
      lines.push(line);
      errors.push(line);
    },
  };
  const server = await listenHttp(createRestEmulator({ ...options, logger }), 0, '127.0.0.1');
  return { server, errors, lines, url: `http://127.0.0.1:${server.port}` };
}

/**
 * node:http rather than fetch: fetch folds repeated headers into one and normalises casing.
 * Headers as [name, values] pairs: an object literal cannot hold a `__proto__` header.
 */
function rawGet(url: string, headers: [name: string, values: string[]][]): Promise<Echo> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Echo);
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on('error', reject);
    // An array sends one header line per value, with the casing given here.
    for (const [name, values] of headers) req.setHeader(name, values);
    req.end();
  });
}

describe('createRestEmulator with the manifest routes', () => {
  let server: LocalHttpServer;
  let url: string;
  let errors: string[];
  let lines: string[];
  // Every manifest handler is the echo fixture, loaded the way the stack loads real ones.
  const echoAll = Object.fromEntries(Object.keys(handlers).map((name) => [name, { entry: ECHO }]));

  beforeAll(async () => {
    ({ server, url, errors, lines } = await serve({
      routes: restRoutes,
      loadHandler: createModuleLoader(ROOT, echoAll),
    }));
  });
  afterAll(() => server.close());
  beforeEach(() => {
    errors.length = 0;
    lines.length = 0;
  });

  const get = async (path: string, init?: RequestInit) => {
    const res = await fetch(`${url}${path}`, init);
    return { res, echo: (await res.json()) as Echo };
  };

  it('routes /active to its own handler, never to {streamId}', async () => {
    const { res, echo } = await get('/api/livestream/active');

    expect(res.status).toBe(200);
    expect(echo.context.functionName).toBe('listActiveStreams');
    expect(echo.event.resource).toBe('/api/livestream/active');
    expect(echo.event.pathParameters).toBeNull();
  });

  it('builds path and query parameters as API Gateway does', async () => {
    const { echo } = await get('/api/livestream/abc%20d%C3%A9f?limit=5&tag=a&tag=b%2Bc&flag');

    expect(echo.event).toMatchObject({
      resource: '/api/livestream/{streamId}',
      path: '/api/livestream/abc%20d%C3%A9f',
      httpMethod: 'GET',
      pathParameters: { streamId: 'abc déf' },
      queryStringParameters: { limit: '5', tag: 'b+c', flag: '' },
      multiValueQueryStringParameters: { limit: ['5'], tag: ['a', 'b+c'], flag: [''] },
      stageVariables: null,
      body: null,
      isBase64Encoded: false,
    });
  });

  it('passes query and header names that are Object members (constructor, __proto__...) as plain data', async () => {
    const echo = await rawGet(
      `${url}/api/livestream/active?constructor=a&__proto__=b&hasOwnProperty=c&constructor=d&toString`,
      [
        ['constructor', ['x']],
        ['__proto__', ['y', 'z']],
        ['hasOwnProperty', ['w']],
      ],
    );
    // Own properties, as the JSON event Lambda hands a handler on AWS has them.
    const own = (entries: [string, unknown][]) => Object.fromEntries(entries);

    expect(echo.event.queryStringParameters).toEqual(
      own([
        ['constructor', 'd'],
        ['__proto__', 'b'],
        ['hasOwnProperty', 'c'],
        ['toString', ''],
      ]),
    );
    expect(echo.event.multiValueQueryStringParameters).toEqual(
      own([
        ['constructor', ['a', 'd']],
        ['__proto__', ['b']],
        ['hasOwnProperty', ['c']],
        ['toString', ['']],
      ]),
    );
    expect(echo.event.headers).toMatchObject(
      own([
        ['constructor', 'x'],
        ['__proto__', 'z'],
        ['hasOwnProperty', 'w'],
      ]),
    );
    expect(echo.event.multiValueHeaders).toMatchObject(own([['__proto__', ['y', 'z']]]));
    expect(errors).toEqual([]);
  });

  it('never logs a query string (tickets and cursors travel there)', async () => {
    await get('/api/livestream/active?cursor=secret-cursor&ticket=secret-ticket');
    await get('/api/livestream/abc/join?ticket=secret-ticket', { method: 'POST' });

    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^GET \/api\/livestream\/active -> 200/);
    expect(lines.join('\n')).not.toMatch(/secret/);
  });

  it('uses null, not {}, when there is no query string', async () => {
    const { echo } = await get('/api/livestream/abc?');

    expect(echo.event.queryStringParameters).toBeNull();
    expect(echo.event.multiValueQueryStringParameters).toBeNull();
  });

  it("keeps the client's header casing and every repeated value", async () => {
    const echo = await rawGet(`${url}/api/livestream/active`, [['X-Trace-Me', ['one', 'two']]]);

    expect(echo.event.headers['X-Trace-Me']).toBe('two');
    expect(echo.event.multiValueHeaders['X-Trace-Me']).toEqual(['one', 'two']);
    expect(echo.event.headers['X-Forwarded-For']).toBe('127.0.0.1');
  });

  it('passes the body as a UTF-8 string', async () => {
    const body = JSON.stringify({ title: 'Grüße', recordingEnabled: true });
    const { echo } = await get('/api/livestream/create', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });

    expect(echo.event.body).toBe(body);
    expect(echo.event.isBase64Encoded).toBe(false);
  });

  it('fills requestContext and a Lambda context for the same request id', async () => {
    const { res, echo } = await get('/api/livestream/s1/start', { method: 'POST' });
    const ctx = echo.event.requestContext;

    expect(ctx).toMatchObject({
      resourcePath: '/api/livestream/{streamId}/start',
      httpMethod: 'POST',
      path: '/api/livestream/s1/start',
      identity: { sourceIp: '127.0.0.1' },
    });
    expect(ctx.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Math.abs(ctx.requestTimeEpoch - Date.now())).toBeLessThan(5_000);
    expect(res.headers.get('x-amzn-requestid')).toBe(ctx.requestId);
    expect(echo.context).toMatchObject({ functionName: 'startStream', awsRequestId: ctx.requestId });
    expect(echo.context.remainingMs).toBeGreaterThan(28_000);
  });

  it.each([
    ['an unknown path', 'GET', '/api/nope'],
    ['a method the resource lacks', 'DELETE', '/api/livestream/active'],
    ['a resource without methods', 'GET', '/api/livestream'],
  ])('answers 404 ROUTE_NOT_FOUND for %s', async (_case, method, path) => {
    const res = await fetch(`${url}${path}`, { method });

    expect(res.status).toBe(404);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(await res.json()).toEqual({
      error: { code: 'ROUTE_NOT_FOUND', message: 'No route matches this method and path' },
    });
  });

  it('answers a CORS preflight on any resource with 204', async () => {
    const res = await fetch(`${url}/api/livestream/abc/join`, { method: 'OPTIONS' });

    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')).toBe('Content-Type,Authorization,X-Stream-Key');
    expect((await fetch(`${url}/nope`, { method: 'OPTIONS' })).status).toBe(404);
  });

  it('answers 413 PAYLOAD_TOO_LARGE for a body over 10 MB, without calling the handler', async () => {
    const res = await fetch(`${url}/api/livestream/create`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: 'x'.repeat(10 * 1024 * 1024 + 1),
    });

    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      error: { code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large' },
    });
  });
});

describe('createRestEmulator with misbehaving handlers', () => {
  const route = (handler: string) => ({ method: 'GET', path: `/${handler}`, handler });
  const behaviours: Record<string, () => unknown> = {
    throws: () => {
      throw new Error('secret internals');
    },
    rejects: async () => Promise.reject(new Error('secret internals')),
    undefined: () => undefined,
    stringStatus: () => ({ statusCode: '200', body: '' }),
    objectBody: () => ({ statusCode: 200, body: { ok: true } }),
    slow: () => new Promise((resolve) => setTimeout(resolve, 500, { statusCode: 200, body: '' })),
    headers: () => ({
      statusCode: 201,
      headers: { 'X-One': 'a', 'Set-Cookie': 'a=1' },
      multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] },
      body: 'created',
    }),
    base64: () => ({
      statusCode: 200,
      isBase64Encoded: true,
      body: Buffer.from('binary').toString('base64'),
    }),
  };
  let server: LocalHttpServer;
  let url: string;
  let errors: string[];

  beforeAll(async () => {
    ({ server, url, errors } = await serve({
      routes: [...Object.keys(behaviours).map(route), route('missing'), route('noExport')],
      loadHandler: async (name) => {
        if (name === 'noExport') {
          return createModuleLoader(ROOT, {
            noExport: { entry: 'test/local/apigateway/fixtures/no-handler.ts' },
          })(name);
        }
        const behaviour = behaviours[name];
        if (!behaviour) throw new Error(`no ${name}`);
        return behaviour;
      },
      timeoutMs: 100,
    }));
  });
  afterAll(() => server.close());
  beforeEach(() => {
    errors.length = 0;
  });

  it.each(['throws', 'rejects', 'undefined', 'stringStatus', 'objectBody', 'missing', 'noExport'])(
    'answers 502 INTERNAL with no internals when the handler %s, and logs it',
    async (name) => {
      const res = await fetch(`${url}/${name}`);

      expect(res.status).toBe(502);
      expect(await res.text()).toBe('{"error":{"code":"INTERNAL","message":"Internal error"}}');
      expect(errors).toHaveLength(1);
    },
  );

  it('answers 504 when the handler outlives the integration timeout', async () => {
    const res = await fetch(`${url}/slow`);

    expect(res.status).toBe(504);
    expect(errors[0]).toMatch(/slow timed out after 100ms/);
  });

  it('merges headers with multiValueHeaders and defaults Content-Type to JSON', async () => {
    const res = await fetch(`${url}/headers`);

    expect(res.status).toBe(201);
    expect(res.headers.get('x-one')).toBe('a');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.text()).toBe('created');
  });

  it('decodes a base64 body', async () => {
    expect(await (await fetch(`${url}/base64`)).text()).toBe('binary');
  });
});
