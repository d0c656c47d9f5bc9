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
  /**
   * Runs on the calling thread; `input` (and `residual`) readable READ_SLACK_BYTES past their
   * end. `residual` (0: none) is a tensor of the output's shape added before the activation.
   */
  run(plan: Plan, input: number, output: number, residual: number, inputPadded?: boolean): void;
  /** The same on the worker pool, bitwise the same result; the calling thread copies nothing. */
  runParallel(plan: Plan, input: number, output: number, residual: number): Promise<void>;
  /** Takes RunOptions.residual (conv2d). */
  readonly takesResidual?: boolean;
  /**
   * Copies a `{ data, shape }` input straight into the zero-bordered layout the plan's kernel
   * reads (one pass instead of a copy-in and a padding pass); returns its offset, or null when
   * the kernel reads the input as it is. run() is then told `inputPadded`.
   */
  stageHostInput?(plan: Plan, data: Float32Array): number | null;
  /** Frees the op's packed weights and workspaces. */
  release(): void;
}

/** Per-run arguments of a prepared op. */
export interface RunOptions {
  /**
   * conv2d only: a tensor of the output's shape added to the convolution (after the bias, before
   * the activation): ResNet's relu(conv(x) + shortcut) as one call.
   */
  residual?: TensorInput;
}

/** A prepared op: `run` as often as needed, then `dispose`. */
export interface Prepared {
  /** Runs on `input`: a Tensor gives a new Tensor, `{ data, shape }` a fresh caller-owned result. */
  run<In extends TensorInput>(input: In, options?: RunOptions): OutputFor<In>;
  /**
   * The same on the worker pool (init({ threads })): bitwise the same result for any thread
   * count, the calling thread free meanwhile. A `{ data, shape }` input is copied at the call and
   * a Tensor input is held (disposing it meanwhile frees it when the call is done). Calls on one
   * op run one after another; `run` during one throws. Small layers stay on the calling thread.
   */
  runAsync<In extends TensorInput>(input: In, options?: RunOptions): Promise<OutputFor<In>>;
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

  /** @param defaultResidual the residual of every run that names none (one-shot conv2d's option). */
  constructor(private readonly op: PointerOp<Plan>, private readonly defaultResidual?: TensorInput) {
    this.queue = new RunQueue(op.name);
  }

  run<In extends TensorInput>(input: In, options?: RunOptions): OutputFor<In> {
    this.queue.checkIdle();
    this.checkLive();
    const rt = getRuntime();
    const residualArgument = this.readRunOptions(options);
    if (isTensor(input)) {
      const ptr = tensorPointer(input, 'input');
      const plan = this.planFor(checkTensorShape('input', input.shape, this.op.inputRank, this.op.inputAxes), 0);
      const residual = this.stageResidual(residualArgument, plan);
      const out = allocTensor(this.op.outputShape(plan));
      try {
        this.op.run(plan, ptr, tensorPointer(out, 'output'), residual.ptr);
      } catch (error) {
        out.dispose();
        throw error;
      } finally {
        residual.release();
      }
      return out as OutputFor<In>;
    }
    const x = checkTensor('input', input, this.op.inputRank, this.op.inputAxes);
    const plan = this.planFor(x.shape, x.data.length * 4);
    const shape = this.op.outputShape(plan);
    const residual = this.stageResidual(residualArgument, plan);
    try {
      const outputPtr = this.output.ensure(rt, sizeOf(shape) * 4 + READ_SLACK_BYTES);
      const padded = this.op.stageHostInput?.(plan, x.data) ?? null;
      if (padded !== null) {
        this.op.run(plan, padded, outputPtr, residual.ptr, true);
      } else {
        const inputPtr = this.input.ensure(rt, x.data.length * 4 + READ_SLACK_BYTES);
        writeFloats(rt, inputPtr, x.data, sizeOf(x.shape));
        this.op.run(plan, inputPtr, outputPtr, residual.ptr);
      }
      return { data: readFloats(rt, outputPtr, sizeOf(shape)), shape } as OutputFor<In>;
    } finally {
      residual.release();
    }
  }

