/** The p-th percentile of `values` (nearest rank), rounded to 0.01. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const value =
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
  return Number(value.toFixed(2));
}

export const ratio = (count: number, per: number) => Number((count / Math.max(1, per)).toFixed(2));

export const round = (value: number, digits = 2) => Number(value.toFixed(digits));

/** p50, p95, p99 and the count of a sample. */
export function spread(values: readonly number[]) {
  return {
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    max: percentile(values, 100),
    n: values.length,
  };
}

export function mean(values: readonly number[]): number {
  return values.length ? round(values.reduce((a, b) => a + b, 0) / values.length) : 0;
}
