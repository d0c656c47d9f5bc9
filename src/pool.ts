// The worker pool: N workers over the one shared WebAssembly memory, each with its own instance
// of the threaded kernels. A task is one kernel path on one band of output rows; a band is
// computed exactly as a single call computes those rows, so results are bitwise the same for
// any number of threads, and whichever thread runs it.
//
// Batches of tasks go through a mailbox in shared memory, not postMessage: a message costs
// 100–380 µs per call (both event loops wake), the mailbox 20–40 µs. Each thread of a batch
// claims tasks from it with an atomic counter until none is left.
// - run(tasks): the workers run the batch; the calling thread is free (the async forms).
// - runSync(tasks): the calling thread runs tasks too, with size − 1 workers, so that the
//   threads computing never outnumber the cores; it claims what no worker has taken, so a
//   sleeping or slow worker never holds it up. Used by the synchronous forms.
// After a batch a worker spins on the mailbox for SPIN_MS before it sleeps in Atomics.wait:
// waking a sleeping thread costs 100–160 µs on the VMs measured (bench/pool-latency.mjs).

import type { ConvBuffers } from './algorithms/algorithm.js';
import type { BandJob } from './image/band.js';
import type { Conv2dGeometry } from './shape.js';
import type { Algorithm } from './types.js';
import { isNode } from './environment.js';
import { TaskWriter, type CodecView } from './task-codec.js';

/** One kernel path on a band of output rows, one band of an image filter, or a slice of an elementwise pass. */
/** (What each kind runs is in the one task table, src/core/tasks.ts.) */
export type PoolTask =
  | { kind: 'conv'; algorithm: Exclude<Algorithm, 'auto'>; geometry: Conv2dGeometry; packedWeights: number; buffers: ConvBuffers }
  /** Bands of an image filter, one after another on one set of buffers. */
  | { kind: 'filterBands'; jobs: BandJob[] }
  /** output = activation(a + b) over `count` floats (a residual pass, a slice per worker). */
  | { kind: 'add'; a: number; b: number; count: number; activation: number; alpha: number; output: number };

/** How long a worker keeps polling the mailbox after a batch before it sleeps. */
export const SPIN_MS = 2;
/** How long a worker that has just woken the caller waits before it spins (see the worker). */
export const NAP_MS = 0.1;

/**
 * The mailbox, one SharedArrayBuffer: Int32 words, then the batch's tasks as Float64 values
 * (src/task-codec.ts), its string table, and the first error's text.
 */
export const MAILBOX = {
  /** The current batch's sequence number (its tag is in NEXT). */
  SEQ: 0,
  /** Tasks in the batch, the next one to claim, and how many are finished. */
  COUNT: 1,
  NEXT: 2,
  DONE: 3,
  /** Values the batch's tasks take. */
  PAYLOAD_LENGTH: 4,
  ERROR_LENGTH: 5,
  /** Two words: the codec's string count and table size. */
  STRING_COUNTERS: 6,
  /** Per worker from REST: 1 when it should sleep instead of spinning after its batch. */
  REST: 8,
  /**
   * Per worker from WAKE: the sequence of the batch it is asked to join (STOP ends it). Each
   * waits on its own word, so that a batch wakes only its own workers: waking a sleeping
   * thread costs the waker 20–60 µs on the VMs measured.
   */
  WAKE: 8 + 64,
  MAX_WORKERS: 64,
  STOP: -1,
  HEADER_BYTES: (8 + 64 + 64) * 4,
  PAYLOAD_VALUES: 1 << 16,
  STRING_UNITS: 1 << 15,
  ERROR_CHARS: 1000,
} as const;

const STRINGS_BYTE_OFFSET = MAILBOX.HEADER_BYTES + MAILBOX.PAYLOAD_VALUES * 8;
const ERROR_TEXT = (STRINGS_BYTE_OFFSET + MAILBOX.STRING_UNITS * 2) / 2;
const MAILBOX_BYTES = (ERROR_TEXT + MAILBOX.ERROR_CHARS) * 2;

