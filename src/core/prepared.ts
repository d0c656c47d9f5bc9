// The prepared-op lifecycle every op shares. An op implements only its pointer form (PointerOp:
// plan for an input shape, run on offsets in WebAssembly memory); preparedForm() gives it the
// public forms: run and runAsync on a Tensor (nothing copied: a Tensor in, a Tensor out) or on
// { data, shape } (copied in, result copied out to a caller-owned array), async runs queued one
// after another, the input of an async call read at the call, and memory freed on dispose once
// the queue has drained.

import { checkCallFits } from '../memory/arena.js';
import { Region } from '../memory/region.js';
import { READ_SLACK_BYTES, readFloats, writeFloats } from '../memory/staging.js';
import { allocTensor, holdTensor, isTensor, tensorPointer, tensorValues, type Tensor } from '../memory/tensor.js';
import { getRuntime } from '../runtime.js';
import { checkTensor, checkTensorShape } from '../shape.js';
import type { TensorData } from '../types.js';
import { RunQueue } from './lifecycle.js';

/** What every op accepts as an input: a resident Tensor, or a caller-owned { data, shape }. */
export type TensorInput = Tensor | TensorData;
/** A Tensor in gives a Tensor out; { data, shape } in gives { data, shape } out. */
export type OutputFor<In> = In extends Tensor ? Tensor : TensorData;

/** An op's own part of the lifecycle: everything on offsets, nothing copied from or to JS. */
export interface PointerOp<Plan> {
  /** For messages: 'conv2d', 'depthwiseConv2d'… */
  readonly name: string;
  /** The input's rank and axes, e.g. 4 and 'NCHW [N, C, H, W]'. */
  readonly inputRank: number;
  readonly inputAxes: string;
  /** Geometry and path for an input of this shape (rank and dimensions already checked). */
  plan(shape: readonly number[]): Plan;
  outputShape(plan: Plan): readonly number[];
  /** Bytes a call allocates besides its input and output, by what they hold (for checkCallFits). */
  workspaceBytes(plan: Plan): Record<string, number>;
  /** Runs on the calling thread; `input` is readable READ_SLACK_BYTES past its end. */
  run(plan: Plan, input: number, output: number): void;
  /** The same on the worker pool, bitwise the same result; the calling thread copies nothing. */
  runParallel(plan: Plan, input: number, output: number): Promise<void>;
  /** Frees the op's packed weights and workspaces. */
  release(): void;
}

/** A prepared op: `run` as often as needed, then `dispose`. */
export interface Prepared {
  /** Runs on `input`: a Tensor gives a new Tensor, `{ data, shape }` a fresh caller-owned result. */
  run<In extends TensorInput>(input: In): OutputFor<In>;
  /**
   * The same on the worker pool (init({ threads })): bitwise the same result for any thread
   * count, the calling thread free meanwhile. A `{ data, shape }` input is copied at the call and
   * a Tensor input is held (disposing it meanwhile frees it when the call is done). Calls on one
   * op run one after another; `run` during one throws. Small layers stay on the calling thread.
   */
  runAsync<In extends TensorInput>(input: In): Promise<OutputFor<In>>;
  /** Frees the WebAssembly memory this op holds (after its pending async runs). Calling it twice is harmless. */
  dispose(): void;
}

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** An input read once and validated: its offset (staged or resident), its shape, and what to free. */
interface StagedInput {
  ptr: number;
  shape: readonly number[];
  resident: boolean;
  release(): void;
}

export class PreparedForm<Plan> implements Prepared {
  private readonly queue: RunQueue;
  private readonly input = new Region();
  private readonly output = new Region();
  private disposed = false;

  constructor(private readonly op: PointerOp<Plan>) {
    this.queue = new RunQueue(op.name);
  }

  run<In extends TensorInput>(input: In): OutputFor<In> {
    this.queue.checkIdle();
    this.checkLive();
    const rt = getRuntime();
    if (isTensor(input)) {
      const ptr = tensorPointer(input, 'input');
      const plan = this.planFor(checkTensorShape('input', input.shape, this.op.inputRank, this.op.inputAxes), 0);
      const out = allocTensor(this.op.outputShape(plan));
      try {
        this.op.run(plan, ptr, tensorPointer(out, 'output'));
      } catch (error) {
        out.dispose();
        throw error;
      }
      return out as OutputFor<In>;
    }
    const x = checkTensor('input', input, this.op.inputRank, this.op.inputAxes);
    const plan = this.planFor(x.shape, x.data.length * 4);
    const shape = this.op.outputShape(plan);
    const inputPtr = this.input.ensure(rt, x.data.length * 4 + READ_SLACK_BYTES);
    const outputPtr = this.output.ensure(rt, sizeOf(shape) * 4);
    writeFloats(rt, inputPtr, x.data, sizeOf(x.shape));
    this.op.run(plan, inputPtr, outputPtr);
    return { data: readFloats(rt, outputPtr, sizeOf(shape)), shape } as OutputFor<In>;
  }