  runAsync<In extends TensorInput>(input: In, options?: RunOptions): Promise<OutputFor<In>> {
    // A Promise-returning method rejects, never throws. Everything about the inputs is read now.
    let staged: StagedInput;
    let residualStaged: StagedInput | null = null;
    try {
      this.checkLive();
      const residualArgument = this.readRunOptions(options);
      staged = this.stage(input, 'input', this.op.inputRank, this.op.inputAxes);
      try {
        if (residualArgument !== undefined) residualStaged = this.stage(residualArgument, 'options.residual', this.op.inputRank, this.op.inputAxes);
      } catch (error) {
        staged.release();
        throw error;
      }
    } catch (error) {
      return Promise.reject(error);
    }
    return this.queue.add(async () => {
      try {
        this.checkLive();
        const plan = this.planFor(staged.shape, staged.resident ? 0 : sizeOf(staged.shape) * 4);
        const shape = this.op.outputShape(plan);
        if (residualStaged) checkResidualShape(residualStaged.shape, shape);
        const residual = residualStaged?.ptr ?? 0;
        if (staged.resident) {
          const out = allocTensor(shape);
          try {
            await this.op.runParallel(plan, staged.ptr, tensorPointer(out, 'output'), residual);
          } catch (error) {
            out.dispose();
            throw error;
          }
          return out as OutputFor<In>;
        }
        const rt = getRuntime();
        const outputPtr = this.output.ensure(rt, sizeOf(shape) * 4 + READ_SLACK_BYTES);
        await this.op.runParallel(plan, staged.ptr, outputPtr, residual);
        return { data: readFloats(rt, outputPtr, sizeOf(shape)), shape } as OutputFor<In>;
      } finally {
        staged.release();
        residualStaged?.release();
      }
    });
  }

  /** The residual of a run, or undefined; only ops that take one accept it. */
  private readRunOptions(options: RunOptions | undefined): TensorInput | undefined {
    if (options === undefined) return this.defaultResidual;
    if (typeof options !== 'object' || options === null) throw new TypeError(`${this.op.name}: run options must be an object, e.g. { residual }`);
    const { residual, ...rest } = options;
    const unknown = Object.keys(rest);
    if (unknown.length > 0) throw new TypeError(`${this.op.name}: unknown run option '${unknown[0]}' (run takes { residual })`);
    if (residual !== undefined && !this.op.takesResidual) throw new TypeError(`${this.op.name} takes no residual (conv2d does)`);
    return residual ?? this.defaultResidual;
  }

  /** A residual for a synchronous run: where it is, validated against the output shape. */
  private stageResidual(residual: TensorInput | undefined, plan: Plan): { ptr: number; release(): void } {
    if (residual === undefined) return { ptr: 0, release: () => {} };
    const staged = this.stage(residual, 'options.residual', this.op.inputRank, this.op.inputAxes);
    try {
      checkResidualShape(staged.shape, this.op.outputShape(plan));
    } catch (error) {
      staged.release();
      throw error;
    }
    return staged;
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
  private stage(input: TensorInput, name: string, rank: number, axes: string): StagedInput {
    if (isTensor(input)) {
      const release = holdTensor(input, name);
      const shape = checkTensorShape(name, input.shape, rank, axes);
      return { ptr: tensorPointer(input, name), shape, resident: true, release };
    }
    const rt = getRuntime();
    const x = checkTensor(name, input, rank, axes);
    // No planning here: a plan may swap an op's inner convs, which a queued call may still be using.
    const ptr = rt.arena.alloc(x.data.length * 4 + READ_SLACK_BYTES, true);
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
export function preparedForm<Plan>(op: PointerOp<Plan>, defaultResidual?: TensorInput): Prepared {
  return new PreparedForm(op, defaultResidual);
}

function checkResidualShape(residual: readonly number[], output: readonly number[]): void {
  if (residual.length !== output.length || residual.some((d, i) => d !== output[i])) {
    throw new RangeError(`options.residual must have the output's shape [${output.join(', ')}], got [${residual.join(', ')}]`);
  }
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