/** The codec's part of a mailbox. */
export function codecView(mailbox: SharedArrayBuffer): CodecView {
  return {
    values: new Float64Array(mailbox, MAILBOX.HEADER_BYTES, MAILBOX.PAYLOAD_VALUES),
    strings: new Uint16Array(mailbox, STRINGS_BYTE_OFFSET, MAILBOX.STRING_UNITS),
    counters: new Int32Array(mailbox, MAILBOX.STRING_COUNTERS * 4, 2),
  };
}

export interface PoolInit {
  type: 'init';
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  mailbox: SharedArrayBuffer;
  index: number;
  /** No Atomics.waitAsync on this engine: workers also post 'done' after an async batch. */
  replyByMessage: boolean;
}
export type PoolReply = { type: 'ready' } | { type: 'failed'; error: string } | { type: 'done' };

/** Runs one task on a thread's own kernels (the table in src/core/tasks.ts). */
export type TaskRunner = (task: PoolTask) => void;

interface PoolWorker {
  post(message: PoolInit): void;
  /** Keeps the process alive (Node) while it has work; no-op in browsers. */
  hold(busy: boolean): void;
  terminate(): void;
}

const waitAsync = (Atomics as unknown as { waitAsync?(a: Int32Array, i: number, v: number): { async: boolean; value: unknown } }).waitAsync;

/** The first error a thread of the batch met, kept in the mailbox. */
function recordError(words: Int32Array, chars: Uint16Array, error: unknown): void {
  const text = (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, MAILBOX.ERROR_CHARS);
  // Only the first error is kept: -1 marks the text as being written.
  if (Atomics.compareExchange(words, MAILBOX.ERROR_LENGTH, 0, -1) !== 0) return;
  for (let c = 0; c < text.length; c++) chars[ERROR_TEXT + c] = text.charCodeAt(c);
  Atomics.store(words, MAILBOX.ERROR_LENGTH, Math.max(1, text.length));
}

/** NEXT while a batch is written: no tag (tags are below 0x8000), so no claim succeeds. */
export const CLOSED = -1;

/** What claimTasks did (bits). */
export const CLAIMED = 1;
export const WOKE = 2;

/** The batch tag a claim carries: a thread that read one batch never claims from the next. */
export function batchTag(seq: number): number {
  return seq & 0x7fff;
}

/**
 * Claims and runs tasks of batch `tag` until none is left (every participating thread, the
 * caller of runSync included). NEXT holds the tag and the next index, so a worker that woke
 * late and read a batch the others have already finished claims nothing from the next one.
 * Returns after its last claim, not when the batch is done: CLAIMED when it ran a task (so the
 * tasks it read were the batch's, not torn), WOKE when it finished the batch and so woke a
 * thread waiting for it.
 */
export function claimTasks(words: Int32Array, chars: Uint16Array, tag: number, tasks: readonly PoolTask[], run: TaskRunner): number {
  const count = tasks.length;
  let result = 0;
  for (;;) {
    const next = Atomics.load(words, MAILBOX.NEXT);
    if (next >>> 16 !== tag || (next & 0xffff) >= count) return result;
    if (Atomics.compareExchange(words, MAILBOX.NEXT, next, next + 1) !== next) continue;
    result |= CLAIMED;
    try {
      run(tasks[next & 0xffff]!);
    } catch (error) {
      recordError(words, chars, error);
    }
    if (Atomics.add(words, MAILBOX.DONE, 1) + 1 === count && Atomics.notify(words, MAILBOX.DONE) > 0) result |= WOKE;
  }
}

export class WorkerPool {
  /** Tasks run so far (info().poolTasks). */
  tasksRun = 0;
  private readonly words: Int32Array;
  private readonly chars: Uint16Array;
  private readonly writer: TaskWriter;
  /** Async batches run one after another: the mailbox holds one batch at a time. */
  private tail: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private settle: ((error?: Error) => void) | null = null;
  private failure: Error | null = null;

  private constructor(private readonly workers: PoolWorker[], mailbox: SharedArrayBuffer) {
    this.words = new Int32Array(mailbox);
    this.chars = new Uint16Array(mailbox);
    this.writer = new TaskWriter(codecView(mailbox));
  }

  get size(): number {
    return this.workers.length;
  }

  /** No async batch queued or running: runSync can use the mailbox now. */
  get idle(): boolean {
    return this.inFlight === 0 && this.failure === null;
  }

