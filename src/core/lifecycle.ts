// The lifecycle every prepared op shares: async runs queued one after another on the op's own
// memory, a synchronous run refused meanwhile, and the one-shot forms (prepare, run, dispose).

/** What every prepared op offers. */
export interface PreparedOp<In, Out> {
  run(input: In): Out;
  runAsync(input: In): Promise<Out>;
  dispose(): void;
}

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

/** The one-shot form of every op: prepare, run once, free (also when the run throws). */
export function runOnce<In, Out>(op: PreparedOp<In, Out>, input: In): Out {
  try {
    return op.run(input);
  } finally {
    op.dispose();
  }
}

/** runOnce on the worker pool. */
export async function runOnceAsync<In, Out>(op: PreparedOp<In, Out>, input: In): Promise<Out> {
  try {
    return await op.runAsync(input);
  } finally {
    op.dispose();
  }
}

