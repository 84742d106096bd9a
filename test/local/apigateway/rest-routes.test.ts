import { describe, expect, it } from 'vitest';
import { restRoutes } from '../../../functions/manifest.ts';
import { compileRoutes } from '../../../local/apigateway/rest-routes.ts';

describe('compileRoutes', () => {
  const match = compileRoutes(restRoutes);

  it('prefers a literal segment over a {param} segment', () => {
    const found = match('/api/livestream/active');

    expect(found?.resource.path).toBe('/api/livestream/active');
    expect(found?.pathParameters).toBeNull();
  });

  it('binds {param} segments, percent-decoded', () => {
    const found = match('/api/livestream/a%20b%2Fc/join');

    expect(found?.resource.path).toBe('/api/livestream/{streamId}/join');
    expect(found?.pathParameters).toEqual({ streamId: 'a b/c' });
  });

  it('falls back to the {param} resource when the literal branch has no such child', () => {
    expect(match('/api/livestream/active/start')?.resource.path).toBe('/api/livestream/{streamId}/start');
  });

  it('matches ancestors of routes as resources without methods', () => {
    expect(match('/api/livestream')?.resource.methods.size).toBe(0);
    expect(match('/')?.resource.methods.size).toBe(0);
  });

  it('matches nothing for unknown paths, empty segments or a trailing slash', () => {
    expect(match('/nope')).toBeUndefined();
    expect(match('/api/livestream/x/unknown')).toBeUndefined();
    expect(match('/api//livestream/active')).toBeUndefined();
    expect(match('/api/livestream/active/')).toBeUndefined();
  });

  it('matches nothing for a segment that does not decode', () => {
    expect(match('/api/livestream/%zz')).toBeUndefined();
  });

  it('groups methods per resource', () => {
    const methods = match('/api/livestream/abc')?.resource.methods;

    expect([...(methods?.keys() ?? [])]).toEqual(['GET']);
    expect(methods?.get('GET')?.handler).toBe('getStream');
  });

  it('rejects a route table with duplicates or unsupported segments', () => {
    const route = { method: 'GET', path: '/a', handler: 'h' };

    expect(() => compileRoutes([route, route])).toThrow(/Duplicate route GET \/a/);
    expect(() => compileRoutes([{ ...route, path: '/a/{proxy+}' }])).toThrow(/Unsupported path segment/);
  });
});
