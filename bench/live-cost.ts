/**
 * Scenario 8, what the live tier costs and what it asks of the origin. Pure: counts in (the live
 * scenario's uploads, presence and players; the signaling scenario's viewer set-up), dollars and
 * requests out, every price written beside the figure it made (bench/cost.ts's style).
 *
 * - `originModel`: S3 requests per second of one stream for an audience, with the CDN's TTLs
 *   (playlists 1 s, segments long) behind Origin Shield, and with no CDN at all.
 * - `liveCostModel`: one viewer-hour on each tier, and the broadcaster's side of one stream-hour.
 */
import { tunables } from '../functions/tunables.ts';
import {
  appendSegment,
  EMPTY_HISTORY,
  fullPlaylist,
  fullPlaylistDue,
  indexPlaylist,
  type RenditionHistory,
  SEGMENT_SECONDS,
} from '../web/sdk/live/playlists.ts';
import { type CostInputs, costModel, functionMemoryMb, PRICES } from './cost.ts';

/** us-east-1 list prices of the live tier (CloudFront's: its United States edge prices), looked up 2026-12-03. */
export const LIVE_PRICES = {
  lookedUp: '2026-12-03',
  cloudFrontDataOut: {
    usd: 0.085,
    per: 'GB from CloudFront to viewers, first 10 TB a month, United States, Mexico and Canada',
    source: 'https://aws.amazon.com/cloudfront/pricing/',
    crossRead: 'https://github.com/vreutova/infracost-idem-support/pull/15 (Infracost: $0.085 per GB)',
  },
  cloudFrontHttpsRequest: {
    usd: 0.01 / 1e4,
    per: 'HTTPS request at a CloudFront edge, United States ($0.0100 per 10,000)',
    source: 'https://aws.amazon.com/cloudfront/pricing/',
    crossRead: 'https://rdrr.io/github/snowplow/snowplow-tco-model/src/R/cloudfront-costs.r',
  },
  originShieldRequest: {
    usd: 0.0075 / 1e4,
    per: 'request through Origin Shield, billed at the regional request rate (United States: $0.0075 per 10,000)',
    source: 'https://aws.amazon.com/cloudfront/pricing/',
    crossRead: 'https://awsnegotiations.com/cloudfront-origin-shield-cost',
  },
  s3PostRequest: {
    usd: 0.005 / 1e3,
    per: 'S3 Standard PUT, COPY, POST or LIST request ($0.005 per 1,000)',
    source: 'https://aws.amazon.com/s3/pricing/',
    crossRead: 'https://c3x.dev/blog/s3-request-fees-explained',
  },
  s3GetRequest: {
    usd: 0.0004 / 1e3,
    per: 'S3 Standard GET or HEAD request ($0.0004 per 1,000)',
    source: 'https://aws.amazon.com/s3/pricing/',
    crossRead: 'https://c3x.dev/blog/s3-request-fees-explained',
  },
  s3StorageGbMonth: {
    usd: 0.023,
    per: 'GB-month of S3 Standard storage, first 50 TB',
    source: 'https://aws.amazon.com/s3/pricing/',
    crossRead: 'https://gist.github.com/EverettBerry/a37438006529a55f42da6fdbc44a505c',
  },
  s3ToCloudFront: {
    usd: 0,
    per: 'GB from S3 to CloudFront (no charge)',
    source: 'https://docs.aws.amazon.com/whitepapers/latest/how-aws-pricing-works/cloudfront.html',
    crossRead: '',
  },
  ec2DataOut: {
    usd: 0.09,
    per: 'GB out to the internet from EC2 (a TURN server), first 10 TB a month',
    source: 'https://aws.amazon.com/ec2/pricing/on-demand/',
    crossRead: 'https://finopsforge.com/reduce-aws-data-transfer-costs',
  },
} as const;

type Priced = { usd: number; per: string; source: string };
const UNITS = Object.fromEntries(
  Object.entries({ ...PRICES, ...LIVE_PRICES }).filter(([, value]) => typeof value === 'object'),
) as Record<Unit, Priced>;
type Unit =
  | Exclude<keyof typeof PRICES, 'lookedUp' | 'region'>
  | Exclude<keyof typeof LIVE_PRICES, 'lookedUp'>;

interface Line {
  item: string;
  quantity: number;
  unit: Unit;
  usd: number;
}

