/**
 * The one description of the service that both worlds are built from: `lib/` turns it into
 * API Gateway routes, DynamoDB tables and IAM grants; `local/` turns it into the emulator.
 * Plain data only: no imports, no SDK, nothing that runs.
 */

export type KeyType = 'S' | 'N';
export interface KeyDef {
  readonly name: string;
  readonly type: KeyType;
}

export interface IndexDef {
  readonly name: string;
  readonly partitionKey: KeyDef;
  readonly sortKey?: KeyDef;
}

export interface TableDef {
  /** Logical name; the physical name is chosen by CloudFormation (or the local stack). */
  readonly name: string;
  readonly partitionKey: KeyDef;
  readonly sortKey?: KeyDef;
  readonly indexes: readonly IndexDef[];
  /** Epoch-seconds attribute after which DynamoDB deletes the item. */
  readonly ttlAttribute?: string;
}

export const tables = {
  streams: {
    name: 'Livestreams',
    partitionKey: { name: 'streamId', type: 'S' },
    indexes: [
      // Sparse: only live streams carry `liveShard`, so ended streams cost nothing to skip.
      // Sharded: platform-wide go-live writes spread over LIVE_INDEX_SHARDS partition keys.
      {
        name: 'live',
        partitionKey: { name: 'liveShard', type: 'S' },
        sortKey: { name: 'startedAt', type: 'N' },
      },
      {
        name: 'owner',
        partitionKey: { name: 'ownerId', type: 'S' },
        sortKey: { name: 'createdAt', type: 'N' },
      },
    ],
  },
  viewers: {
    name: 'LivestreamViewers',
    partitionKey: { name: 'streamId', type: 'S' },
    sortKey: { name: 'viewerId', type: 'S' },
    indexes: [],
  },
  chat: {
    name: 'LivestreamChat',
    partitionKey: { name: 'streamId', type: 'S' },
    sortKey: { name: 'messageId', type: 'S' },
    indexes: [],
    ttlAttribute: 'expiresAt',
  },
  connections: {
    name: 'LivestreamConnections',
    partitionKey: { name: 'connectionId', type: 'S' },
    indexes: [
      {
        name: 'byStream',
        partitionKey: { name: 'streamId', type: 'S' },
        sortKey: { name: 'connectionId', type: 'S' },
      },
    ],
    // Just past API Gateway's 2 h connection limit, so a lost $disconnect cannot leak rows.
    ttlAttribute: 'expiresAt',
  },
} as const satisfies Record<string, TableDef>;

export type TableKey = keyof typeof tables;

/** The number of `liveShard` values (`live#0` .. `live#N-1`). Changing it needs a backfill. */
export const LIVE_INDEX_SHARDS = 4;

/** DynamoDB actions a handler may be granted; anything else is a review question. */
export type DynamoAction = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'Query';

export interface TableGrant {
  readonly table: TableKey;
  readonly actions: readonly DynamoAction[];
  /** Indexes the handler queries; each is granted by its own ARN. */
  readonly indexes?: readonly string[];
}

/**
 * Environment variables a handler reads. Table names are filled in from the tables above;
 * the rest come from deploy parameters (see README, "Configuration").
 */
export type EnvName =
  | 'STREAMS_TABLE'
  | 'VIEWERS_TABLE'
  | 'CONNECTIONS_TABLE'
  | 'AUTH_JWKS_URL'
  | 'AUTH_ISSUER'
  | 'AUTH_AUDIENCE'
  | 'DEFAULT_MAX_VIEWERS'
  | 'TURN_SERVER'
  | 'TURN_USERNAME'
  | 'TURN_PASSWORD'
  | 'TURN_SECRET'
  | 'TURN_TTL_SECONDS'
  | 'CONNECTION_TTL_SECONDS';

export interface HandlerDef {
  /** Path from the repository root to the file exporting `handler`. */
  readonly entry: string;
  readonly env: readonly EnvName[];
  readonly grants: readonly TableGrant[];
}

const AUTH_ENV = ['AUTH_JWKS_URL', 'AUTH_ISSUER', 'AUTH_AUDIENCE'] as const;
const TURN_ENV = [
  'TURN_SERVER',
  'TURN_USERNAME',
  'TURN_PASSWORD',
  'TURN_SECRET',
  'TURN_TTL_SECONDS',
] as const;

