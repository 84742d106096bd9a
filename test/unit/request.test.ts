import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { header, parseWith, queryParams } from '../../functions/http/request.ts';
import { ActiveStreamsQuery } from '../../functions/http/schemas.ts';

/** An event as Lambda hands it over on AWS: parsed from JSON, so its maps are ordinary objects. */
const awsEvent = (json: string) => JSON.parse(json) as APIGatewayProxyEvent;

const hostile = awsEvent(`{
  "headers": {"constructor": "c", "__proto__": "p", "Content-Type": "application/json"},
  "queryStringParameters": {"constructor": "1", "__proto__": "2", "hasOwnProperty": "3"},
  "multiValueQueryStringParameters": {"constructor": ["1"], "__proto__": ["2"], "hasOwnProperty": ["3"]}
}`);
const plain = awsEvent('{"headers": {"Host": "example.com"}, "queryStringParameters": {"limit": "5"}}');

describe('request maps', () => {
  it('reads a header named like an Object member as the client sent it', () => {
    expect(header(hostile, 'constructor')).toBe('c');
    expect(header(hostile, '__proto__')).toBe('p');
    expect(header(hostile, 'content-type')).toBe('application/json');
  });

  it('finds no header that the client did not send, whatever Object.prototype has', () => {
    for (const name of ['constructor', '__proto__', 'hasOwnProperty', 'toString', 'valueOf']) {
      expect(header(plain, name)).toBeUndefined();
    }
    expect(header({ ...plain, headers: null } as unknown as APIGatewayProxyEvent, 'host')).toBeUndefined();
  });

  it('passes query names like constructor and __proto__ on as own data, for the schema to refuse', () => {
    const query = queryParams(hostile);

    expect(Object.entries(query)).toEqual([
      ['constructor', '1'],
      ['__proto__', '2'],
      ['hasOwnProperty', '3'],
    ]);
    expect(Object.getPrototypeOf(query)).toBe(Object.prototype);
    expect(() => parseWith(ActiveStreamsQuery, query, 'query')).toThrow(
      /Unrecognized keys: "constructor", "__proto__", "hasOwnProperty"/,
    );
  });

  it('refuses a repeated query parameter even when it is named like an Object member', () => {
    const repeated = awsEvent('{"multiValueQueryStringParameters": {"__proto__": ["a", "b"]}}');

    expect(() => queryParams(repeated)).toThrow(/__proto__ is given more than once/);
  });

  it('keeps only string values: anything else is not what a client can send', () => {
    const odd = {
      queryStringParameters: { limit: '5', other: 7 },
      multiValueQueryStringParameters: { limit: ['5'], other: 'not a list' },
      headers: { Authorization: 42 },
    } as unknown as APIGatewayProxyEvent;

    expect(queryParams(odd)).toEqual({ limit: '5' });
    expect(header(odd, 'authorization')).toBeUndefined();
  });
});
