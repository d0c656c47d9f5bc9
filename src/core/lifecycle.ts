// The queue of a prepared op's async runs: one after another on the op's own memory, a
// synchronous run refused meanwhile, its memory freed only once the queue has drained.

/**
 * The async runs of one prepared op: one after another on its workspace, a synchronous run
 * meanwhile refused, and its memory freed only when the queue has drained.
 */
export class RunQueue {
  private pending = 0;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly op: string) {}

  /** Throws when an async run is queued or running (a synchronous run would share its memory). */
  checkIdle(): void {
    if (this.pending > 0) throw new Error(`simdconv: run() on a ${this.op} while its runAsync() is in progress; await it first`);
  }

  add<T>(work: () => Promise<T>): Promise<T> {
    this.pending++;
    const result = this.tail.then(work);
    this.tail = result.catch(() => undefined);
    return result.finally(() => {
      this.pending--;
    });
  }

  /** Runs `release` now, or once the queued runs are done. */
  whenIdle(release: () => void): void {
    if (this.pending > 0) void this.tail.then(release);
    else release();
  }
}