function line(item: string, quantity: number, unit: Unit): Line {
  return { item, quantity: Number(quantity.toPrecision(6)), unit, usd: quantity * UNITS[unit].usd };
}

function lambda(item: string, invocations: number, ms: number, memoryMb: number): Line[] {
  return [
    line(`${item}: invocations`, invocations, 'lambdaRequest'),
    line(
      `${item}: GB-s (${Math.ceil(ms)} ms x ${memoryMb} MB each)`,
      invocations * (Math.ceil(ms) / 1000) * (memoryMb / 1024),
      'lambdaGbSecondArm',
    ),
  ];
}

function dynamo(item: string, per: { rru: number; wru: number }, times: number): Line[] {
  return [
    line(`${item}: read request units`, per.rru * times, 'dynamoReadRequestUnit'),
    line(`${item}: write request units (indexes included)`, per.wru * times, 'dynamoWriteRequestUnit'),
  ];
}

/** What the live scenario measured that the model reads (bench/live.ts's figures). */
export interface LiveFigures {
  requestsPerPlayerSecond: number;
  ladder: { rendition: string; kbps: number }[];
  broadcaster: {
    uploads: { rendition: string; ladderKbps: number; segmentKbps: number }[];
  };
  presence: {
    perJoin: { rru: number; wru: number };
    perBeat: { rru: number; wru: number };
    joinMsP50: number;
    beatMsP50: number;
    quietBeat: { rru: number; wru: number; durationMsP50: number } | null;
    credential: { rru: number; wru: number; durationMsP50: number } | null;
  };
  uplinkReport: { rru: number; wru: number; durationMsP50: number } | null;
}

export interface LiveCostInputs extends CostInputs {
  live: LiveFigures;
}

export interface LiveAssumptions {
  /** Players' playlist reloads a second: hls.js reloads a live playlist every target duration. */
  playlistReloadsPerSecond: number;
  /** Segments a player fetches a second: one per segment duration. */
  segmentsPerSecond: number;
  /** The edge's TTL of a playlist (live-cdk: 1 s) and of a segment (a day: never expires live). */
  playlistTtlSeconds: number;
  /** Origin Shield regions in front of the bucket (live-cdk: one, the stack's). */
  shieldRegions: number;
  /** Regional edge caches that fetch through the shield: all of CloudFront's, for a global audience. */
  regionalEdgeCaches: number;
  /** `PRESENCE_WINDOW_SECONDS`: one beat per window. */
  presenceWindowSeconds: number;
  /** Days the ladder stays under `live/` (live-cdk's `LiveRetentionDays` default). */
  retentionDays: number;
  /** The broadcaster SDK's `stream:uplink` period. */
  uplinkReportSeconds: number;
  /** A credential is renewed at two thirds of `LIVE_UPLOAD_TTL_SECONDS`. */
  credentialRenewSeconds: number;
  /** What a relayed peer-to-peer viewer receives through TURN (`PEER_SEAT_KBPS`). */
  peerKbps: number;
  audiences: number[];
}

export const LIVE_ASSUMPTIONS: LiveAssumptions = {
  playlistReloadsPerSecond: 1,
  segmentsPerSecond: 1 / SEGMENT_SECONDS,
  playlistTtlSeconds: 1,
  shieldRegions: 1,
  regionalEdgeCaches: 13,
  presenceWindowSeconds: tunables.PRESENCE_WINDOW_SECONDS.default,
  retentionDays: 7,
  uplinkReportSeconds: 10,
  credentialRenewSeconds: (tunables.LIVE_UPLOAD_TTL_SECONDS.default * 2) / 3,
  peerKbps: tunables.PEER_SEAT_KBPS.default,
  audiences: [100, 10_000, 1_000_000],
};

const HOUR = 3600;
const GB = 1e9;
const bytesPerSecond = (kbps: number) => (kbps * 1000) / 8;

/** A rendition's history of `n` one-second segments (the SDK's playlists), for their sizes. */
function history(n: number): RenditionHistory {
  let h: RenditionHistory = EMPTY_HISTORY;
  const start = Date.parse('2026-12-03T18:00:00.000Z');
  for (let i = 0; i < n; i++) {
    h = appendSegment(h, {
      durationSec: 1.001,
      programDateTime: start + i * 1000,
      map: 'init-0.mp4',
    }).history;
  }
  return h;
}

