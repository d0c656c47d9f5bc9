// A pool worker: instantiates the threaded kernels over the shared memory it is sent, then runs
// tasks from the one task table (src/core/tasks.ts) and answers each with its id.
// Runs under Node's worker_threads and as a browser module worker.

import { runPoolTask } from './core/tasks.js';
import { instantiateKernels, type KernelRuntime } from './kernels.js';
import type { PoolReply, PoolRequest } from './pool.js';
import { isNode } from './environment.js';

interface Port {
  post(message: PoolReply): void;
  listen(handler: (message: PoolRequest) => void): void;
}

/** No top-level await: bundlers emit workers as classic scripts by default (Vite: 'iife'). */
function openPort(): Promise<Port> {
  if (isNode) {
    // Messages sent before the listener is attached wait in the port's queue.
    return import(/* @vite-ignore */ 'node:worker_threads').then(({ parentPort }) => ({
      post: (m: PoolReply) => parentPort!.postMessage(m),
      listen: (h: (m: PoolRequest) => void) => void parentPort!.on('message', h),
    }));
  }
  const scope = globalThis as unknown as { postMessage(m: unknown): void; addEventListener(t: 'message', h: (e: MessageEvent) => void): void };
  return Promise.resolve({ post: (m) => scope.postMessage(m), listen: (h) => scope.addEventListener('message', (e) => h(e.data as PoolRequest)) });
}

let rt: KernelRuntime | null = null;

function handle(port: Port, message: PoolRequest): void {
  if (message.type === 'init') {
    instantiateKernels(message.module, message.memory).then(
      (kernels) => {
        rt = { kernels, memory: message.memory };
        port.post({ id: message.id });
      },
      (error: unknown) => port.post({ id: message.id, error: String(error) }),
    );
    return;
  }
  try {
    if (!rt) throw new Error('simdconv worker: task before init');
    runPoolTask(rt, message);
    port.post({ id: message.id });
  } catch (error) {
    port.post({ id: message.id, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  }
}

void openPort().then((port) => port.listen((message) => handle(port, message)));
