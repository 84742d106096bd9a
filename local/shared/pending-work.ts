/**
 * A count of work not yet finished, and promises that resolve when it drops to zero: what
 * `streams.idle()` waits on. Work is added synchronously when it becomes known (a write is
 * answered), so a caller that awaited the write and then calls `idle()` always waits for it.
 */
export interface PendingWork {
  add(n?: number): void;
  done(n?: number): void;
  /** Resolves at once when nothing is pending, else when the count next reaches zero. */
  idle(): Promise<void>;
  /** Resolves every waiter: the work will never finish (the stack is closing). */
  abandon(): void;
}

export function pendingWork(): PendingWork {
  let count = 0;
  let waiters: (() => void)[] = [];
  const release = () => {
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
  };
  return {
    add: (n = 1) => {
      count += n;
    },
    done: (n = 1) => {
      count = Math.max(0, count - n);
      if (count === 0) release();
    },
    idle: () => (count === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve))),
    abandon: () => {
      count = 0;
      release();
    },
  };
}