  static async create(size: number, module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<WorkerPool> {
    if (size > MAILBOX.MAX_WORKERS) throw new RangeError(`simdconv: at most ${MAILBOX.MAX_WORKERS} workers`);
    const mailbox = new SharedArrayBuffer(MAILBOX_BYTES);
    let pool: WorkerPool | null = null;
    const started: Array<{ resolve(): void; reject(error: Error): void }> = [];
    const onReply = (index: number, reply: PoolReply) => {
      if (reply.type === 'ready') started[index]?.resolve();
      else if (reply.type === 'failed') {
        const error = new Error(`simdconv: a worker failed: ${reply.error}`);
        started[index]?.reject(error);
        pool?.fail(error);
      }
      else pool?.onDoneMessage();
    };
    const onError = (index: number, error: Error) => {
      started[index]?.reject(error);
      pool?.fail(error);
    };
    const workers: PoolWorker[] = [];
    for (let i = 0; i < size; i++) {
      if (isNode) {
        const { Worker } = await import(/* @vite-ignore */ 'node:worker_threads');
        const worker = new Worker(new URL('./worker.js', import.meta.url));
        worker.on('message', (m: PoolReply) => onReply(i, m));
        worker.on('error', (error: Error) => onError(i, error));
        // After the listeners, which ref the worker again: it must never keep the process alive.
        worker.unref();
        workers.push({ post: (m) => worker.postMessage(m), terminate: () => void worker.terminate(), hold: (busy) => (busy ? worker.ref() : worker.unref()) });
      } else {
        // Written out in full: bundlers (Vite, webpack) recognise this form and bundle the worker.
        const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
        worker.addEventListener('message', (e: MessageEvent) => onReply(i, e.data as PoolReply));
        worker.addEventListener('error', (e: ErrorEvent) => onError(i, new Error(e.message)));
        workers.push({ post: (m) => worker.postMessage(m), terminate: () => worker.terminate(), hold: () => {} });
      }
    }
    pool = new WorkerPool(workers, mailbox);
    // Held while they start: the process waits for the pool it is starting.
    for (const worker of workers) worker.hold(true);
    try {
      await Promise.all(workers.map((worker, index) => new Promise<void>((resolve, reject) => {
        started[index] = { resolve, reject };
        worker.post({ type: 'init', module, memory, mailbox, index, replyByMessage: !waitAsync });
      })));
    } catch (error) {
      pool.terminate();
      throw error;
    } finally {
      for (const worker of workers) worker.hold(false);
    }
    return pool;
  }

  /**
   * Runs tasks on the workers; resolves when all are done. On an error it still waits for every
   * task to finish (they write memory the caller is about to reuse), then rejects.
   */
  run(tasks: PoolTask[]): Promise<void> {
    this.inFlight++;
    const result = this.tail.then(() => this.runOnWorkers(tasks)).finally(() => this.inFlight--);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /**
   * Runs tasks on the calling thread (`run` on its kernels) and size − 1 workers; returns when
   * all are done. Only while `idle`. Throws the first task's error after all have finished.
   */
  runSync(tasks: PoolTask[], run: TaskRunner): void {
    if (!this.idle) throw new Error('simdconv: runSync while the pool is busy');
    if (tasks.length === 0) return;
    const helpers = Math.min(this.workers.length - 1, tasks.length - 1);
    const tag = this.post(tasks, helpers);
    claimTasks(this.words, this.chars, tag, tasks, run);
    // What is left runs on a worker that claimed it: spin until it is done (the browser's
    // main thread may not block in Atomics.wait). A worker that makes no progress for this
    // long has died (a crashed thread cannot report it while this thread spins).
    const count = tasks.length;
    let done = Atomics.load(this.words, MAILBOX.DONE);
    let since = performance.now();
    let polls = 0;
    while (done < count) {
      const now = Atomics.load(this.words, MAILBOX.DONE);
      if (now !== done) {
        done = now;
        since = performance.now();
      } else if ((++polls & 1023) === 0 && performance.now() - since > 30_000) {
        this.fail(new Error('simdconv: a worker stopped responding'));
        throw this.failure!;
      }
    }
    this.throwTaskError();
  }

  /** The calling thread is about to compute alone: the one worker it would share a core with sleeps. */
  rest(): void {
    if (this.workers.length > 0) Atomics.store(this.words, MAILBOX.REST + this.workers.length - 1, 1);
  }

  terminate(): void {
    for (let i = 0; i < this.workers.length; i++) {
      Atomics.store(this.words, MAILBOX.WAKE + i, MAILBOX.STOP);
      Atomics.notify(this.words, MAILBOX.WAKE + i);
    }
    for (const worker of this.workers) worker.terminate();
    this.fail(new Error('simdconv: the thread pool was terminated'));
  }

  /**
   * Writes a batch into the mailbox and wakes the first `participants` workers; returns its tag.
   * Only once the previous batch is done: every task claimed and finished, so no thread reads
   * the payload this overwrites except one that will find its claims refused.
   */
  private post(tasks: PoolTask[], participants: number): number {
    const { words } = this;
    if (tasks.length > 0xffff) throw new Error('simdconv: a pool batch of more than 65535 tasks');
    // Closed while the payload is rewritten: a late reader of the last batch sees its tag gone.
    Atomics.store(words, MAILBOX.NEXT, CLOSED);
    const length = this.writer.write(tasks);
    this.tasksRun += tasks.length;
    words[MAILBOX.PAYLOAD_LENGTH] = length;
    words[MAILBOX.COUNT] = tasks.length;
    const seq = (words[MAILBOX.SEQ]! % 0x3fffffff) + 1; // never 0 (where workers start) nor STOP
    const tag = batchTag(seq);
    Atomics.store(words, MAILBOX.DONE, 0);
    Atomics.store(words, MAILBOX.ERROR_LENGTH, 0);
    Atomics.store(words, MAILBOX.NEXT, tag << 16);
    // After the batch the last worker sleeps, and so do workers left out of it; the others spin.
    // The thread that continues after a batch (the caller, or the one awaiting an async batch)
    // then always finds a core: with as many threads busy as cores, it would wait for a time slice.
    const spinning = Math.min(participants, this.workers.length - 1);
    for (let i = 0; i < this.workers.length; i++) Atomics.store(words, MAILBOX.REST + i, i < spinning ? 0 : 1);
    Atomics.store(words, MAILBOX.SEQ, seq);
    for (let i = 0; i < participants; i++) {
      Atomics.store(words, MAILBOX.WAKE + i, seq);
      Atomics.notify(words, MAILBOX.WAKE + i);
    }
    return tag;
  }

  private async runOnWorkers(tasks: PoolTask[]): Promise<void> {
    if (this.failure) throw this.failure;
    if (tasks.length === 0) return;
    const participants = Math.min(this.workers.length, tasks.length);
    const done = new Promise<void>((resolve, reject) => (this.settle = (error) => (error ? reject(error) : resolve())));
    for (let i = 0; i < participants; i++) this.workers[i]!.hold(true);
    try {
      this.post(tasks, participants);
      if (waitAsync) void this.awaitDone(tasks.length);
      await done;
    } finally {
      this.settle = null;
      for (let i = 0; i < participants; i++) this.workers[i]!.hold(false);
    }
    this.throwTaskError();
  }

  private async awaitDone(count: number): Promise<void> {
    const settle = this.settle;
    for (;;) {
      const done = Atomics.load(this.words, MAILBOX.DONE);
      if (done >= count || settle !== this.settle) break;
      const wait = waitAsync!(this.words, MAILBOX.DONE, done);
      if (wait.async) await wait.value;
    }
    if (settle === this.settle) settle?.();
  }

  /** Without Atomics.waitAsync: workers post 'done' when they leave an async batch. */
  private onDoneMessage(): void {
    if (Atomics.load(this.words, MAILBOX.DONE) >= this.words[MAILBOX.COUNT]!) this.settle?.();
  }

  private throwTaskError(): void {
    const length = Atomics.load(this.words, MAILBOX.ERROR_LENGTH);
    if (length <= 0) return;
    const text = String.fromCharCode(...this.chars.subarray(ERROR_TEXT, ERROR_TEXT + length));
    throw new Error(`simdconv: a worker failed: ${text}`);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.settle?.(error);
  }
}
