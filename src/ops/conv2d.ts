// Public conv2d: the prepared form owns its packed weights and a workspace that is reused across
// runs (grown only when a larger input arrives); the one-shot form is prepare, run, dispose.

import { ACTIVATION_CODES, type ConvAlgorithm, type ConvBuffers, type RowBand } from '../algorithms/algorithm.js';
import { gemmConv } from '../algorithms/gemm.js';
import { chooseConv2dAlgorithm } from '../dispatch.js';
import { Region } from '../memory/region.js';
import { allocCopy, READ_SLACK_BYTES, writeFloats, writePadded, zeroBytes } from '../memory/staging.js';
import { getPool, getRuntime, info, startedPool, type Runtime } from '../runtime.js';
import type { PoolTask, WorkerPool } from '../pool.js';
import { runPoolTask } from '../core/tasks.js';
import { conv2dOutputShape, inputAxes, resolveConv2dFilter, resolveConv2dGeometryShape, type Conv2dFilter, type Conv2dGeometry } from '../shape.js';
import type { Conv2dOptions, TensorData } from '../types.js';
import { preparedForm, readArgument, readOptions, runOnce, runOnceAsync, type OutputFor, type PointerOp, type Prepared, type TensorInput } from '../core/prepared.js';

/** A convolution with its weights packed once: see Prepared for run, runAsync and dispose. */
export type Conv2d = Prepared;

/** What one run on an input shape needs: its geometry and the path that computes it. */
export interface Conv2dPlan {
  geometry: Conv2dGeometry;
  algorithm: ConvAlgorithm;
}

/** Bytes of the output of a plan. */
export function outputBytes({ geometry: g }: Conv2dPlan): number {
  return g.batch * g.outChannels * g.outH * g.outW * 4;
}

const wireGeometries = new WeakMap<Conv2dGeometry, Conv2dGeometry>();

function deepFreeze<T extends object>(value: T): T {
  for (const v of Object.values(value)) if (typeof v === 'object' && v !== null) deepFreeze(v);
  return Object.freeze(value);
}

/**
 * A geometry as a pool task carries it: without the bias values, which the kernels read from
 * memory, and frozen, so that the mailbox encodes it once (src/task-codec.ts).
 */
function wireGeometry(g: Conv2dGeometry): Conv2dGeometry {
  let wire = wireGeometries.get(g);
  if (!wire) {
    wire = deepFreeze({ ...g, bias: null });
    wireGeometries.set(g, wire);
  }
  return wire;
}

/**
 * The residual pass, output = activation(output + residual), split over the pool's threads:
 * elementwise, so any split gives the same bits.
 */
function residualTasks(pool: WorkerPool, plan: Conv2dPlan, output: number, residual: number): PoolTask[] {
  const g = plan.geometry;
  const count = outputBytes(plan) / 4;
  const slice = Math.ceil(count / pool.size / 16) * 16;
  const tasks: PoolTask[] = [];
  for (let begin = 0; begin < count; begin += slice) {
    const offset = begin * 4;
    tasks.push({
      kind: 'add', a: output + offset, b: residual + offset, count: Math.min(slice, count - begin),
      activation: ACTIVATION_CODES[g.activation], alpha: g.alpha, output: output + offset,
    });
  }
  return tasks;
}

/** Rows shorter than this go through a bulk copy and the kernels' padding pass (stageHostInput). */
const MIN_STAGED_ROW_FLOATS = 256;

/** Whether a call has enough work for the pool: init's parallelThreshold, in dense-equivalent multiply-adds. */
function worthThreads({ geometry: g, algorithm }: Conv2dPlan): boolean {
  const multiplyAdds = g.batch * g.outChannels * g.outH * g.outW * g.channelsPerGroup * g.kernelH * g.kernelW;
  return multiplyAdds * (algorithm.costPerMultiplyAdd ?? 1) >= info().parallelThreshold;
}

