// The one table of what a pool worker can run: each kind of task and the function that runs it
// on the worker's own kernel instance. The worker (src/worker.ts) looks tasks up here and nowhere
// else; an op that sends work to the pool adds its kind here.

import { CONV2D_ALGORITHMS } from '../dispatch.js';
import { runBand } from '../image/band.js';
import type { KernelRuntime } from '../kernels.js';
import type { PoolTask } from '../pool.js';

type TaskOf<K extends PoolTask['kind']> = Extract<PoolTask, { kind: K }>;

export const POOL_TASKS: { [K in PoolTask['kind']]: (rt: KernelRuntime, task: TaskOf<K>) => void } = {
  conv(rt, task) {
    const algorithm = CONV2D_ALGORITHMS.find((a) => a.name === task.algorithm);
    if (!algorithm) throw new Error(`simdconv worker: unknown kernel path '${task.algorithm}'`);
    algorithm.run(rt, task.geometry, task.packedWeights, task.buffers);
  },
  filterBands(rt, task) {
    for (const job of task.jobs) runBand(rt, job);
  },
  add(rt, task) {
    rt.kernels.addActivate(task.a, task.b, task.count, task.activation, task.alpha, task.output);
  },
};

/** Runs a task on this thread's kernels (a worker's). */
export function runPoolTask(rt: KernelRuntime, task: PoolTask): void {
  const run = POOL_TASKS[task.kind] as ((rt: KernelRuntime, task: PoolTask) => void) | undefined;
  if (!run) throw new Error(`simdconv worker: unknown task kind '${String((task as { kind: unknown }).kind)}'`);
  run(rt, task);
}
