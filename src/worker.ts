// A pool worker: instantiates the threaded kernels over the shared memory it is sent, then waits
// on its mailbox (src/pool.ts) for batches of tasks from the one task table (src/core/tasks.ts).
// Runs under Node's worker_threads and as a browser module worker.

import { runPoolTask } from './core/tasks.js';
import { instantiateKernels, type KernelRuntime } from './kernels.js';
import { batchTag, CLAIMED, claimTasks, codecView, WOKE, MAILBOX, NAP_MS, SPIN_MS, type PoolInit, type PoolReply, type PoolTask } from './pool.js';
import { TaskReader } from './task-codec.js';
import { isNode } from './environment.js';

interface Port {
  post(message: PoolReply): void;
  listen(handler: (message: PoolInit) => void): void;
}

/** No top-level await: bundlers emit workers as classic scripts by default (Vite: 'iife'). */
function openPort(): Promise<Port> {
  if (isNode) {
    // Messages sent before the listener is attached wait in the port's queue.
    return import(/* @vite-ignore */ 'node:worker_threads').then(({ parentPort }) => ({
      post: (m: PoolReply) => parentPort!.postMessage(m),
      listen: (h: (m: PoolInit) => void) => void parentPort!.on('message', h),
    }));
  }
  const scope = globalThis as unknown as { postMessage(m: unknown): void; addEventListener(t: 'message', h: (e: MessageEvent) => void): void };
  return Promise.resolve({ post: (m) => scope.postMessage(m), listen: (h) => scope.addEventListener('message', (e) => h(e.data as PoolInit)) });
}

/**
 * The tasks of batch `seq`; null when it was torn (finished without this worker while the next
 * batch was written over it), or the error's text when it cannot be read at all. A read that
 * fails while the batch still looks open is tried again: on a weakly ordered CPU the writes of
 * the next batch may show before the close that precedes them.
 */
function readBatch(reader: TaskReader, words: Int32Array, seq: number): PoolTask[] | string | null {
  for (let attempt = 0; ; attempt++) {
    try {
      return reader.read(words[MAILBOX.PAYLOAD_LENGTH]!) as PoolTask[];
    } catch (error) {
      if (Atomics.load(words, MAILBOX.NEXT) >>> 16 !== batchTag(seq)) return null;
      if (attempt === 2) return String(error);
    }
  }
}

/** Batches until the pool writes STOP; never returns to the event loop, which it no longer needs. */
function serve(rt: KernelRuntime, port: Port, init: PoolInit): void {
  const words = new Int32Array(init.mailbox);
  const chars = new Uint16Array(init.mailbox);
  const rest = MAILBOX.REST + init.index;
  const wake = MAILBOX.WAKE + init.index;
  const run = (task: PoolTask) => runPoolTask(rt, task);
  const reader = new TaskReader(codecView(init.mailbox));
  // The pool only ever raises WAKE from 0, so a batch posted before this loop is not missed.
  let seen = 0;
  for (;;) {
    // Spin a while (a sleeping thread takes 100 µs or more to wake), unless told to rest.
    const until = performance.now() + SPIN_MS;
    let polls = 0;
    while (Atomics.load(words, wake) === seen) {
      if ((++polls & 127) === 0 && (Atomics.load(words, rest) === 1 || performance.now() > until)) {
        Atomics.wait(words, wake, seen);
      }
    }
    seen = Atomics.load(words, wake);
    if (seen === MAILBOX.STOP) return;
    const tasks = readBatch(reader, words, seen);
    if (tasks === null) continue;
    if (typeof tasks === 'string') {
      // Unreadable (never expected): the pool fails as a whole rather than wait for this share.
      port.post({ type: 'failed', error: tasks });
      continue;
    }
    const claimed = claimTasks(words, chars, batchTag(seen), tasks, run);
    if (claimed & CLAIMED) reader.commit();
    if (claimed & WOKE) {
      // This thread just woke the caller, and the scheduler tends to put a woken thread on its
      // waker's core: step aside briefly, or it waits out the spin (2.2 ms instead of 0.25 ms
      // for a batch after 5 ms idle).
      Atomics.wait(words, wake, seen, NAP_MS);
    }
    if (init.replyByMessage) port.post({ type: 'done' });
  }
}

void openPort().then((port) => port.listen((init) => {
  instantiateKernels(init.module, init.memory).then(
    (kernels) => {
      port.post({ type: 'ready' });
      // After the reply is sent: from here on this thread only serves its mailbox.
      setTimeout(() => serve({ kernels, memory: init.memory }, port, init), 0);
    },
    (error: unknown) => port.post({ type: 'failed', error: String(error) }),
  );
}));
