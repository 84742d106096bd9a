/**
 * A tiny typed event emitter: `on` returns its own unsubscribe. A listener that throws does not
 * stop the others; its error is rethrown asynchronously, where the host reports it.
 *
 * @example
 * const events = new Emitter<{ count: number }>();
 * const off = events.on('count', (n) => console.log(n));
 * events.emit('count', 1);
 * off();
 */
// biome-ignore lint/suspicious/noExplicitAny: an event map's values are any payload types.
export class Emitter<Events extends { [K in keyof Events]: any }> {
  private readonly listeners = new Map<keyof Events, Set<(data: never) => void>>();

  /** Calls `fn` for every later `event`; returns a function that unsubscribes it. */
  on<E extends keyof Events>(event: E, fn: (data: Events[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(fn as (data: never) => void);
    return () => this.off(event, fn);
  }

  /** Calls `fn` for the next `event` only; returns a function that unsubscribes it. */
  once<E extends keyof Events>(event: E, fn: (data: Events[E]) => void): () => void {
    const off = this.on(event, (data) => {
      off();
      fn(data);
    });
    return off;
  }

  /** Unsubscribes `fn` (as passed to `on`; a `once` listener is removed by what `once` returned). */
  off<E extends keyof Events>(event: E, fn: (data: Events[E]) => void): void {
    this.listeners.get(event)?.delete(fn as (data: never) => void);
  }

  /** Calls every listener of `event` with `data`, in subscription order. */
  emit<E extends keyof Events>(event: E, data: Events[E]): void {
    for (const fn of [...(this.listeners.get(event) ?? [])]) {
      try {
        (fn as (data: Events[E]) => void)(data);
      } catch (error) {
        setTimeout(() => {
          throw error;
        });
      }
    }
  }

  /** Whether anything listens to `event`. */
  has(event: keyof Events): boolean {
    return (this.listeners.get(event)?.size ?? 0) > 0;
  }

  /** Removes every listener. */
  clear(): void {
    this.listeners.clear();
  }
}

/**
 * The `on`, `once` and `off` of a class that emits events, served by its own {@link Emitter}
 * (`this.events`, on which only the class emits). {@link SignalingSocket}, {@link Broadcaster},
 * {@link Viewer} and the chat rooms extend it, so subscribing works the same everywhere.
 *
 * @example
 * class Clock extends Listenable<{ tick: number }> {
 *   start() { setInterval(() => this.events.emit('tick', Date.now()), 1000); }
 * }
 * const off = new Clock().on('tick', (now) => console.log(now));
 */
// biome-ignore lint/suspicious/noExplicitAny: an event map's values are any payload types.
export abstract class Listenable<Events extends { [K in keyof Events]: any }> {
  protected readonly events = new Emitter<Events>();

  /**
   * Calls `fn` with every later `event`'s data; returns the unsubscribe.
   *
   * @example
   * const off = viewer.on('stream', (stream) => (video.srcObject = stream));
   */
  on<E extends keyof Events>(event: E, fn: (data: Events[E]) => void): () => void {
    return this.events.on(event, fn);
  }

  /**
   * Like `on`, for the next `event` only.
   *
   * @example
   * socket.once('stream:ended', ({ reason }) => console.log('ended:', reason));
   */
  once<E extends keyof Events>(event: E, fn: (data: Events[E]) => void): () => void {
    return this.events.once(event, fn);
  }

  /**
   * Unsubscribes a listener given to `on`.
   *
   * @example
   * broadcaster.off('viewers', render);
   */
  off<E extends keyof Events>(event: E, fn: (data: Events[E]) => void): void {
    this.events.off(event, fn);
  }
}
