/**
 * Every number an operator may tune, in one table: its default, the range the handlers accept, the
 * deploy parameter that sets it on AWS, and what it means. Handlers read them with `tunable()`
 * (config.ts),
 * `lib/` makes the CloudFormation parameters from it (so a bad value fails the deployment, not
 * every cold start), the local stack starts from the defaults, and the README's table is
 * generated from it (`npm run docs:tunables`; a test keeps the README in step).
 */
import type { EnvName } from './manifest-types.ts';

export interface Tunable {
  readonly default: number;
  readonly min: number;
  readonly max: number;
  /** The `cdk deploy --parameters <id>=...` name. */
  readonly parameter: string;
  readonly meaning: string;
}

export const tunables = {
  // A spec client broadcasts no live ladder: every viewer is a peer of its browser, as before.
  DEFAULT_MAX_VIEWERS: {
    default: 50,
    min: 1,
    max: 10_000,
    parameter: 'DefaultMaxViewers',
    meaning:
      'peer-to-peer seats of a stream whose broadcaster runs no live ladder and whose owner set no `maxViewers` ([docs/live.md](docs/live.md))',
  },
  PEER_SEATS_FALLBACK: {
    default: 2,
    min: 0,
    max: 50,
    parameter: 'PeerSeatsFallback',
    meaning:
      'peer-to-peer seats of a stream with a live ladder before its broadcaster has measured its uplink',
  },
  PEER_SEATS_MAX: {
    default: 10,
    min: 0,
    max: 50,
    parameter: 'PeerSeatsMax',
    meaning: 'most peer-to-peer seats any uplink earns a stream with a live ladder (the rest watch HLS)',
  },
  PEER_SEAT_KBPS: {
    default: 2500,
    min: 100,
    max: 20_000,
    parameter: 'PeerSeatKbps',
    meaning: "uplink one peer-to-peer viewer takes (the SDK's 720p send bitrate)",
  },
  // A viewer beats once per window: shorter windows count faster and cost more requests.
  PRESENCE_WINDOW_SECONDS: {
    default: 30,
    min: 2,
    max: 600,
    parameter: 'PresenceWindowSeconds',
    meaning:
      'presence window of the HLS tier: its count trails by one to two windows ([docs/live.md](docs/live.md))',
  },
  TURN_TTL_SECONDS: {
    default: 3600,
    min: 60,
    max: 86_400,
    parameter: 'TurnTtlSeconds',
    meaning: 'lifetime of short-lived TURN credentials (TURN REST scheme)',
  },
  // Just past API Gateway's 2 h connection limit, so a lost $disconnect cannot leak rows.
  CONNECTION_TTL_SECONDS: {
    default: 7500,
    min: 60,
    max: 86_400,
    parameter: 'ConnectionTtlSeconds',
    meaning: "TTL of a WebSocket connection row, just past API Gateway's 2 h limit",
  },
  // Long enough to open a WebSocket after a REST round trip on a slow mobile link; short enough
  // that a ticket leaked into a proxy log is worthless soon after.
  SIGNALING_TICKET_TTL_SECONDS: {
    default: 60,
    min: 10,
    max: 300,
    parameter: 'SignalingTicketTtlSeconds',
    meaning: 'how long a ticket may be used to connect (it opens one connection)',
  },
  BROADCASTER_GRACE_SECONDS: {
    default: 60,
    min: 5,
    max: 600,
    parameter: 'BroadcasterGraceSeconds',
    meaning: 'how long a stream waits for a dropped broadcaster to reconnect before it ends',
  },
  // At least 15 s: past the functions' 10 s timeout, so a join or leave still running is never
  // taken for an interrupted one.
  SEAT_REPAIR_AFTER_SECONDS: {
    default: 60,
    min: 15,
    max: 3600,
    parameter: 'SeatRepairAfterSeconds',
    meaning:
      'after how long a join or leave cut short by a crash is repaired by the next one ([docs/security.md](docs/security.md))',
  },
  CHAT_RATE_LIMIT: {
    default: 5,
    min: 1,
    max: 1000,
    parameter: 'ChatRateLimit',
    meaning: 'messages a user may post per stream per 10 s',
  },
  CHAT_ROOM_RATE_LIMIT: {
    default: 10,
    min: 1,
    max: 1000,
    parameter: 'ChatRoomRateLimit',
    meaning: 'messages all users together may post per stream per second ([docs/chat.md](docs/chat.md))',
  },
  CHAT_RETENTION_DAYS: {
    default: 30,
    min: 1,
    max: 3650,
    parameter: 'ChatRetentionDays',
    meaning: "how long chat history is kept before DynamoDB's TTL removes it",
  },
  // 5 TiB is S3's largest object.
  RECORDING_MAX_BYTES: {
    default: 10 * 1024 ** 3,
    min: 1024 ** 2,
    max: 5 * 1024 ** 4,
    parameter: 'RecordingMaxBytes',
    meaning: 'largest recording upload accepted, in bytes (10 GiB)',
  },
  RECORDING_UPLOAD_WINDOW_SECONDS: {
    default: 900,
    min: 60,
    max: 86_400,
    parameter: 'RecordingUploadWindowSeconds',
    meaning: 'how long after a stream ends its owner may still open or finish an upload',
  },
  // Long enough that the broadcaster renews well before the end without a request every few
  // segments; short enough that a credential copied out of the page is soon worthless (it lets
  // its holder write under that one stream's live prefix, even past the stream's end).
  LIVE_UPLOAD_TTL_SECONDS: {
    default: 900,
    min: 60,
    max: 3600,
    parameter: 'LiveUploadTtlSeconds',
    meaning:
      "how long a broadcaster's live upload credential (an S3 presigned POST) is good for ([docs/live.md](docs/live.md))",
  },
  // A 1 s segment of the top rendition is well under 1 MiB; playlists are a few KiB.
  LIVE_SEGMENT_MAX_BYTES: {
    default: 8 * 1024 ** 2,
    min: 256 * 1024,
    max: 64 * 1024 ** 2,
    parameter: 'LiveSegmentMaxBytes',
    meaning:
      'largest object (segment or playlist) a live upload credential lets the broadcaster write, in bytes (8 MiB)',
  },
} as const satisfies Partial<Record<EnvName, Tunable>>;

export type TunableName = keyof typeof tunables;