  runAsync<In extends TensorInput>(input: In): Promise<OutputFor<In>> {
    // A Promise-returning method rejects, never throws. Everything about the input is read now.
    let staged: StagedInput;
    try {
      this.checkLive();
      staged = this.stage(input);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.queue.add(async () => {
      try {
        this.checkLive();
        const plan = this.planFor(staged.shape, staged.resident ? 0 : sizeOf(staged.shape) * 4);
        const shape = this.op.outputShape(plan);
        if (staged.resident) {
          const out = allocTensor(shape);
          try {
            await this.op.runParallel(plan, staged.ptr, tensorPointer(out, 'output'));
          } catch (error) {
            out.dispose();
            throw error;
          }
          return out as OutputFor<In>;
        }
        const rt = getRuntime();
        const outputPtr = this.output.ensure(rt, sizeOf(shape) * 4);
        await this.op.runParallel(plan, staged.ptr, outputPtr);
        return { data: readFloats(rt, outputPtr, sizeOf(shape)), shape } as OutputFor<In>;
      } finally {
        staged.release();
      }
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    // An async run in flight still uses the memory: free it when the queue drains.
    this.queue.whenIdle(() => {
      const rt = getRuntime();
      this.op.release();
      this.input.free(rt);
      this.output.free(rt);
    });
  }

  /** A Tensor held, or a { data, shape } copied into memory of its own: later changes cannot reach the call. */
  private stage(input: TensorInput): StagedInput {
    if (isTensor(input)) {
      const release = holdTensor(input, 'input');
      const shape = checkTensorShape('input', input.shape, this.op.inputRank, this.op.inputAxes);
      return { ptr: tensorPointer(input, 'input'), shape, resident: true, release };
    }
    const rt = getRuntime();
    const x = checkTensor('input', input, this.op.inputRank, this.op.inputAxes);
    // No planning here: a plan may swap an op's inner convs, which a queued call may still be using.
    const ptr = rt.arena.alloc(x.data.length * 4 + READ_SLACK_BYTES);
    try {
      writeFloats(rt, ptr, x.data, sizeOf(x.shape));
    } catch (error) {
      rt.arena.release(ptr);
      throw error;
    }
    return { ptr, shape: x.shape, resident: false, release: () => rt.arena.release(ptr) };
  }

  /** The plan, after checking that the call's buffers could fit in memory at all. */
  private planFor(shape: readonly number[], stagedInputBytes: number): Plan {
    const plan = this.op.plan(shape);
    checkCallFits(this.op.name, { input: stagedInputBytes, output: sizeOf(this.op.outputShape(plan)) * 4, ...this.op.workspaceBytes(plan) });
    return plan;
  }

  private checkLive(): void {
    if (this.disposed) throw new Error(`simdconv: run() called on a disposed ${this.op.name}`);
  }
}

/** The public prepared form of an op's pointer form. */
export function preparedForm<Plan>(op: PointerOp<Plan>): Prepared {
  return new PreparedForm(op);
}

/** The one-shot form of every op: prepare, run once, free (also when the run throws). */
export function runOnce<In extends TensorInput>(op: Prepared, input: In): OutputFor<In> {
  try {
    return op.run(input);
  } finally {
    op.dispose();
  }
}

/** runOnce on the worker pool; rejects (never throws) on bad input. */
export async function runOnceAsync<In extends TensorInput>(op: Prepared, input: In): Promise<OutputFor<In>> {
  try {
    return await op.runAsync(input);
  } finally {
    op.dispose();
  }
}

/**
 * A weight argument read once: a Tensor's values copied out (weights are packed from a
 * snapshot), a `{ data, shape }`'s two fields read once each. Anything else is left for the
 * validators to reject.
 */
export function readArgument(value: unknown, name = 'weight'): unknown {
  if (isTensor(value)) return { data: tensorValues(value, name), shape: value.shape };
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { data, shape } = value as TensorData;
    return { data, shape };
  }
  return value;
}

/** An options object read once (a shallow copy), a Tensor bias as its values. */
export function readOptions<T>(options: T): T {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return options;
  const copy = { ...options } as T & { bias?: unknown };
  if (isTensor(copy.bias)) copy.bias = tensorValues(copy.bias, 'options.bias');
  return copy;
}
