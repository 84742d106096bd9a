import type { SignalingRole } from '../core/protocol.ts';

/** What a frame costs against: candidates come in bursts; everything else is an SDP or control frame. */
export type FrameKind = 'candidate' | 'control';

interface Budget {
  perSecond: number;
  burst: number;
}

/** Per connection. A broadcaster answers every viewer, so it gets ten times a viewer's budget. */
const VIEWER = { control: { perSecond: 5, burst: 10 }, candidate: { perSecond: 50, burst: 100 } };

export const BUDGETS: Record<SignalingRole, Record<FrameKind, Budget>> = {
  viewer: VIEWER,
  broadcaster: { control: { perSecond: 50, burst: 100 }, candidate: { perSecond: 500, burst: 1000 } },
  // Chat-only connections send no candidates (their role refuses them); posts have their own limit.
  chat: VIEWER,
};

/** Buckets kept per container; the oldest are dropped past this (a dropped one starts full). */
const MAX_TRACKED = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets per connection and kind, in this container's memory. On AWS one connection's
 * frames usually reach the same warm container, so this is a close approximation without a
 * database write per frame (the relay's budget is zero writes); API Gateway's route
 * throttling is the hard ceiling behind it.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  /** Takes one token; on refusal, the milliseconds until one is available. */
  take(
    connectionId: string,
    role: SignalingRole,
    kind: FrameKind,
    nowMs: number,
  ): { ok: true } | { ok: false; retryAfterMs: number } {
    const budget = BUDGETS[role][kind];
    const key = `${connectionId}:${kind}`;
    const bucket = this.buckets.get(key) ?? { tokens: budget.burst, at: nowMs };
    bucket.tokens = Math.min(budget.burst, bucket.tokens + ((nowMs - bucket.at) / 1000) * budget.perSecond);
    bucket.at = nowMs;
    this.buckets.delete(key); // re-insert: Map order is the eviction order
    this.buckets.set(key, bucket);
    if (this.buckets.size > MAX_TRACKED) this.buckets.delete(this.buckets.keys().next().value as string);
    if (bucket.tokens < 1)
      return { ok: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) / budget.perSecond) * 1000) };
    bucket.tokens -= 1;
    return { ok: true };
  }
}