/** Bytes of the sliding-window playlist, and of the full one: a header and so much per segment. */
export function playlistSizes() {
  const full = (n: number) => Buffer.byteLength(fullPlaylist(history(n), { ended: false }));
  const perSegment = (full(110) - full(10)) / 100;
  return {
    indexBytes: Buffer.byteLength(indexPlaylist(history(20), { ended: false })),
    fullHeaderBytes: full(10) - 10 * perSegment,
    fullBytesPerSegment: perSegment,
  };
}

/** POSTs of `full.m3u8` in `seconds` of one rendition, as the SDK spaces them (`fullPlaylistDue`). */
export function fullPlaylistPosts(kbps: number, seconds: number): number {
  const { fullHeaderBytes, fullBytesPerSegment } = playlistSizes();
  let posts = 0;
  let sentBytes = 0;
  let sentAt = Number.NEGATIVE_INFINITY;
  for (let t = 1; t <= seconds; t++) {
    if (fullPlaylistDue({ bytes: sentBytes, kbps, sinceMs: (t - sentAt) * 1000 })) {
      posts++;
      sentBytes = fullHeaderBytes + t * fullBytesPerSegment;
      sentAt = t;
    }
  }
  return posts;
}

/**
 * Requests a second that reach S3 for one stream of `renditions` renditions watched by `audience`
 * players. With the CDN: each playlist (every rendition's and the multivariant one) is fetched once
 * per TTL per shield region, each new segment once, whatever the audience (when the audience is
 * smaller than that, its own requests bound it). Without it: every player's every request.
 */
export function originModel(
  live: Pick<LiveFigures, 'ladder' | 'broadcaster'>,
  assumptions: LiveAssumptions = LIVE_ASSUMPTIONS,
) {
  const n = live.ladder.length;
  const a = assumptions;
  const perPlayer = a.playlistReloadsPerSecond + a.segmentsPerSecond;
  const top = live.broadcaster.uploads.reduce((best, u) => Math.max(best, u.segmentKbps || u.ladderKbps), 0);
  const ladderKbps = live.broadcaster.uploads.reduce((sum, u) => sum + (u.segmentKbps || u.ladderKbps), 0);
  const { indexBytes } = playlistSizes();
  const shieldPlaylists = ((n + 1) / a.playlistTtlSeconds) * a.shieldRegions;
  const shieldSegments = n * a.segmentsPerSecond * a.shieldRegions;
  const rows = a.audiences.map((audience) => {
    const edge = audience * perPlayer;
    const withCdn = Math.min(edge, shieldPlaylists + shieldSegments);
    // Through the shield: every regional edge cache's misses, at most one per object per TTL each.
    const throughShield = Math.min(edge, (shieldPlaylists + shieldSegments) * a.regionalEdgeCaches);
    const noCdnBytes = audience * (bytesPerSecond(top) + a.playlistReloadsPerSecond * indexBytes);
    // Every rendition watched by someone: each new segment of each once, each playlist once per TTL.
    const cdnBytes = bytesPerSecond(ladderKbps) * a.shieldRegions + shieldPlaylists * indexBytes;
    return {
      audience,
      'edge requests/s': Math.round(edge),
      'origin requests/s, CDN + shield': Number(withCdn.toFixed(1)),
      'shield requests/s (at most)': Math.round(throughShield),
      'origin requests/s, no CDN': Math.round(edge),
      'origin MB/s, CDN + shield': Number((cdnBytes / 1e6).toFixed(2)),
      'origin MB/s, no CDN': Number((noCdnBytes / 1e6).toFixed(1)),
    };
  });
  return {
    renditions: n,
    perPlayerRequestsPerSecond: perPlayer,
    formula:
      'origin requests/s = (renditions + 1 multivariant playlist) / playlist TTL x shield regions + renditions x new segments/s',
    originRequestsPerSecond: shieldPlaylists + shieldSegments,
    rows,
  };
}

/**
 * One viewer-hour on each tier and one stream-hour of the broadcaster's uploads:
 * - HLS viewer-hour: the top rendition's bytes and the player's requests from CloudFront, the join
 *   and a presence beat per window (REST, Lambda, DynamoDB as measured);
 * - broadcaster stream-hour: the S3 POSTs of every rendition (segments, sliding and full playlists,
 *   init, multivariant), the ladder's storage for the retention, the credential's renewals, the
 *   `stream:uplink` reports, and what reaches S3 and the shield from the CDN (audience-free);
 * - webrtc viewer-hour: signaling only (bench/cost.ts), and a TURN-relayed one (an assumption).
 */