/** `count` bands of output rows of about equal size, each starting at a multiple of `align`. */
function rowBands(rows: number, count: number, align: number): RowBand[] {
  const size = Math.max(align, Math.ceil(rows / count / align) * align);
  const bands: RowBand[] = [];
  for (let begin = 0; begin < rows; begin += size) bands.push({ begin, end: Math.min(rows, begin + size) });
  return bands;
}

/**
 * conv2d's pointer form, with packed weights: `runInMemory` also lets composite ops (depthwise,
 * separable, transposed, image filters) chain convs inside WebAssembly memory.
 */
export class PreparedConv2d implements PointerOp<Conv2dPlan> {
  readonly name = 'conv2d';
  readonly inputRank = 4;
  readonly takesResidual = true;
  readonly inputAxes: string;
  private readonly filter: Conv2dFilter;
  /** The user's weights as given, snapshotted: packing per algorithm happens on first use. */
  private readonly weights: Float32Array;
  private readonly packed = new Map<ConvAlgorithm, number>();
  private readonly bias = new Region();
  private readonly scratch = new Region();
  /** A { data, shape } input written straight into the zero-bordered layout its path reads. */
  private readonly paddedInput = new Region();
  private zeroedPadded = '';
  /** Scratch of the GEMM path when a Winograd plan meets a non-finite input. */
  private readonly fallbackScratch = new Region();
  /** One scratch per worker for runInMemoryParallel. */
  private readonly parallelScratch = new Region();
  private disposed = false;
  private lastPlan: (Conv2dPlan & { shape: number[] }) | null = null;
  /** Each plan's twin without the activation, for runs with a residual. */
  private readonly residualPlans = new WeakMap<Conv2dPlan, Conv2dPlan>();

  constructor(weightArgument: TensorInput, optionsArgument: Conv2dOptions | undefined) {
    const rt = getRuntime();
    // Each read once, then only the copies are used.
    const weight = readArgument(weightArgument);
    const options = readOptions(optionsArgument);
    const filter = resolveConv2dFilter(weight, options, 'createConv2d');
    this.weights = (weight as TensorData).data.slice();
    this.inputAxes = inputAxes(filter.layout);
    this.filter = { ...filter, bias: filter.bias && filter.bias.slice() };
    if (this.filter.bias) {
      // Padded to 8 floats past M: the NHWC kernel reads bias in whole 8-lane vectors.
      const floats = this.filter.outChannels + 8;
      const padded = new Float32Array(floats);
      padded.set(this.filter.bias);
      writeFloats(rt, this.bias.ensure(rt, floats * 4), padded);
    }
  }

  plan(shape: readonly number[]): Conv2dPlan {
    return this.planForShape(shape);
  }

  outputShape(plan: Conv2dPlan): number[] {
    return conv2dOutputShape(plan.geometry);
  }

  workspaceBytes(plan: Conv2dPlan): Record<string, number> {
    return {
      scratch: plan.algorithm.scratchBytes(plan.geometry),
      weights: this.packed.has(plan.algorithm) ? 0 : plan.algorithm.packedWeightBytes(this.filter),
    };
  }

  /** On the calling thread, with the pool's workers when it has started and the call is worth it. */
  run(plan: Conv2dPlan, input: number, output: number, residual = 0, inputPadded = false): void {
    const conv = residual === 0 ? plan : this.withoutActivation(plan);
    const layout = inputPadded ? { inputPadded } : {};
    const pool = this.sharedPool(plan);
    if (pool) {
      const rt = getRuntime();
      const runHere = (task: PoolTask) => runPoolTask(rt, task);
      pool.runSync(this.parallelTasks(pool, conv, input, output, layout), runHere);
      if (residual !== 0) pool.runSync(residualTasks(pool, plan, output, residual), runHere);
      return;
    }
    this.runInMemory(conv, input, output, this.scratch.ensure(getRuntime(), plan.algorithm.scratchBytes(plan.geometry)), layout);
    if (residual !== 0) this.addResidual(plan, output, residual);
  }

