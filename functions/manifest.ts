/**
 * The one description of the service that both worlds are built from: `lib/` turns it into
 * API Gateway routes, DynamoDB tables and IAM grants; `local/` turns it into the emulator.
 * Plain data only (its types are in manifest-types.ts): no SDK, nothing that runs.
 */

import { actionRoles, type ClientAction } from './core/protocol.ts';
import type {
  BucketGrant,
  HandlerDef,
  RestRoute,
  TableDef,
  TableGrant,
  WebSocketAction,
  WebSocketRoute,
} from './manifest-types.ts';

export type {
  BucketAction,
  BucketGrant,
  BucketPrefix,
  DynamoAction,
  EnvName,
  HandlerAccess,
  HandlerDef,
  HttpMethod,
  IndexDef,
  KeyDef,
  KeyType,
  RestRoute,
  TableDef,
  TableGrant,
  WebSocketAction,
  WebSocketRoute,
} from './manifest-types.ts';

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
      // Sparse: only streams with a (not deleted) recording carry `recordingOwnerId`.
      {
        name: 'recordings',
        partitionKey: { name: 'recordingOwnerId', type: 'S' },
        sortKey: { name: 'recordingOpenedAt', type: 'N' },
      },
    ],
    // Feeds `finishRecording` (a stream that ends with its upload still open gets it completed)
    // and `finishLive` (a stream that ends with a live ladder gets its playlists ended).
    stream: 'NEW_IMAGE',
  },
  viewers: {
    name: 'LivestreamViewers',
    partitionKey: { name: 'streamId', type: 'S' },
    sortKey: { name: 'viewerId', type: 'S' },
    indexes: [
      // Sparse: only open sessions carry `openStreamId`; `leave` without a viewerId finds the
      // caller's open sessions on a stream here (the spec's clients never see a viewerId).
      {
        name: 'openSessions',
        partitionKey: { name: 'userId', type: 'S' },
        sortKey: { name: 'openStreamId', type: 'S' },
      },
    ],
  },
  chat: {
    name: 'LivestreamChat',
    partitionKey: { name: 'streamId', type: 'S' },
    // `msg#<time-ordered id>` for messages; `ban#`, `rate#`, `slow#` rows hold moderation state.
    sortKey: { name: 'messageId', type: 'S' },
    indexes: [],
    ttlAttribute: 'expiresAt',
    // Feeds the fan-out: new and deleted messages reach every member of the stream's room.
    stream: 'NEW_IMAGE',
  },
  // The HLS tier's counters: AUDIENCE_SHARDS rows per stream (`<streamId>#<shard>`), so a large
  // audience's joins and presence beats spread over many items (core/audience.ts).
  audience: {
    name: 'LivestreamAudience',
    partitionKey: { name: 'shardId', type: 'S' },
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
      // Sparse: only connections in a chat room carry `chatRoom` (the stream id).
      {
        name: 'byRoom',
        partitionKey: { name: 'chatRoom', type: 'S' },
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

const AUTH_ENV = ['AUTH_JWKS_URL', 'AUTH_ISSUER', 'AUTH_AUDIENCE'] as const;
const TURN_ENV = [
  'TURN_SERVER',
  'TURN_USERNAME',
  'TURN_PASSWORD',
  'TURN_SECRET',
  'TURN_TTL_SECONDS',
] as const;
const TICKET_ENV = ['SIGNALING_URL', 'SIGNALING_SECRET_ARN', 'SIGNALING_TICKET_TTL_SECONDS'] as const;
/** Tables and the repair delay of everything that counts viewers in or out (core/seats.ts). */
const SEAT_ENV = ['STREAMS_TABLE', 'VIEWERS_TABLE', 'SEAT_REPAIR_AFTER_SECONDS'] as const;
/** Counting the HLS tier (core/audience.ts): its shards, its presence window. */
const AUDIENCE_ENV = ['AUDIENCE_TABLE', 'PRESENCE_WINDOW_SECONDS'] as const;
/** A join or a beat may roll up a presence window: every shard read, the stream's figures written. */
const AUDIENCE_GRANT = {
  table: 'audience',
  actions: ['UpdateItem', 'BatchGetItem'],
} as const satisfies TableGrant;
const WATCHDOG_ENV = [
  'BROADCASTER_GRACE_SECONDS',
  'WATCHDOG_FUNCTION_ARN',
  'WATCHDOG_SCHEDULER_ROLE_ARN',
  'WATCHDOG_SCHEDULE_GROUP',
] as const;

const RECORDING_ENV = [
  'STREAMS_TABLE',
  'RECORDINGS_BUCKET',
  'RECORDING_MAX_BYTES',
  'RECORDING_UPLOAD_WINDOW_SECONDS',
  'MEDIA_BASE_URL',
] as const;

/** Completing an upload: list what S3 holds, complete it, or abort it when it is over the limit. */
const COMPLETE_UPLOAD = [
  { prefix: 'uploads/', actions: ['ListMultipartUploadParts', 'PutObject', 'AbortMultipartUpload'] },
] as const satisfies readonly BucketGrant[];

/** What ending a stream touches: the stream, every connection of it (to tell and close them). */
const END_GRANTS = [
  { table: 'streams', actions: ['GetItem', 'UpdateItem'] },
  { table: 'connections', actions: ['Query'], indexes: ['byStream'] },
] as const satisfies readonly TableGrant[];

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
    // MEDIA_BASE_URL: an ended stream's live replay is served from the CDN (core/replay.ts).
    env: ['STREAMS_TABLE', 'MEDIA_BASE_URL'],
    grants: [{ table: 'streams', actions: ['GetItem'] }],
  },
  startStream: {
    entry: 'functions/api/start-stream.ts',
    env: ['STREAMS_TABLE', ...AUTH_ENV, ...TICKET_ENV],
    grants: [{ table: 'streams', actions: ['GetItem', 'UpdateItem'] }],
    access: { signalingSecret: true },
  },
  endStream: {
    entry: 'functions/api/end-stream.ts',
    env: ['STREAMS_TABLE', 'CONNECTIONS_TABLE', 'WS_CALLBACK_URL', ...AUTH_ENV],
    grants: END_GRANTS,
    access: { manageConnections: true },
  },
  rotateStreamKey: {
    entry: 'functions/api/rotate-stream-key.ts',
    env: ['STREAMS_TABLE', ...AUTH_ENV],
    grants: [{ table: 'streams', actions: ['GetItem', 'UpdateItem'] }],
  },
  issueTicket: {
    entry: 'functions/api/issue-ticket.ts',
    env: ['STREAMS_TABLE', 'VIEWERS_TABLE', ...AUTH_ENV, ...TICKET_ENV],
    grants: [
      { table: 'streams', actions: ['GetItem'] },
      { table: 'viewers', actions: ['GetItem'] },
    ],
    access: { signalingSecret: true },
  },
  joinStream: {
    entry: 'functions/api/join-stream.ts',
    env: [...SEAT_ENV, ...AUDIENCE_ENV, 'MEDIA_BASE_URL', ...AUTH_ENV, ...TURN_ENV, ...TICKET_ENV],
    grants: [
      { table: 'streams', actions: ['GetItem', 'UpdateItem'] },
      // GetItem: repairing an interrupted join or leave reads its session.
      { table: 'viewers', actions: ['GetItem', 'PutItem', 'UpdateItem'] },
      AUDIENCE_GRANT,
    ],
    access: { signalingSecret: true },
  },
  beatPresence: {
    entry: 'functions/api/beat-presence.ts',
    env: ['STREAMS_TABLE', 'VIEWERS_TABLE', ...AUDIENCE_ENV, ...AUTH_ENV],
    grants: [
      // UpdateItem: a roll-up of the window before, and the peak it raises. GetItem: a beat for
      // no session tells a stream that does not exist from a viewer that does not.
      { table: 'streams', actions: ['GetItem', 'UpdateItem'] },
      // GetItem: why a beat was not counted (closed, another user's, a seat's).
      { table: 'viewers', actions: ['GetItem', 'UpdateItem'] },
      AUDIENCE_GRANT,
    ],
  },
  leaveStream: {
    entry: 'functions/api/leave-stream.ts',
    env: [...SEAT_ENV, 'WS_CALLBACK_URL', ...AUTH_ENV],
    grants: [
      { table: 'streams', actions: ['GetItem', 'UpdateItem'] },
      { table: 'viewers', actions: ['GetItem', 'UpdateItem'] },
      // Leave without a viewerId (the spec's request): the caller's open sessions.
      { table: 'viewers', actions: ['Query'], indexes: ['openSessions'] },
    ],
    // The broadcaster hears of a REST leave as of a socket one (stream:viewer:left).
    access: { manageConnections: true },
  },
  wsAuthorize: {
    entry: 'functions/ws/authorize.ts',
    env: ['SIGNALING_SECRET_ARN'],
    grants: [],
    access: { signalingSecret: true },
  },
  wsConnect: {
    entry: 'functions/ws/connect.ts',
    env: ['CONNECTIONS_TABLE', 'CONNECTION_TTL_SECONDS'],
    // PutItem: the connection row, and the used-ticket row (a ticket opens one connection).
    grants: [{ table: 'connections', actions: ['PutItem'] }],
  },
  wsDisconnect: {
    entry: 'functions/ws/disconnect.ts',
    env: [...SEAT_ENV, 'CONNECTIONS_TABLE', 'WS_CALLBACK_URL', ...WATCHDOG_ENV],
    grants: [
      { table: 'streams', actions: ['GetItem', 'UpdateItem'] },
      { table: 'viewers', actions: ['GetItem', 'UpdateItem'] },
      { table: 'connections', actions: ['DeleteItem', 'Query'], indexes: ['byStream'] },
    ],
    access: { manageConnections: true, scheduleWatchdog: true },
  },
  wsDefault: {
    entry: 'functions/ws/default.ts',
    env: [
      ...SEAT_ENV,
      // `stream:uplink`: the broadcaster's report sets its stream's peer seats.
      'PEER_SEATS_FALLBACK',
      'PEER_SEATS_MAX',
      'PEER_SEAT_KBPS',
      'CONNECTIONS_TABLE',
      'CHAT_TABLE',
      'CHAT_RATE_LIMIT',
      'CHAT_ROOM_RATE_LIMIT',
      'CHAT_RETENTION_DAYS',
      'WS_CALLBACK_URL',
      ...WATCHDOG_ENV,
    ],
    grants: [
      // BatchGetItem: each relay reads the stream and the session rows in one call.
      { table: 'streams', actions: ['GetItem', 'BatchGetItem', 'UpdateItem'] },
      { table: 'viewers', actions: ['GetItem', 'BatchGetItem', 'UpdateItem'] },
      // UpdateItem: a connection joins and leaves its stream's chat room.
      { table: 'connections', actions: ['DeleteItem', 'Query', 'UpdateItem'], indexes: ['byStream'] },
      // Room bans; posting over the socket (the user's and the room's windows, slow-mode slot, the message).
      { table: 'chat', actions: ['GetItem', 'UpdateItem', 'PutItem'] },
    ],
    // A relay that finds the broadcaster gone runs the same flow as its $disconnect.
    access: { manageConnections: true, scheduleWatchdog: true },
  },
  issueChatTicket: {
    entry: 'functions/api/issue-chat-ticket.ts',
    env: ['STREAMS_TABLE', ...AUTH_ENV, ...TICKET_ENV],
    grants: [{ table: 'streams', actions: ['GetItem'] }],
    access: { signalingSecret: true },
  },
  listChat: {
    entry: 'functions/api/list-chat.ts',
    env: ['STREAMS_TABLE', 'CHAT_TABLE', ...AUTH_ENV],
    grants: [
      { table: 'streams', actions: ['GetItem'] },
      { table: 'chat', actions: ['Query'] },
    ],
  },
  postChat: {
    entry: 'functions/api/post-chat.ts',
    env: [
      'STREAMS_TABLE',
      'CHAT_TABLE',
      'CHAT_RATE_LIMIT',
      'CHAT_ROOM_RATE_LIMIT',
      'CHAT_RETENTION_DAYS',
      ...AUTH_ENV,
    ],
    grants: [
      { table: 'streams', actions: ['GetItem'] },
      // Read the poster's ban; count the poster's and the room's windows and the slow-mode slot;
      // store the message.
      { table: 'chat', actions: ['GetItem', 'UpdateItem', 'PutItem'] },
    ],
  },
  moderateChat: {
    entry: 'functions/api/moderate-chat.ts',
    env: ['STREAMS_TABLE', 'CHAT_TABLE', ...AUTH_ENV],
    grants: [
      { table: 'streams', actions: ['GetItem', 'UpdateItem'] },
      { table: 'chat', actions: ['UpdateItem', 'PutItem', 'DeleteItem'] },
    ],
  },
  terminateStream: {
    entry: 'functions/api/terminate-stream.ts',
    env: ['STREAMS_TABLE', 'CONNECTIONS_TABLE', 'WS_CALLBACK_URL', ...AUTH_ENV],
    grants: END_GRANTS,
    access: { manageConnections: true },
  },
  chatFanOut: {
    entry: 'functions/events/chat-fan-out.ts',
    env: ['CONNECTIONS_TABLE', 'WS_CALLBACK_URL'],
    grants: [{ table: 'connections', actions: ['DeleteItem', 'Query'], indexes: ['byRoom'] }],
    access: { manageConnections: true },
    // A batch goes to every member of a room, one message a frame to the spec's clients: a big
    // room under a flood takes seconds. A timeout retries the whole batch, and everyone already
    // served would see it twice, so the budget is generous (the stream shard waits meanwhile).
    timeoutSeconds: 60,
  },
  streamWatchdog: {
    entry: 'functions/events/stream-watchdog.ts',
    env: ['STREAMS_TABLE', 'CONNECTIONS_TABLE', 'WS_CALLBACK_URL'],
    grants: END_GRANTS,
    access: { manageConnections: true },
  },
  getStreamStats: {
    entry: 'functions/api/get-stats.ts',
    env: ['STREAMS_TABLE', 'VIEWERS_TABLE', 'PRESENCE_WINDOW_SECONDS', ...AUTH_ENV],
    grants: [
      { table: 'streams', actions: ['GetItem'] },
      { table: 'viewers', actions: ['Query'] },
    ],
  },
  openRecording: {
    entry: 'functions/api/open-recording.ts',
    env: [...RECORDING_ENV, ...AUTH_ENV],
    grants: [{ table: 'streams', actions: ['GetItem', 'UpdateItem'] }],
    // CreateMultipartUpload; AbortMultipartUpload when the conditional write loses a race.
    bucket: [{ prefix: 'uploads/', actions: ['PutObject', 'AbortMultipartUpload'] }],
  },
  presignRecordingPart: {
    entry: 'functions/api/presign-recording-part.ts',
    env: [...RECORDING_ENV, ...AUTH_ENV],
    grants: [{ table: 'streams', actions: ['GetItem'] }],
    // A presigned URL carries its signer's permission: UploadPart needs PutObject.
    bucket: [{ prefix: 'uploads/', actions: ['PutObject'] }],
  },
  completeRecording: {
    entry: 'functions/api/complete-recording.ts',
    env: [...RECORDING_ENV, ...AUTH_ENV],
    grants: [{ table: 'streams', actions: ['GetItem', 'UpdateItem'] }],
    bucket: COMPLETE_UPLOAD,
  },
  getRecording: {
    entry: 'functions/api/get-recording.ts',
    env: [...RECORDING_ENV],
    grants: [{ table: 'streams', actions: ['GetItem'] }],
  },
  listRecordings: {
    entry: 'functions/api/list-recordings.ts',
    env: [...RECORDING_ENV, ...AUTH_ENV],
    grants: [{ table: 'streams', actions: ['Query'], indexes: ['recordings'] }],
  },
  deleteRecording: {
    entry: 'functions/api/delete-recording.ts',
    env: [...RECORDING_ENV, ...AUTH_ENV],
    grants: [{ table: 'streams', actions: ['GetItem', 'UpdateItem'] }],
    bucket: [
      { prefix: 'uploads/', actions: ['ListBucket', 'DeleteObject', 'AbortMultipartUpload'] },
      { prefix: 'media/', actions: ['ListBucket', 'DeleteObject'] },
    ],
  },
  finishRecording: {
    entry: 'functions/media/finish-recording.ts',
    env: [...RECORDING_ENV],
    grants: [{ table: 'streams', actions: ['GetItem', 'UpdateItem'] }],
    bucket: COMPLETE_UPLOAD,
  },
  finishLive: {
    entry: 'functions/media/finish-live.ts',
    env: ['RECORDINGS_BUCKET'],
    // The stream's id and state come in its DynamoDB stream record: no table access at all.
    grants: [],
    // List the renditions, read each media playlist, write it back ended; nothing outside live/.
    bucket: [{ prefix: 'live/', actions: ['ListBucket', 'GetObject', 'PutObject'] }],
  },
  transcodeRecording: {
    entry: 'functions/media/transcode-recording.ts',
    env: [...RECORDING_ENV, 'MEDIACONVERT_ROLE_ARN'],
    grants: [{ table: 'streams', actions: ['GetItem', 'UpdateItem'] }],
    // Probe reads the source with the caller's own credentials.
    bucket: [{ prefix: 'uploads/', actions: ['GetObject'] }],
    access: { transcode: true },
  },
  issueLiveCredential: {
    entry: 'functions/api/issue-live-credential.ts',
    env: [
      'STREAMS_TABLE',
      'RECORDINGS_BUCKET',
      'MEDIA_BASE_URL',
      'LIVE_UPLOAD_TTL_SECONDS',
      'LIVE_SEGMENT_MAX_BYTES',
      ...AUTH_ENV,
    ],
    grants: [{ table: 'streams', actions: ['GetItem'] }],
    // A presigned POST carries its signer's permission: the broadcaster's uploads need PutObject.
    bucket: [{ prefix: 'live/', actions: ['PutObject'] }],
  },
  recordingJobState: {
    entry: 'functions/media/recording-job-state.ts',
    env: [...RECORDING_ENV],
    grants: [{ table: 'streams', actions: ['UpdateItem'] }],
  },
} as const satisfies Record<string, HandlerDef>;