export function liveCostModel(
  inputs: LiveCostInputs,
  memoryMb: number,
  assumptions: LiveAssumptions = LIVE_ASSUMPTIONS,
) {
  const a = assumptions;
  const live = inputs.live;
  const p = live.presence;
  const uploads = live.broadcaster.uploads;
  const top = uploads.reduce(
    (best, u) => (u.ladderKbps > best.ladderKbps ? u : best),
    uploads[0] as (typeof uploads)[number],
  );
  const topKbps = top.segmentKbps || top.ladderKbps;
  const { indexBytes } = playlistSizes();
  const beats = HOUR / a.presenceWindowSeconds;
  const beatMs = p.quietBeat?.durationMsP50 ?? p.beatMsP50;
  const perBeat = p.quietBeat ?? p.perBeat;
  const playlistLoads = HOUR * a.playlistReloadsPerSecond;
  const segmentLoads = HOUR * a.segmentsPerSecond;

  const hlsViewerHour: Line[] = [
    line(
      `CloudFront bytes: ${top.rendition} at ${Math.round(topKbps)} kbit/s and its playlist each second (GB)`,
      (HOUR * bytesPerSecond(topKbps) + playlistLoads * indexBytes) / GB,
      'cloudFrontDataOut',
    ),
    line(
      `CloudFront requests: ${playlistLoads} playlist loads, ${segmentLoads} segments, master and init`,
      playlistLoads + segmentLoads + 2,
      'cloudFrontHttpsRequest',
    ),
    line('POST /join', 1, 'restRequest'),
    ...lambda('joinStream (HLS tier)', 1, p.joinMsP50, memoryMb),
    ...dynamo('join (HLS tier)', p.perJoin, 1),
    line(`POST /presence (one per ${a.presenceWindowSeconds} s window)`, beats, 'restRequest'),
    ...lambda('beatPresence', beats, beatMs, memoryMb),
    ...dynamo('presence beats', perBeat, beats),
  ];

  const posts = uploads.map((u) => {
    const full = fullPlaylistPosts(u.ladderKbps, HOUR);
    return { rendition: u.rendition, segments: segmentLoads, index: HOUR / SEGMENT_SECONDS, full, init: 1 };
  });
  const postCount = posts.reduce((sum, r) => sum + r.segments + r.index + r.full + r.init, 0) + 2;
  const storedGb =
    uploads.reduce((sum, u) => sum + HOUR * bytesPerSecond(u.segmentKbps || u.ladderKbps), 0) / GB;
  const origin = originModel(live, a);
  const originPerHour = origin.originRequestsPerSecond * HOUR;
  const credentials = HOUR / a.credentialRenewSeconds;
  const reports = HOUR / a.uplinkReportSeconds;
  const report = live.uplinkReport ?? { rru: 1, wru: 1, durationMsP50: 0 };
  const credential = p.credential ?? { rru: 1, wru: 0, durationMsP50: 0 };
  const streamHour: Line[] = [
    line(
      `S3 POSTs: ${posts.map((r) => `${r.rendition} ${r.segments + r.index + r.full + r.init}`).join(', ')}, 2 multivariant`,
      postCount,
      's3PostRequest',
    ),
    line(
      `S3 storage: the hour's ladder (${storedGb.toFixed(2)} GB) kept ${a.retentionDays} days (GB-months)`,
      storedGb * (a.retentionDays / (365 / 12)),
      's3StorageGbMonth',
    ),
    line(
      `S3 GETs from the shield (${origin.originRequestsPerSecond}/s whatever the audience)`,
      originPerHour,
      's3GetRequest',
    ),
    line(
      `shield requests from ${a.regionalEdgeCaches} regional edge caches (a global audience; at most)`,
      originPerHour * a.regionalEdgeCaches,
      'originShieldRequest',
    ),
    line('S3 to CloudFront bytes', storedGb, 's3ToCloudFront'),
    line(`credential renewals (every ${a.credentialRenewSeconds} s)`, credentials, 'restRequest'),
    ...lambda('issueLiveCredential', credentials, credential.durationMsP50, memoryMb),
    ...dynamo('credential', credential, credentials),
    line(
      `stream:uplink reports (every ${a.uplinkReportSeconds} s) and their acks`,
      2 * reports,
      'webSocketMessage',
    ),
    ...lambda('stream:uplink', reports, report.durationMsP50, memoryMb),
    ...dynamo('stream:uplink', report, reports),
  ];

  const signalingOnly = costModel(inputs, memoryMb).viewerHour;
  const turnGb = (HOUR * bytesPerSecond(a.peerKbps)) / GB;
  const relayed: Line[] = [
    line(`TURN relay to the viewer at ${a.peerKbps} kbit/s (GB)`, turnGb, 'ec2DataOut'),
  ];

  const hls = summary(hlsViewerHour);
  const stream = summary(streamHour);
  return {
    memoryMb,
    assumptions: a,
    prices: LIVE_PRICES,
    hlsViewerHour: hls,
    broadcasterStreamHour: { ...stream, posts, storedGb: Number(storedGb.toFixed(3)) },
    webrtcViewerHour: { usd: signalingOnly.usd, byService: signalingOnly.byService },
    webrtcRelayedViewerHour: { ...summary(relayed), plusSignaling: signalingOnly.usd },
    /** An HLS viewer-hour with the stream's share: the broadcaster's stream-hour over the audience. */
    hlsViewerHourWithStreamShare: a.audiences.map((audience) => ({
      audience,
      usd: Number((hls.usd + stream.usd / audience).toPrecision(3)),
    })),
    origin,
  };
}