  /**
   * runInMemory for the synchronous forms: split over the calling thread and the pool's workers
   * when the pool has started and the call is worth it, else on the calling thread (`scratch`).
   */
  runInMemoryShared(plan: Conv2dPlan, input: number, output: number, scratch: number, layout: Pick<ConvBuffers, 'outputRowPixels' | 'inputPadded'> = {}): void {
    const pool = this.sharedPool(plan);
    if (!pool) {
      this.runInMemory(plan, input, output, scratch, layout);
      return;
    }
    const rt = getRuntime();
    pool.runSync(this.parallelTasks(pool, plan, input, output, layout), (task) => runPoolTask(rt, task));
  }

  /**
   * The pool a synchronous call shares its work with: started, not held by an async call, and
   * the call worth it. Otherwise null, and the worker that would share the caller's core rests.
   */
  sharedPool(plan: Conv2dPlan): WorkerPool | null {
    const pool = startedPool();
    if (pool && pool.idle && worthThreads(plan)) return pool;
    pool?.rest();
    return null;
  }

  stageHostInput(plan: Conv2dPlan, data: Float32Array): number | null {
    const g = plan.geometry;
    // Winograd would scan the input for NaN as if unpadded, and a path that reads the input where it
    // lies masks the borders itself: both take one bulk copy.
    const readsAsIs = plan.algorithm.spreadsNonFinite || plan.algorithm.readsInputInPlace?.(g) === true;
    const image = readsAsIs ? null : plan.algorithm.paddedInput?.(g) ?? null;
    const nchw = g.layout === 'NCHW' || g.inChannels === 1;
    // Row by row from JS pays per row: below this many floats a row, one bulk copy and the
    // kernels' own padding pass are faster (144 planes of 56-float rows: 1.8 ms against 1.1).
    if (image === null || (nchw ? g.inW : g.inW * g.inChannels) < MIN_STAGED_ROW_FLOATS) return null;
    const rt = getRuntime();
    const bytes = g.batch * image.bytes;
    const ptr = this.paddedInput.ensure(rt, bytes + READ_SLACK_BYTES);
    // The borders stay zero between runs: only the interior is written. Zeroed again when the
    // buffer or the layout changes.
    const key = `${ptr} ${g.batch} ${image.height} ${image.width} ${image.bytes} ${g.padTop} ${g.padLeft}`;
    if (this.zeroedPadded !== key) {
      zeroBytes(rt, ptr, bytes);
      this.zeroedPadded = key;
    }
    writePadded(rt, ptr, data, {
      channelsLast: !nchw, batch: g.batch, channels: g.inChannels, rows: g.inH, cols: g.inW,
      padTop: g.padTop, padLeft: g.padLeft, height: image.height, width: image.width, bytes: image.bytes,
    });
    return ptr;
  }

  /** On the pool when there is one and the call has enough work for it. */
  async runParallel(plan: Conv2dPlan, input: number, output: number, residual = 0): Promise<void> {
    const pool = await getPool();
    if (!pool || !worthThreads(plan)) {
      this.run(plan, input, output, residual);
      return;
    }
    await this.runInMemoryParallel(residual === 0 ? plan : this.withoutActivation(plan), input, output);
    if (residual !== 0) await pool.run(residualTasks(pool, plan, output, residual));
  }

  /** The plan with its activation left for the residual pass (which applies it after the sum). */
  private withoutActivation(plan: Conv2dPlan): Conv2dPlan {
    if (plan.geometry.activation === 'none') return plan;
    const cached = this.residualPlans.get(plan);
    if (cached) return cached;
    const bare = { ...plan, geometry: { ...plan.geometry, activation: 'none' as const } };
    this.residualPlans.set(plan, bare);
    return bare;
  }

  /**
   * output = activation(output + residual), in place, right after the kernel wrote the output
   * (while it is still in cache); the activation is the kernels' own code.
   */
  private addResidual(plan: Conv2dPlan, output: number, residual: number): void {
    const g = plan.geometry;
    getRuntime().kernels.addActivate(output, residual, outputBytes(plan) / 4, ACTIVATION_CODES[g.activation], g.alpha, output);
  }

