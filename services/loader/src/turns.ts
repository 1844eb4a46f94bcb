/**
 * Lets the event loop turn once a caller has run for `everyMs` without one. Awaited promises
 * that are already settled resolve as microtasks, so a handler that awaits them in a loop never
 * lets I/O run: sockets do not drain, timers do not fire. The loader's batch handler is such a
 * loop (decoding and re-verifying a fetch's records), and an INSERT in flight sends its body only
 * when the event loop turns.
 */
export class EventLoopTurns {
  private last: number;

  constructor(
    private readonly everyMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.last = now();
  }

  /** Resolves after one turn of the event loop (setImmediate) when everyMs has passed since the last; at once otherwise. */
  async maybeTurn(): Promise<void> {
    if (this.now() - this.last < this.everyMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.last = this.now();
  }
}
