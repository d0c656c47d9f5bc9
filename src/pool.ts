// The worker pool: N workers over the one shared WebAssembly memory, each with its own instance
// of the threaded kernels. A task is one kernel path on one band of output rows; a band is
// computed exactly as a single call computes those rows, so results are bitwise the same for
// any number of threads. In Node the workers never keep the process alive while idle.

import type { ConvBuffers } from './algorithms/algorithm.js';
import type { BandJob } from './image/band.js';
import type { Conv2dGeometry } from './shape.js';
import type { Algorithm } from './types.js';
import { isNode } from './environment.js';

/** One kernel path on a band of output rows, one band of an image filter, or a slice of an elementwise pass. */
/** (What each kind runs is in the one task table, src/core/tasks.ts.) */
export type PoolTask =
  | { kind: 'conv'; algorithm: Exclude<Algorithm, 'auto'>; geometry: Conv2dGeometry; packedWeights: number; buffers: ConvBuffers }
  | { kind: 'filterBand'; job: BandJob }
  /** output = activation(a + b) over `count` floats (a residual pass, a slice per worker). */
  | { kind: 'add'; a: number; b: number; count: number; activation: number; alpha: number; output: number };


export type PoolRequest =
  | { type: 'init'; id: number; module: WebAssembly.Module; memory: WebAssembly.Memory }
  | ({ type: 'task'; id: number } & PoolTask);
export interface PoolReply {
  id: number;
  error?: string;
}

interface PoolWorker {
  post(message: PoolRequest): void;
  /** Keeps the process alive (Node) while it has work; no-op in browsers. */
  hold(busy: boolean): void;
  terminate(): void;
  pending: number;
}

export class WorkerPool {
  /** Tasks run so far (info().poolTasks). */
  tasksRun = 0;
  private nextId = 1;
  private next = 0;
  private readonly waiting = new Map<number, { resolve(): void; reject(error: Error): void; worker: PoolWorker }>();

  private constructor(private readonly workers: PoolWorker[]) {}

  get size(): number {
    return this.workers.length;
  }

  static async create(size: number, module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<WorkerPool> {
    let pool: WorkerPool | null = null;
    const onReply = (reply: PoolReply) => pool!.settle(reply);
    const workers: PoolWorker[] = [];
    for (let i = 0; i < size; i++) {
      if (isNode) {
        const { Worker } = await import(/* @vite-ignore */ 'node:worker_threads');
        const worker = new Worker(new URL('./worker.js', import.meta.url));
        worker.unref();
        worker.on('message', onReply);
        worker.on('error', (error: Error) => pool?.failAll(error));
        workers.push({
          post: (m) => worker.postMessage(m), terminate: () => void worker.terminate(), pending: 0,
          hold: (busy) => (busy ? worker.ref() : worker.unref()),
        });
      } else {
        // Written out in full: bundlers (Vite, webpack) recognise this form and bundle the worker.
        const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
        worker.addEventListener('message', (e: MessageEvent) => onReply(e.data as PoolReply));
        worker.addEventListener('error', (e: ErrorEvent) => pool?.failAll(new Error(e.message)));
        workers.push({ post: (m) => worker.postMessage(m), terminate: () => worker.terminate(), pending: 0, hold: () => {} });
      }
    }
    pool = new WorkerPool(workers);
    await Promise.all(workers.map((worker) => pool!.send(worker, (id) => ({ type: 'init', id, module, memory }))));
    return pool;
  }

  /**
   * Runs tasks spread over the workers; resolves when all are done. On an error it still waits
   * for every task to finish (they write memory the caller is about to reuse), then rejects.
   */
  async run(tasks: PoolTask[]): Promise<void> {
    this.tasksRun += tasks.length;
    const results = await Promise.allSettled(tasks.map((task) => {
      const worker = this.workers[this.next++ % this.workers.length]!;
      return this.send(worker, (id) => ({ type: 'task', id, ...task }));
    }));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  terminate(): void {
    for (const worker of this.workers) worker.terminate();
    this.failAll(new Error('simdconv: the thread pool was terminated'));
  }

  private send(worker: PoolWorker, message: (id: number) => PoolRequest): Promise<void> {
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, worker });
      if (worker.pending++ === 0) worker.hold(true);
      worker.post(message(id));
    });
  }

  private settle(reply: PoolReply): void {
    const entry = this.waiting.get(reply.id);
    if (!entry) return;
    this.waiting.delete(reply.id);
    if (--entry.worker.pending === 0) entry.worker.hold(false);
    if (reply.error === undefined) entry.resolve();
    else entry.reject(new Error(`simdconv: a worker failed: ${reply.error}`));
  }

  private failAll(error: Error): void {
    for (const [id, entry] of this.waiting) {
      this.waiting.delete(id);
      entry.worker.pending = 0;
      entry.worker.hold(false);
      entry.reject(error);
    }
  }
}

