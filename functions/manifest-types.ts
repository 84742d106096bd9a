/**
 * The shapes of `manifest.ts`'s data. Kept apart so the manifest itself reads as the list of
 * what the service is made of.
 */
import type { ClientAction, SignalingRole } from './core/protocol.ts';
import type { HandlerName, TableKey } from './manifest.ts';

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
  /** A DynamoDB stream of the table's changes, carrying the new item image. */
  readonly stream?: 'NEW_IMAGE';
}

/** DynamoDB actions a handler may be granted; anything else is a review question. */
export type DynamoAction = 'GetItem' | 'BatchGetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'Query';

export interface TableGrant {
  readonly table: TableKey;
  readonly actions: readonly DynamoAction[];
  /** Indexes the handler queries; each is granted by its own ARN. */
  readonly indexes?: readonly string[];
}

/**
 * The recordings bucket's prefixes: broadcasters' uploads, MediaConvert's output, and the live
 * ladder the broadcaster's browser writes (docs/live.md).
 */
export type BucketPrefix = 'uploads/' | 'media/' | 'live/';

/**
 * S3 actions a handler may be granted on one prefix of the recordings bucket. `PutObject` covers
 * CreateMultipartUpload, UploadPart (what a presigned part URL is signed for),
 * CompleteMultipartUpload and POST Object (what a presigned POST is signed for); `ListBucket` is
 * granted on the bucket, limited to the prefix.
 */
export type BucketAction =
  | 'PutObject'
  | 'GetObject'
  | 'DeleteObject'
  | 'ListMultipartUploadParts'
  | 'AbortMultipartUpload'
  | 'ListBucket';

export interface BucketGrant {
  readonly prefix: BucketPrefix;
  readonly actions: readonly BucketAction[];
}

/**
 * Environment variables a handler reads. Table names are filled in from the tables above,
 * `SIGNALING_*`, `WS_CALLBACK_URL` and `WATCHDOG_*` from the stack's own resources, the rest
 * from deploy parameters (see README, "Configuration").
 */
export type EnvName =
  | 'STREAMS_TABLE'
  | 'VIEWERS_TABLE'
  | 'CONNECTIONS_TABLE'
  | 'CHAT_TABLE'
  /** Messages a user may post per stream in 10 s (default 5). */
  | 'CHAT_RATE_LIMIT'
  /** Messages all users together may post per stream per second (default 10). */
  | 'CHAT_ROOM_RATE_LIMIT'
  /** How long chat history is kept (default 30 days; DynamoDB TTL deletes older messages). */
  | 'CHAT_RETENTION_DAYS'
  | 'AUTH_JWKS_URL'
  | 'AUTH_ISSUER'
  | 'AUTH_AUDIENCE'
  | 'DEFAULT_MAX_VIEWERS'
  /** Peer-to-peer seats of a stream with a live ladder (docs/live.md). */
  | 'PEER_SEATS_FALLBACK'
  | 'PEER_SEATS_MAX'
  | 'PEER_SEAT_KBPS'
  /** The HLS tier's presence window (core/audience.ts). */
  | 'PRESENCE_WINDOW_SECONDS'
  | 'AUDIENCE_TABLE'
  | 'TURN_SERVER'
  | 'TURN_USERNAME'
  | 'TURN_PASSWORD'
  | 'TURN_SECRET'
  | 'TURN_TTL_SECONDS'
  | 'CONNECTION_TTL_SECONDS'
  /** The wss:// URL clients connect to (returned with each ticket). */
  | 'SIGNALING_URL'
  /** ARN of the Secrets Manager secret that signs tickets (on AWS). */
  | 'SIGNALING_SECRET_ARN'
  /** The ticket-signing secret itself: the local stack only; AWS uses the ARN above. */
  | 'SIGNALING_SECRET'
  | 'SIGNALING_TICKET_TTL_SECONDS'
  /** The @connections management endpoint: https://{api}.execute-api.{region}.amazonaws.com/{stage}. */
  | 'WS_CALLBACK_URL'
  /** How long a live stream waits for its broadcaster to reconnect before it ends. */
  | 'BROADCASTER_GRACE_SECONDS'
  /** After how long a join or leave left half done by a crash is repaired (core/seats.ts). */
  | 'SEAT_REPAIR_AFTER_SECONDS'
  /** EventBridge Scheduler: where the one-off stream checks go, and the role they run as. */
  | 'WATCHDOG_FUNCTION_ARN'
  | 'WATCHDOG_SCHEDULER_ROLE_ARN'
  | 'WATCHDOG_SCHEDULE_GROUP'
  /** The recordings bucket (uploads under `uploads/`, HLS/DASH output under `media/`). */
  | 'RECORDINGS_BUCKET'
  /** Largest recording upload accepted, in bytes (default 10 GiB). */
  | 'RECORDING_MAX_BYTES'
  /** How long after a stream ends its owner may still open or finish an upload (default 900 s). */
  | 'RECORDING_UPLOAD_WINDOW_SECONDS'
  /** The role MediaConvert jobs run as (reads `uploads/`, writes `media/`). */
  | 'MEDIACONVERT_ROLE_ARN'
  /** Where `media/` is served: the CloudFront distribution's https URL (no trailing slash). */
  | 'MEDIA_BASE_URL'
  /** How long a broadcaster's live upload credential (presigned POST) is good for (default 900 s). */
  | 'LIVE_UPLOAD_TTL_SECONDS'
  /** Largest object a live upload credential lets the broadcaster write (default 8 MiB). */
  | 'LIVE_SEGMENT_MAX_BYTES';

/** Non-table permissions, each a named capability the CDK turns into one precise statement. */
export interface HandlerAccess {
  /** `execute-api:ManageConnections` on this API's `@connections` (post, get, delete). */
  readonly manageConnections?: true;
  /** `secretsmanager:GetSecretValue` on the ticket-signing secret. */
  readonly signalingSecret?: true;
  /** `scheduler:CreateSchedule` in the watchdog group, and `iam:PassRole` on its role. */
  readonly scheduleWatchdog?: true;
  /** `mediaconvert:Probe`, `mediaconvert:CreateJob`, and `iam:PassRole` on the MediaConvert role. */
  readonly transcode?: true;
}

export interface HandlerDef {
  /** Path from the repository root to the file exporting `handler`. */
  readonly entry: string;
  readonly env: readonly EnvName[];
  readonly grants: readonly TableGrant[];
  /** Prefix-scoped S3 actions on the recordings bucket. */
  readonly bucket?: readonly BucketGrant[];
  readonly access?: HandlerAccess;
  /** Seconds the function may run (default 10: a few DynamoDB calls). The local stack honours it too. */
  readonly timeoutSeconds?: number;
}

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface RestRoute {
  readonly method: HttpMethod;
  /** API Gateway resource path; `{name}` segments become path parameters. */
  readonly path: string;
  readonly handler: HandlerName;
  /** `user`: a valid Bearer JWT is required (checked in the handler); `public`: anyone. */
  readonly auth: 'user' | 'public';
}

export interface WebSocketRoute {
  readonly routeKey: string;
  readonly handler: HandlerName;
}

/** One action `$default` routes (a frame's `action`), and the roles whose connections may send it. */
export interface WebSocketAction {
  readonly name: ClientAction;
  readonly roles: readonly SignalingRole[];
}