  /** runInMemory on the worker pool, band by band of output rows (see parallelTasks). */
  async runInMemoryParallel(plan: Conv2dPlan, input: number, output: number, layout: Pick<ConvBuffers, 'outputRowPixels' | 'inputPadded'> = {}): Promise<void> {
    const pool = await getPool();
    if (this.disposed) throw new Error('simdconv: run() called on a disposed conv2d');
    if (!pool) {
      this.runInMemory(plan, input, output, this.scratch.ensure(getRuntime(), plan.algorithm.scratchBytes(plan.geometry)), layout);
      return;
    }
    await pool.run(this.parallelTasks(pool, plan, input, output, layout));
  }

  /**
   * runInMemory as one task per thread of the pool: bands of output rows (one task for paths
   * without row bands), or whole images when the batch splits evenly. Each task has its own
   * scratch from this conv, and pads the input rows it reads itself, so the calling thread makes
   * no pass over the input: on two cores its serial work would bound the gain.
   */
  parallelTasks(pool: WorkerPool, plan: Conv2dPlan, input: number, output: number, layout: Pick<ConvBuffers, 'outputRowPixels' | 'inputPadded'>): PoolTask[] {
    if (this.disposed) throw new Error('simdconv: run() called on a disposed conv2d');
    const rt = getRuntime();
    const g = plan.geometry;
    const algorithm = this.pathFor(plan, input);
    const weights = this.packedWeights(rt, algorithm);
    const scratchBytes = Math.ceil(algorithm.scratchBytes(g) / 64) * 64;
    const scratch = this.parallelScratch.ensure(rt, Math.max(64, pool.size * scratchBytes));
    const bias = this.filter.bias ? this.bias.ptr : 0;
    const task = (i: number, geometry: Conv2dGeometry, buffers: Omit<ConvBuffers, 'bias' | 'scratch'>): PoolTask => ({
      kind: 'conv', algorithm: algorithm.name, geometry: wireGeometry(geometry), packedWeights: weights,
      buffers: { ...buffers, bias, scratch: scratch + i * scratchBytes },
    });
    if (g.batch % pool.size === 0 && !layout.inputPadded) {
      // Whole images per task: equal work, where row bands aligned to tiles may not be.
      const images = g.batch / pool.size;
      const inBytes = images * g.inChannels * g.inH * g.inW * 4;
      const outBytes = images * g.outChannels * g.outH * (layout.outputRowPixels ?? g.outW) * 4;
      return Array.from({ length: pool.size }, (_, i) =>
        task(i, { ...g, batch: images }, { ...layout, input: input + i * inBytes, output: output + i * outBytes }));
    }
    const align = algorithm.computesRowBands ? (algorithm.bandAlign?.(g) ?? 1) : g.outH;
    if (algorithm.computesFilterBands && g.groups === 1 && Math.ceil(g.outH / align) < 2 * pool.size && g.outChannels >= 16 * pool.size) {
      // Few whole tile rows (ResNet's 512 filters at 7×7 are two): row bands would be uneven,
      // or each padded to a full register block of tiles. Bands of filters are even.
      return rowBands(g.outChannels, pool.size, 8).map((filters, i) => task(i, g, { input, output, ...layout, filters }));
    }
    const bands = rowBands(g.outH, pool.size, align);
    return bands.map((rows, i) => task(i, g, { input, output, ...layout, ...(algorithm.computesRowBands ? { rows } : {}) }));
  }

  /**
   * Runs a plan on an input already in linear memory (readable 64 bytes past its end), writing
   * the output in memory; `scratch` holds `plan.algorithm.scratchBytes(plan.geometry)` bytes.
   */
  runInMemory(
    plan: Conv2dPlan, input: number, output: number, scratch: number,
    layout: Pick<ConvBuffers, 'outputRowPixels' | 'inputPadded' | 'rows'> = {},
  ): void {
    if (this.disposed) throw new Error('simdconv: run() called on a disposed conv2d');
    const rt = getRuntime();
    const g = plan.geometry;
    const algorithm = this.pathFor(plan, input);
    if (algorithm !== plan.algorithm) scratch = this.fallbackScratch.ensure(rt, algorithm.scratchBytes(g));
    const weights = this.packedWeights(rt, algorithm);
    algorithm.run(rt, g, weights, { input, output, bias: this.filter.bias ? this.bias.ptr : 0, scratch, ...layout });
  }