export type HandlerName = keyof typeof handlers;

const STREAM = '/api/livestream/{streamId}';

export const restRoutes = [
  { method: 'POST', path: '/api/livestream/create', handler: 'createStream', auth: 'user' },
  { method: 'GET', path: '/api/livestream/active', handler: 'listActiveStreams', auth: 'public' },
  { method: 'GET', path: STREAM, handler: 'getStream', auth: 'public' },
  { method: 'POST', path: `${STREAM}/start`, handler: 'startStream', auth: 'user' },
  { method: 'POST', path: `${STREAM}/end`, handler: 'endStream', auth: 'user' },
  { method: 'POST', path: `${STREAM}/key`, handler: 'rotateStreamKey', auth: 'user' },
  { method: 'POST', path: `${STREAM}/ticket`, handler: 'issueTicket', auth: 'user' },
  { method: 'POST', path: `${STREAM}/join`, handler: 'joinStream', auth: 'user' },
  { method: 'POST', path: `${STREAM}/leave`, handler: 'leaveStream', auth: 'user' },
  // The HLS tier's presence: one beat per window per viewer (docs/live.md, "Counting").
  { method: 'POST', path: `${STREAM}/presence`, handler: 'beatPresence', auth: 'user' },
  { method: 'GET', path: `${STREAM}/chat`, handler: 'listChat', auth: 'user' },
  { method: 'POST', path: `${STREAM}/chat/ticket`, handler: 'issueChatTicket', auth: 'user' },
  // Moderation: the owner, or a moderator/admin claim. One function, one small set of grants.
  { method: 'DELETE', path: `${STREAM}/chat/{messageId}`, handler: 'moderateChat', auth: 'user' },
  { method: 'POST', path: `${STREAM}/chat/bans`, handler: 'moderateChat', auth: 'user' },
  { method: 'DELETE', path: `${STREAM}/chat/bans/{userId}`, handler: 'moderateChat', auth: 'user' },
  { method: 'POST', path: `${STREAM}/chat/slow-mode`, handler: 'moderateChat', auth: 'user' },
  { method: 'POST', path: `${STREAM}/terminate`, handler: 'terminateStream', auth: 'user' },
  { method: 'POST', path: `${STREAM}/chat`, handler: 'postChat', auth: 'user' },
  { method: 'GET', path: `${STREAM}/stats`, handler: 'getStreamStats', auth: 'user' },
  // Recordings: the owner uploads parts straight to S3 with presigned URLs (docs/recording.md).
  { method: 'GET', path: '/api/livestream/recordings', handler: 'listRecordings', auth: 'user' },
  { method: 'POST', path: `${STREAM}/recording`, handler: 'openRecording', auth: 'user' },
  { method: 'POST', path: `${STREAM}/recording/parts`, handler: 'presignRecordingPart', auth: 'user' },
  { method: 'POST', path: `${STREAM}/recording/complete`, handler: 'completeRecording', auth: 'user' },
  { method: 'GET', path: `${STREAM}/recording`, handler: 'getRecording', auth: 'public' },
  { method: 'DELETE', path: `${STREAM}/recording`, handler: 'deleteRecording', auth: 'user' },
  // The live ladder: the broadcaster's browser writes segments straight to S3 (docs/live.md).
  { method: 'POST', path: `${STREAM}/live/credential`, handler: 'issueLiveCredential', auth: 'user' },
] as const satisfies readonly RestRoute[];

