/// <reference types="node" />
// How the benchmark times things: tinybench medians, and engines interleaved in rounds.

import { Bench } from 'tinybench';

export interface TimedTask {
  name: string;
  run: () => unknown;
}

/** Medians (p50, ms) of one tinybench run over `tasks`, in the given order. */
export async function medians(label: string, tasks: TimedTask[], options: ConstructorParameters<typeof Bench>[0]): Promise<Map<string, number>> {
  const bench = new Bench(options);
  for (const task of tasks) bench.add(task.name, task.run);
  await bench.run();
  const out = new Map<string, number>();
  for (const task of bench.tasks) {
    const r = task.result;
    if (!('latency' in r)) throw new Error(`${label}, ${task.name}: ${r.state === 'errored' ? r.error.message : r.state}`);
    out.set(task.name, r.latency.p50);
  }
  return out;
}

/** Rounds of the interleaved engines; each round rotates their order. */
const ROUNDS = 5;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

/**
 * The machine's speed drifts: run the tasks in short rounds that rotate which goes first, and
 * keep each task's median round, so that a ratio compares like with like.
 */
export async function interleavedMedians(label: string, tasks: TimedTask[]): Promise<Map<string, number>> {
  const rounds = new Map<string, number[]>();
  for (let round = 0; round < ROUNDS; round++) {
    const order = tasks.map((_, i) => tasks[(i + round) % tasks.length]!);
    const warm = round === 0 ? { warmupTime: 200, warmupIterations: 5 } : { warmupTime: 20, warmupIterations: 2 };
    for (const [name, ms] of await medians(label, order, { time: 150, iterations: 5, ...warm })) {
      rounds.set(name, [...(rounds.get(name) ?? []), ms]);
    }
  }
  return new Map([...rounds].map(([name, values]) => [name, median(values)]));
}
