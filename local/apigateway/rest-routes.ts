/** A REST route as the emulator sees it: the manifest's shape, with any handler name. */
export interface EmulatorRoute {
  readonly method: string;
  /** API Gateway resource path, e.g. `/api/livestream/{streamId}/start`. */
  readonly path: string;
  /** Name passed to the emulator's `loadHandler`. */
  readonly handler: string;
}

/** One API Gateway resource: a path and the methods defined on it. */
export interface Resource {
  readonly path: string;
  readonly methods: ReadonlyMap<string, EmulatorRoute>;
}

export interface ResourceMatch {
  readonly resource: Resource;
  /** Decoded values of the `{name}` segments; null when the resource has none (as API Gateway). */
  readonly pathParameters: Record<string, string> | null;
}

type Segment = { readonly literal: string } | { readonly param: string };

interface CompiledResource extends Resource {
  readonly segments: readonly Segment[];
  /** '0' per literal and '1' per parameter: sorting by it puts the most specific match first. */
  readonly rank: string;
}

const PARAM = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/**
 * Builds API Gateway's resource matching for a route table. Like API Gateway, a literal segment
 * beats a `{param}` segment at the same position, so `/api/livestream/active` never reaches
 * `/api/livestream/{streamId}`; a path picks its resource first, the method is checked after.
 * Every ancestor of a route (`/`, `/api`, ...) is a resource too, without methods, as CDK's
 * `resourceForPath` creates them: they answer CORS preflights and 404 everything else.
 */
export function compileRoutes(
  routes: readonly EmulatorRoute[],
): (rawPath: string) => ResourceMatch | undefined {
  const byPath = new Map<string, Map<string, EmulatorRoute>>();
  for (const route of routes) {
    const parts = splitPath(route.path);
    for (let depth = 0; depth < parts.length; depth++) {
      const ancestor = `/${parts.slice(0, depth).join('/')}`;
      if (!byPath.has(ancestor)) byPath.set(ancestor, new Map());
    }
    const methods = byPath.get(route.path) ?? new Map<string, EmulatorRoute>();
    if (methods.has(route.method)) throw new Error(`Duplicate route ${route.method} ${route.path}`);
    byPath.set(route.path, methods.set(route.method, route));
  }
  const resources: CompiledResource[] = [...byPath].map(([path, methods]) => {
    const segments = splitPath(path).map((s): Segment => {
      const param = PARAM.exec(s)?.[1];
      if (s.includes('{') && !param) throw new Error(`Unsupported path segment "${s}" in ${path}`);
      return param ? { param } : { literal: s };
    });
    return { path, methods, segments, rank: segments.map((s) => ('param' in s ? '1' : '0')).join('') };
  });
  resources.sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));

  return (rawPath) => {
    const parts = splitPath(rawPath).map(safeDecode);
    for (const resource of resources) {
      const params = matchSegments(resource.segments, parts);
      if (params) {
        return { resource, pathParameters: Object.keys(params).length > 0 ? params : null };
      }
    }
    return undefined;
  };
}

function matchSegments(
  segments: readonly Segment[],
  parts: readonly (string | undefined)[],
): Record<string, string> | undefined {
  if (segments.length !== parts.length) return undefined;
  const params: [string, string][] = [];
  for (const [i, segment] of segments.entries()) {
    const part = parts[i];
    // Undecodable (`%zz`) or empty (`//`, trailing `/`) segments match nothing.
    if (part === undefined || part === '') return undefined;
    if ('param' in segment) params.push([segment.param, part]);
    else if (segment.literal !== part) return undefined;
  }
  // Own properties only, like every map the emulator builds (see request-maps.ts).
  return Object.fromEntries(params);
}

const splitPath = (path: string) => (path === '/' ? [] : path.split('/').slice(1));

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