/** Route selection is `$request.body.action`; every action goes to `$default`'s router. */
export const webSocketRoutes = [
  { routeKey: '$connect', handler: 'wsConnect' },
  { routeKey: '$disconnect', handler: 'wsDisconnect' },
  { routeKey: '$default', handler: 'wsDefault' },
] as const satisfies readonly WebSocketRoute[];

/**
 * The actions `$default` routes (a frame's `action`), and who may send each: the protocol's map
 * (core/protocol.ts), listed here so the manifest names the whole socket API. `socket/actions.ts`
 * handles exactly these (test/unit/protocol.test.ts); any other is answered `UNKNOWN_ACTION`.
 */
export const webSocketActions: readonly WebSocketAction[] = (Object.keys(actionRoles) as ClientAction[]).map(
  (name) => ({ name, roles: actionRoles[name] }),
);

/**
 * The `$connect` REQUEST authorizer: checks the signed ticket in the query string. Its
 * context (`streamId`, `role`, `userId`, `viewerId`) reaches every later route of the
 * connection in `requestContext.authorizer`, so relaying never re-reads who the sender is.
 */
export const webSocketAuthorizer = {
  handler: 'wsAuthorize',
  /** API Gateway refuses the upgrade (401) without it, before the authorizer runs. */
  identitySource: 'route.request.querystring.ticket',
} as const satisfies { handler: HandlerName; identitySource: string };

