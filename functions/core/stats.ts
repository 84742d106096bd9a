/** The owner's figures for one stream, computed from its viewing sessions. */
import { hlsViewersAt, type StreamRecord, type StreamStatus, type User } from './model.ts';
import type { Clock, SessionHistory, SessionTiming, StreamStore } from './ports.ts';
import { ownedStream, type StreamRef } from './streams.ts';

export interface StreamStats {
  streamId: string;
  status: StreamStatus;
  currentViewers: number;
  /** `currentViewers` by tier, and the sessions (views) each tier had. */
  tiers: { webrtc: { current: number; views: number }; hls: { current: number; views: number } };
  peakViewers: number;
  totalViews: number;
  uniqueViewers: number;
  watchTime: { totalSeconds: number; averageSeconds: number };
  /** Per minute since the start: the most viewers watching at once during that minute. */
  concurrency: { minute: string; viewers: number }[];
  startedAt: string | null;
  endedAt: string | null;
}

export interface StatsDeps {
  streams: Pick<StreamStore, 'get'>;
  viewers: SessionHistory;
  clock: Clock;
  /** The presence window: an HLS viewer who stopped beating watched until one window past its last beat. */
  windowMs: number;
}

const MINUTE = 60_000;
/** The series covers at most the last 24 h of a stream: 1,440 points. */
export const MAX_MINUTES = 1440;

/** The owner's (or an admin's) figures for the stream. */
export async function streamStats(deps: StatsDeps, ref: StreamRef, user: User): Promise<StreamStats> {
  const stream = await ownedStream(deps, ref, user, { orAdmin: true });
  const { streamId } = stream;
  const sessions = stream.startedAt === undefined ? [] : await deps.viewers.sessions(streamId);
  // Sessions still open count up to now (live) or up to the end (a leave that never came); an
  // HLS viewer's, up to a window past its last beat (it may have vanished without a leave).
  const now = deps.clock.now();
  const until = stream.endedAt ?? now;
  const lastSeen = (s: SessionTiming) =>
    s.leftAt ?? (s.tier === 'hls' ? (s.seenAt ?? s.joinedAt) + deps.windowMs : until);
  const spans = sessions.map((s) => ({ from: s.joinedAt, to: Math.min(lastSeen(s), until) }));
  const hlsNow = hlsViewersAt(stream, now);
  const hlsViews = stream.hlsViews ?? 0;
  const totalMs = spans.reduce((sum, span) => sum + Math.max(0, span.to - span.from), 0);
  return {
    streamId,
    status: stream.status,
    currentViewers: stream.viewerCount + hlsNow,
    tiers: {
      webrtc: { current: stream.viewerCount, views: stream.totalViews },
      hls: { current: hlsNow, views: hlsViews },
    },
    peakViewers: stream.peakViewers,
    totalViews: stream.totalViews + hlsViews,
    uniqueViewers: new Set(sessions.map((s: SessionTiming) => s.userId)).size,
    watchTime: {
      totalSeconds: Math.round(totalMs / 1000),
      averageSeconds: sessions.length === 0 ? 0 : Math.round(totalMs / sessions.length / 1000),
    },
    concurrency: concurrencyByMinute(stream, spans, until),
    startedAt: iso(stream.startedAt),
    endedAt: iso(stream.endedAt),
  };
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/**
 * A sweep over joins (+1) and leaves (-1) in time order: for each minute, the highest count
 * reached in it (a viewer who came and went within the minute counts).
 */
export function concurrencyByMinute(
  stream: Pick<StreamRecord, 'startedAt'>,
  spans: readonly { from: number; to: number }[],
  until: number,
): StreamStats['concurrency'] {
  if (stream.startedAt === undefined) return [];
  const last = Math.floor(until / MINUTE) * MINUTE;
  const first = Math.max(Math.floor(stream.startedAt / MINUTE) * MINUTE, last - (MAX_MINUTES - 1) * MINUTE);
  // Leaves sort before joins at the same instant, so a reconnect is not counted twice.
  const changes = spans
    .filter((span) => span.to > span.from)
    .flatMap((span) => [
      { at: span.from, delta: 1 },
      { at: span.to, delta: -1 },
    ])
    .sort((a, b) => a.at - b.at || a.delta - b.delta);
  const series: StreamStats['concurrency'] = [];
  let current = 0;
  let i = 0;
  for (let minute = first; minute <= last; minute += MINUTE) {
    // Spans are half-open [from, to): what happens at the minute's first instant is its starting state.
    while (i < changes.length && (changes[i]?.at ?? 0) <= minute) current += changes[i++]?.delta ?? 0;
    let peak = current;
    while (i < changes.length && (changes[i]?.at ?? 0) < minute + MINUTE) {
      current += changes[i++]?.delta ?? 0;
      peak = Math.max(peak, current);
    }
    series.push({ minute: new Date(minute).toISOString(), viewers: peak });
  }
  return series;
}
