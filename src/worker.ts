// A pool worker: instantiates the threaded kernels over the shared memory it is sent, then runs
// kernel-path tasks (an algorithm on a band of output rows) and answers each with its id.
// Runs under Node's worker_threads and as a browser module worker.

import { CONV2D_ALGORITHMS } from './dispatch.js';
import { instantiateKernels, type KernelRuntime } from './kernels.js';
import type { PoolReply, PoolRequest } from './pool.js';

interface Port {
  post(message: PoolReply): void;
  listen(handler: (message: PoolRequest) => void): void;
}

async function openPort(): Promise<Port> {
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  if (isNode) {
    const { parentPort } = await import(/* @vite-ignore */ 'node:worker_threads');
    return { post: (m) => parentPort!.postMessage(m), listen: (h) => parentPort!.on('message', h) };
  }
  const scope = globalThis as unknown as { postMessage(m: unknown): void; addEventListener(t: 'message', h: (e: MessageEvent) => void): void };
  return { post: (m) => scope.postMessage(m), listen: (h) => scope.addEventListener('message', (e) => h(e.data as PoolRequest)) };
}

const port = await openPort();
let rt: KernelRuntime | null = null;

port.listen((message) => {
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
    const algorithm = CONV2D_ALGORITHMS.find((a) => a.name === message.algorithm);
    if (!algorithm) throw new Error(`simdconv worker: unknown kernel path '${message.algorithm}'`);
    algorithm.run(rt, message.geometry, message.packedWeights, message.buffers);
    port.post({ id: message.id });
  } catch (error) {
    port.post({ id: message.id, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  }
});