function summary(lines: Line[]) {
  const total = lines.reduce((sum, l) => sum + l.usd, 0);
  return {
    usd: Number(total.toPrecision(3)),
    byService: byService(lines),
    lines: lines.map((l) => ({ ...l, usd: Number(l.usd.toPrecision(3)), price: UNITS[l.unit].usd })),
  };
}

function byService(lines: Line[]) {
  const group = (units: Unit[]) =>
    Number(
      lines
        .filter((l) => units.includes(l.unit))
        .reduce((sum, l) => sum + l.usd, 0)
        .toPrecision(3),
    );
  return {
    cloudFront: group(['cloudFrontDataOut', 'cloudFrontHttpsRequest', 'originShieldRequest']),
    s3: group(['s3PostRequest', 's3GetRequest', 's3StorageGbMonth', 's3ToCloudFront']),
    apiGateway: group(['webSocketMessage', 'webSocketConnectionMinute', 'restRequest']),
    lambda: group(['lambdaRequest', 'lambdaGbSecondArm']),
    dynamoDb: group(['dynamoReadRequestUnit', 'dynamoWriteRequestUnit']),
    turn: group(['ec2DataOut']),
  };
}

export function liveCostScenario(inputs: LiveCostInputs) {
  const model = liveCostModel(inputs, functionMemoryMb());
  const rows = [
    { figure: 'HLS viewer-hour (top rendition watched)', m: model.hlsViewerHour },
    { figure: 'broadcaster stream-hour (whole ladder, any audience)', m: model.broadcasterStreamHour },
    { figure: 'webrtc viewer-hour (signaling only)', m: model.webrtcViewerHour },
    {
      figure: 'webrtc viewer-hour relayed by TURN on EC2 (assumption), with signaling',
      m: {
        usd: Number((model.webrtcRelayedViewerHour.usd + model.webrtcViewerHour.usd).toPrecision(3)),
        byService: {
          ...model.webrtcViewerHour.byService,
          turn: model.webrtcRelayedViewerHour.byService.turn,
        },
      },
    },
  ];
  const table = [
    ...rows.map(({ figure, m }) => ({ figure, total: m.usd, ...m.byService })),
    ...model.hlsViewerHourWithStreamShare.map((r) => ({
      figure: `HLS viewer-hour with the stream's share, ${r.audience.toLocaleString('en-US')} viewers`,
      total: r.usd,
    })),
  ];
  return { table, figures: model };
}

export function liveOriginScenario(
  live: Pick<LiveFigures, 'ladder' | 'broadcaster' | 'requestsPerPlayerSecond'>,
) {
  const model = originModel(live);
  return {
    table: model.rows,
    figures: { ...model, measuredRequestsPerPlayerSecond: live.requestsPerPlayerSecond },
  };
}
