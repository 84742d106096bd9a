/** The p-th percentile of `values` (nearest rank), rounded to 0.01. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const value =
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
  return Number(value.toFixed(2));
}

export const ratio = (count: number, per: number) => Number((count / Math.max(1, per)).toFixed(2));
