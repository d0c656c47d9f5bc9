/// <reference types="node" />
// How the benchmark times things: tinybench medians, and engines interleaved in rounds.

import { cpus } from 'node:os';
import { Bench } from 'tinybench';
import { info, init } from '../index.js';

/** Where and when a bench ran, for its title: Node, the CPU as the OS names it, cores, the date. */
export function runContext(): string {
  const cores = cpus();
  return `Node ${process.versions.node}, ${cores[0]?.model.trim() ?? 'unknown CPU'} × ${cores.length}, simdconv ${info().isa} build, ${new Date().toISOString().slice(0, 10)}`;
}

/**
 * Runs `fn` (or the promise it returns) with init's parallelThreshold at Infinity, so that run()
 * stays on the calling thread in a process that has a pool, then puts the threshold back.
 */
export function onCallingThread<T>(fn: () => T): T {
  const threshold = info().parallelThreshold;
  if (info().threads === 1) return fn();
  void init({ parallelThreshold: Infinity }); // set at the call: init has loaded already
  const restore = () => void init({ parallelThreshold: threshold });
  try {
    const result = fn();
    if (result instanceof Promise) return result.finally(restore) as T;
    restore();
    return result;
  } catch (error) {
    restore();
    throw error;
  }
}

export interface TimedTask {
  name: string;
  run: () => unknown;
}

/** Medians (p50, ms) of one tinybench run over `tasks`, in the given order. */
export async function medians(label: string, tasks: TimedTask[], options: ConstructorParameters<typeof Bench>[0], pauseMs = 0): Promise<Map<string, number>> {
  const bench = new Bench(options);
  const pause = () => new Promise<void>((resolve) => setTimeout(resolve, pauseMs));
  for (const task of tasks) bench.add(task.name, task.run, pauseMs > 0 ? { beforeAll: pause } : {});
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

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

export interface RoundOptions {
  rounds?: number;
  /**
   * Idle time before each task's timed phases, so that one engine's threads that spin after a
   * run (ORT's pool on 2 threads burns about 13 ms of CPU after each run, measured) do not slow
   * the next engine.
   */
  pauseMs?: number;
}

/**
 * The machine's speed drifts (here by up to 1.8× within a minute): run the tasks in short rounds
 * that rotate which goes first. Returns each task's median time per round, in round order.
 */
export async function interleavedRounds(label: string, tasks: TimedTask[], { rounds = ROUNDS, pauseMs = 0 }: RoundOptions = {}): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (let round = 0; round < rounds; round++) {
    const order = tasks.map((_, i) => tasks[(i + round) % tasks.length]!);
    const warm = round === 0 ? { warmupTime: 200, warmupIterations: 5 } : { warmupTime: 20, warmupIterations: 2 };
    for (const [name, ms] of await medians(label, order, { time: 150, iterations: 5, ...warm }, pauseMs)) {
      out.set(name, [...(out.get(name) ?? []), ms]);
    }
  }
  return out;
}

/** Each task's median round (interleavedRounds), so that a ratio compares like with like. */
export async function interleavedMedians(label: string, tasks: TimedTask[], options: RoundOptions = {}): Promise<Map<string, number>> {
  const rounds = await interleavedRounds(label, tasks, options);
  return new Map([...rounds].map(([name, values]) => [name, median(values)]));
}

/**
 * How many times faster `fast` ran than `slow`: the median over rounds of the ratio within each
 * round. A paired ratio: a round that falls in a slow phase of the machine slows both sides.
 */
export function pairedSpeedUp(rounds: Map<string, number[]>, slow: string, fast: string): number {
  return pairedRatio(rounds.get(slow)!, rounds.get(fast)!);
}

/** pairedSpeedUp on two tasks' times per round, in the same round order. */
export function pairedRatio(slow: number[], fast: number[]): number {
  return median(slow.map((ms, i) => ms / fast[i]!));
}