export const handlers = {
  createStream: {
    entry: 'functions/api/create-stream.ts',
    env: ['STREAMS_TABLE', 'DEFAULT_MAX_VIEWERS', ...AUTH_ENV],
    grants: [{ table: 'streams', actions: ['PutItem'] }],
  },
  listActiveStreams: {
    entry: 'functions/api/list-active-streams.ts',
    env: ['STREAMS_TABLE'],
    grants: [{ table: 'streams', actions: ['Query'], indexes: ['live'] }],
  },
  getStream: {
    entry: 'functions/api/get-stream.ts',
    env: ['STREAMS_TABLE'],
    grants: [{ table: 'streams', actions: ['GetItem'] }],
  },
  startStream: {
    entry: 'functions/api/start-stream.ts',
    env: ['STREAMS_TABLE', ...AUTH_ENV],
    grants: [{ table: 'streams', actions: ['GetItem', 'UpdateItem'] }],
  },
  endStream: {
    entry: 'functions/api/end-stream.ts',
    env: ['STREAMS_TABLE', ...AUTH_ENV],
    grants: [{ table: 'streams', actions: ['GetItem', 'UpdateItem'] }],
  },
  rotateStreamKey: {
    entry: 'functions/api/rotate-stream-key.ts',
    env: ['STREAMS_TABLE', ...AUTH_ENV],
    grants: [{ table: 'streams', actions: ['GetItem', 'UpdateItem'] }],
  },
  joinStream: {
    entry: 'functions/api/join-stream.ts',
    env: ['STREAMS_TABLE', 'VIEWERS_TABLE', ...AUTH_ENV, ...TURN_ENV],
    grants: [
      { table: 'streams', actions: ['GetItem', 'UpdateItem'] },
      { table: 'viewers', actions: ['PutItem'] },
    ],
  },
  leaveStream: {
    entry: 'functions/api/leave-stream.ts',
    env: ['STREAMS_TABLE', 'VIEWERS_TABLE', ...AUTH_ENV],
    grants: [
      { table: 'streams', actions: ['UpdateItem'] },
      { table: 'viewers', actions: ['GetItem', 'UpdateItem'] },
    ],
  },
  wsConnect: {
    entry: 'functions/ws/connect.ts',
    env: ['CONNECTIONS_TABLE', 'CONNECTION_TTL_SECONDS'],
    grants: [{ table: 'connections', actions: ['PutItem'] }],
  },
  wsDisconnect: {
    entry: 'functions/ws/disconnect.ts',
    env: ['CONNECTIONS_TABLE'],
    grants: [{ table: 'connections', actions: ['DeleteItem'] }],
  },
  wsDefault: {
    entry: 'functions/ws/default.ts',
    env: [],
    grants: [],
  },
} as const satisfies Record<string, HandlerDef>;

export type HandlerName = keyof typeof handlers;

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface RestRoute {
  readonly method: HttpMethod;
  /** API Gateway resource path; `{name}` segments become path parameters. */
  readonly path: string;
  readonly handler: HandlerName;
  /** `user`: a valid Bearer JWT is required (checked in the handler); `public`: anyone. */
  readonly auth: 'user' | 'public';
}

const STREAM = '/api/livestream/{streamId}';

export const restRoutes = [
  { method: 'POST', path: '/api/livestream/create', handler: 'createStream', auth: 'user' },
  { method: 'GET', path: '/api/livestream/active', handler: 'listActiveStreams', auth: 'public' },
  { method: 'GET', path: STREAM, handler: 'getStream', auth: 'public' },
  { method: 'POST', path: `${STREAM}/start`, handler: 'startStream', auth: 'user' },
  { method: 'POST', path: `${STREAM}/end`, handler: 'endStream', auth: 'user' },
  { method: 'POST', path: `${STREAM}/key`, handler: 'rotateStreamKey', auth: 'user' },
  { method: 'POST', path: `${STREAM}/join`, handler: 'joinStream', auth: 'user' },
  { method: 'POST', path: `${STREAM}/leave`, handler: 'leaveStream', auth: 'user' },
] as const satisfies readonly RestRoute[];

export interface WebSocketRoute {
  readonly routeKey: string;
  readonly handler: HandlerName;
}

/** Route selection is `$request.body.action`; every action goes to `$default`'s router. */
export const webSocketRoutes = [
  { routeKey: '$connect', handler: 'wsConnect' },
  { routeKey: '$disconnect', handler: 'wsDisconnect' },
  { routeKey: '$default', handler: 'wsDefault' },
] as const satisfies readonly WebSocketRoute[];

/**
 * Errors API Gateway answers by itself (no Lambda ran), in the service's `{error:{code,message}}`
 * shape. `lib/` installs them as gateway responses and `local/` answers them the same way.
 */
export const gatewayErrors = {
  /** API Gateway's MISSING_AUTHENTICATION_TOKEN is what an unknown method or path gets. */
  routeNotFound: {
    statusCode: 404,
    code: 'ROUTE_NOT_FOUND',
    message: 'No route matches this method and path',
  },
  throttled: { statusCode: 429, code: 'THROTTLED', message: 'Too many requests, retry later' },
  payloadTooLarge: { statusCode: 413, code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large' },
  /** A function that failed, timed out or answered garbage: a fixed message, never internals. */
  internal: { statusCode: 502, code: 'INTERNAL', message: 'Internal error' },
} as const;

/** CORS for browsers on any origin (bearer tokens, no cookies). Preflight is API Gateway's. */
export const cors = {
  allowHeaders: ['Content-Type', 'Authorization', 'X-Stream-Key'],
  maxAgeSeconds: 3600,
} as const;
