/**
 * Something that changes over time (frames arriving, a socket closing) that tests wait on.
 * Waiting re-checks a condition on every change, with a deadline, so a test waits exactly as long
 * as the system needs and fails with a message naming what never happened, never on a sleep.
 */
export class Changes {
  private readonly wakers = new Set<() => void>();

  /** Tells every waiter to re-check its condition. */
  notify(): void {
    for (const wake of [...this.wakers]) wake();
  }

  /**
   * Resolves as soon as `check()` is true (now or after a later `notify`); rejects after
   * `timeoutMs` with `what` and, when given, `detail()` describing the state at that moment.
   */
  until(check: () => boolean, timeoutMs: number, what: string, detail?: () => string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
      };
      const wake = () => {
        let ok: boolean;
        try {
          ok = check();
        } catch (err) {
          done();
          reject(err);
          return;
        }
        if (ok) {
          done();
          resolve();
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${detail ? `: ${detail()}` : ''}`),
        );
      }, timeoutMs);
      this.wakers.add(wake);
    });
  }
}