  /** The packed weights of a plan's path (packed on first use), for callers that run it themselves. */
  weightsFor(plan: Conv2dPlan): number {
    if (this.disposed) throw new Error('simdconv: run() called on a disposed conv2d');
    return this.packedWeights(getRuntime(), plan.algorithm);
  }

  /** The plan's path, or the GEMM for an input with NaN or ±Infinity where the path would spread them. */
  private pathFor(plan: Conv2dPlan, input: number): ConvAlgorithm {
    const g = plan.geometry;
    if (plan.algorithm.spreadsNonFinite && !getRuntime().kernels.allFinite(input, g.batch * g.inChannels * g.inH * g.inW)) {
      // NaN and ±Infinity reach exactly the outputs whose window holds them, as in the reference.
      return gemmConv;
    }
    return plan.algorithm;
  }

  /** Frees everything now: its owner calls it once no run of it is in flight. Twice is harmless. */
  release(): void {
    if (this.disposed) return;
    this.disposed = true;
    const rt = getRuntime();
    for (const ptr of this.packed.values()) rt.arena.release(ptr);
    this.packed.clear();
    for (const region of [this.bias, this.scratch, this.paddedInput, this.fallbackScratch, this.parallelScratch]) region.free(rt);
  }

  /**
   * The plan for an input of this shape (validated; the data is not looked at), remembered for
   * the last input shape: a layer run in a loop pays for no shape math and dispatch.
   */
  planForShape(shape: readonly number[]): Conv2dPlan {
    if (this.disposed) throw new Error('simdconv: run() called on a disposed conv2d');
    const last = this.lastPlan;
    if (last && last.shape.length === shape.length && last.shape.every((dim, axis) => dim === shape[axis])) return last;
    const geometry = resolveConv2dGeometryShape(this.filter, shape);
    this.lastPlan = { shape: [...shape], geometry, algorithm: chooseConv2dAlgorithm(geometry) };
    return this.lastPlan;
  }

  private packedWeights(rt: Runtime, algorithm: ConvAlgorithm): number {
    let ptr = this.packed.get(algorithm);
    if (ptr === undefined) {
      const packed = rt.arena.alloc(algorithm.packedWeightBytes(this.filter));
      let source = 0;
      try {
        source = allocCopy(rt, this.weights);
        algorithm.packWeights(rt, this.filter, source, packed);
      } catch (error) {
        rt.arena.release(packed);
        throw error;
      } finally {
        if (source !== 0) rt.arena.release(source);
      }
      this.packed.set(algorithm, packed);
      ptr = packed;
    }
    return ptr;
  }
}

/**
 * Prepares a convolution: validates and snapshots weights and options for repeated runs. A
 * `residual` option is added in every run that passes none (`run(x, { residual })` per run).
 */
export function createConv2d(weight: TensorInput, options?: Conv2dOptions): Conv2d {
  const o = readOptions(options);
  if (typeof o === 'object' && o !== null && !Array.isArray(o) && 'residual' in o) {
    const { residual, ...rest } = o;
    // Checked when a run stages it: a Tensor of this library or a { data, shape }.
    return preparedForm(new PreparedConv2d(weight, rest), residual as TensorInput | undefined);
  }
  return preparedForm(new PreparedConv2d(weight, o));
}

/** One convolution. `input`, `weight` and the result are Tensors or `{ data: Float32Array, shape }`. */
export function conv2d<In extends TensorInput>(input: In, weight: TensorInput, options?: Conv2dOptions): OutputFor<In> {
  return runOnce(createConv2d(weight, options), input);
}

/** conv2d on the worker pool (init({ threads })): the same result, bitwise, off the calling thread. */
export function conv2dAsync<In extends TensorInput>(input: In, weight: TensorInput, options?: Conv2dOptions): Promise<OutputFor<In>> {
  return runOnceAsync(createConv2d(weight, options), input);
}
