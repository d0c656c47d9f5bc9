/// <reference types="node" />
// What the machine itself gives N threads: a loop with no memory traffic on one worker, against
// the same loop split over N workers. On this VM (2 vCPUs that the host shares with other
// guests) that ratio is often well under N and moves by the minute, so the threads table
// reports it next to each layer, measured in the same interleaved rounds as the layer.

import { Worker } from 'node:worker_threads';

/** Eight independent multiply-add chains: bound by a core's float units, never by memory. */
const LOOP_WORKER = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ id, n }) => {
  let a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8;
  for (let i = 0; i < n; i++) {
    a = a * 0.9999999 + 1e-7; b = b * 0.9999999 + 1e-7; c = c * 0.9999999 + 1e-7; d = d * 0.9999999 + 1e-7;
    e = e * 0.9999999 + 1e-7; f = f * 0.9999999 + 1e-7; g = g * 0.9999999 + 1e-7; h = h * 0.9999999 + 1e-7;
  }
  parentPort.postMessage({ id, sum: a + b + c + d + e + f + g + h });
});`;

/** Iterations of the whole loop: about 2 ms on one core here, the size of a suite layer. */
const ITERATIONS = 400_000;

export class CoreProbe {
  private nextId = 1;
  /** Replies are matched by id: a late reply never settles a later call. */
  private readonly waiting = new Map<number, () => void>();

  private constructor(private readonly workers: Worker[]) {
    for (const worker of workers) worker.on('message', ({ id }: { id: number }) => this.settle(id));
  }

  static create(threads: number): CoreProbe {
    return new CoreProbe(Array.from({ length: threads }, () => new Worker(LOOP_WORKER, { eval: true })));
  }

  /** The whole loop on one worker. */
  one(): Promise<void> {
    return this.send(this.workers[0]!, ITERATIONS);
  }

  /** The same loop split evenly over every worker. */
  async split(): Promise<void> {
    await Promise.all(this.workers.map((worker) => this.send(worker, Math.ceil(ITERATIONS / this.workers.length))));
  }

  terminate(): void {
    for (const worker of this.workers) void worker.terminate();
  }

  private send(worker: Worker, iterations: number): Promise<void> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      worker.postMessage({ id, n: iterations });
    });
  }

  private settle(id: number): void {
    const resolve = this.waiting.get(id);
    this.waiting.delete(id);
    resolve?.();
  }
}
