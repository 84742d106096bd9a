/**
 * How often the watch page refreshes the viewer count (`GET /api/livestream/{id}`): every 5 s for
 * a small audience, less often as it grows, so that the whole audience together asks about
 * `COUNT_POLLS_PER_SECOND` times a second. At 100,000 viewers each page asks every 100 s: 1,000
 * requests a second in all, inside API Gateway's 10,000 a second per account and Region and one
 * DynamoDB item's read capacity, where a fixed 5 s would be 20,000. The HLS tier's count moves
 * once a presence window (30 s) anyway (docs/live.md, "Counting").
 */

/** The refresh for an audience that fits under the budget at this pace. */
export const COUNT_REFRESH_MS = 5000;
/** What the whole audience's count refreshes may cost, in requests a second. */
export const COUNT_POLLS_PER_SECOND = 1000;

/**
 * The wait before the next refresh, for an audience of `viewerCount`.
 *
 * @example
 * countRefreshMs(12); // 5000
 * countRefreshMs(100_000); // 100000
 */
export function countRefreshMs(viewerCount: number): number {
  const audience = Number.isFinite(viewerCount) && viewerCount > 0 ? viewerCount : 0;
  return Math.max(COUNT_REFRESH_MS, Math.ceil(audience / COUNT_POLLS_PER_SECOND) * 1000);
}
