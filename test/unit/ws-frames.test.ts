import type { APIGatewayProxyWebsocketEventV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { MAX_FRAME_BYTES } from '../../functions/ws/frames.ts';

const { handler } = await import('../../functions/ws/default.ts');

async function send(body: string) {
  const event = {
    body,
    requestContext: { connectionId: 'c1', routeKey: '$default' },
  } as APIGatewayProxyWebsocketEventV2;
  const result = await handler(event, { awsRequestId: 'r1' } as Context);
  return JSON.parse(result.body);
}

describe('$default frame router', () => {
  it.each([
    ['not JSON', '{action', 'INVALID_FRAME'],
    ['a JSON array', '[1,2]', 'INVALID_FRAME'],
    ['no action', '{"data":{}}', 'INVALID_FRAME'],
    ['a non-string action', '{"action":7}', 'INVALID_FRAME'],
    ['an unknown field', '{"action":"stream:join","extra":1}', 'INVALID_FRAME'],
    ['data that is not an object', '{"action":"stream:join","data":"x"}', 'INVALID_FRAME'],
    ['an unknown action', '{"action":"stream:teleport"}', 'UNKNOWN_ACTION'],
    ['an inherited property name', '{"action":"constructor"}', 'UNKNOWN_ACTION'],
    [
      'an oversized frame',
      JSON.stringify({ action: 'x', data: { sdp: 'a'.repeat(MAX_FRAME_BYTES) } }),
      'FRAME_TOO_LARGE',
    ],
  ])('answers %s with stream:error %s', async (_case, body, code) => {
    const reply = await send(body);
    expect(reply.event).toBe('stream:error');
    expect(reply.data.code).toBe(code);
    expect(reply.data.message).toEqual(expect.any(String));
  });

  it('echoes the frame ref so the client can match the error to its request', async () => {
    const reply = await send('{"action":"nope","ref":"r-42"}');
    expect(reply).toMatchObject({
      event: 'stream:error',
      ref: 'r-42',
      data: { code: 'UNKNOWN_ACTION', ref: 'r-42' },
    });
  });
});