/**
 * Events from AWS services. `streamWatchdog` is invoked by one-off EventBridge Scheduler
 * schedules that `$disconnect` creates when a broadcaster drops (payload
 * `{streamId, goneAt}`); the local stack fires the same payload from a timer.
 */
export const eventSources = [
  { kind: 'schedule', handler: 'streamWatchdog', group: 'stream-watchdog' },
  {
    kind: 'dynamodb-stream',
    table: 'chat',
    handler: 'chatFanOut',
    // Batches, not single records: a flood reaches each watcher as a few frames a second.
    // AWS takes whole seconds only: the stack deploys 0, where Lambda polls each shard about
    // four times a second, which is what the local stand-in's 0.25 s window reproduces.
    batchSize: 100,
    maxBatchingWindowSeconds: 0.25,
    // Only messages (new, or marked deleted) wake the fan-out; moderation rows never do.
    filters: [{ dynamodb: { NewImage: { kind: { S: ['message'] } } } }],
  },
  {
    kind: 'dynamodb-stream',
    table: 'streams',
    handler: 'finishRecording',
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    // Only an ended stream whose upload is still open; completing it flips the status, so each
    // stream wakes the handler about once (a later write to it finds nothing to do).
    filters: [
      {
        dynamodb: {
          NewImage: { status: { S: ['ended'] }, recording: { M: { status: { S: ['uploading'] } } } },
        },
      },
    ],
  },
  {
    kind: 'dynamodb-stream',
    table: 'streams',
    handler: 'finishLive',
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    // Only an ended stream whose broadcaster ran a live ladder (`ladderKbps`, from its
    // `stream:uplink` reports; `exists` must name the attribute's type, N). Every later write to
    // such a row wakes it again (a recording's progress, say): each finds its playlists ended
    // and writes nothing, for one List and a few GETs.
    filters: [
      { dynamodb: { NewImage: { status: { S: ['ended'] }, ladderKbps: { N: [{ exists: true }] } } } },
    ],
  },
  {
    // A completed upload (CompleteMultipartUpload) under `uploads/` starts its transcode.
    kind: 's3',
    prefix: 'uploads/',
    events: ['s3:ObjectCreated:*'],
    handler: 'transcodeRecording',
  },
  {
    // MediaConvert's job events (EventBridge), only for jobs this service started.
    kind: 'eventbridge',
    handler: 'recordingJobState',
    pattern: {
      source: ['aws.mediaconvert'],
      'detail-type': ['MediaConvert Job State Change'],
      detail: {
        status: ['PROGRESSING', 'STATUS_UPDATE', 'COMPLETE', 'ERROR'],
        userMetadata: { service: ['dreamx-livestream'] },
      },
    },
  },
] as const;

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
