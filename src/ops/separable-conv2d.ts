// separableConv2d: a depthwise convolution, then a 1×1 (pointwise) one, chained inside
// WebAssembly memory: the intermediate tensor is written and read there and never copied to
// JavaScript. Stride, padding and dilation belong to the depthwise step; bias and activation to
// the result (as Keras SeparableConv2D and tf.separableConv2d have them).

import { type Conv2d, type Conv2dPlan, outputBytes, PreparedConv2d } from './conv2d.js';
import { preparedForm, readArgument, readOptions, runOnce, runOnceAsync, type OutputFor, type PointerOp, type TensorInput } from '../core/prepared.js';
import { Region } from '../memory/region.js';
import { floatView, READ_SLACK_BYTES } from '../memory/staging.js';
import { DepthwiseStage } from './depthwise-conv2d.js';
import { getRuntime } from '../runtime.js';
import { checkOptionKeys, conv2dOutputShape, inputAxes, OPTION_KEYS } from '../shape.js';
import type { SeparableConv2dOptions } from '../types.js';

/**
 * Bytes of intermediate rows per band: inside L2 next to the packed block and weights. At least
 * BAND_PIXELS per band, or each band's GEMM would re-stream all the pointwise weights for a few
 * columns (measured: 576→160 at 14² slows 1.2–1.4× with one-row bands).
 */
const BAND_BYTES = 512 * 1024;
const BAND_PIXELS = 512;

/** One call's steps: the two plans and where the intermediate goes. */
interface SeparablePlan {
  first: PreparedConv2d;
  firstPlan: Conv2dPlan;
  secondPlan: Conv2dPlan;
  middleBytes: number;
  scratchBytes: number;
  /** The depthwise step writes the pointwise step's zero-bordered layout directly. */
  inPlace: boolean;
  written: { outputRowPixels?: number };
  read: { inputPadded?: boolean };
  /** Band by band only when the pointwise step does not copy its whole input at every call. */
  banded: boolean;
  rowPixels: number;
}

/** separableConv2d's pointer form: the two steps chained inside WebAssembly memory. */
class PreparedSeparableConv2d implements PointerOp<SeparablePlan> {
  readonly name = 'separableConv2d';
  readonly inputRank = 4;
  readonly inputAxes: string;
  private readonly middle = new Region();
  private readonly scratch = new Region();
  private zeroedMiddle = 0;

  constructor(private readonly depthwise: DepthwiseStage, private readonly pointwise: PreparedConv2d) {
    this.inputAxes = inputAxes(depthwise.layout);
  }

  plan(shape: readonly number[]): SeparablePlan {
    const first = this.depthwise.convForShape(shape);
    const firstPlan = first.plan(shape);
    const secondPlan = this.pointwise.plan(conv2dOutputShape(firstPlan.geometry));
    const scratchBytes = Math.max(
      firstPlan.algorithm.scratchBytes(firstPlan.geometry), secondPlan.algorithm.scratchBytes(secondPlan.geometry),
    );
    // The pointwise step reads the intermediate where the depthwise step wrote it: as it is, or,
    // for a path that reads a zero-bordered layout, written straight in that layout (a 1×1 step
    // never reads the border, so it stays as zeroed once).
    const g2 = secondPlan.geometry;
    const image = secondPlan.algorithm.paddedInput?.(g2) ?? null;
    const inPlace = image !== null && firstPlan.algorithm.writesRowPitch === true &&
      g2.padTop === 0 && g2.padBottom === 0 && g2.padLeft === 0 && g2.padRight === 0 &&
      (g2.batch === 1 || image.bytes === g2.inChannels * image.height * image.width * 4);
    return {
      first, firstPlan, secondPlan, scratchBytes, inPlace,
      middleBytes: inPlace ? g2.batch * image.bytes : outputBytes(firstPlan),
      written: inPlace ? { outputRowPixels: image.width } : {},
      read: inPlace ? { inputPadded: true } : {},
      banded: (inPlace || image === null) && firstPlan.algorithm.computesRowBands === true && secondPlan.algorithm.computesRowBands === true,
      rowPixels: inPlace ? image.width : g2.inW,
    };
  }

  outputShape(plan: SeparablePlan): number[] {
    return conv2dOutputShape(plan.secondPlan.geometry);
  }

  workspaceBytes(plan: SeparablePlan): Record<string, number> {
    return { intermediate: plan.middleBytes, scratch: plan.scratchBytes };
  }

  /** The intermediate's memory (its border zeroed once per allocation when written in place). */
  private middleFor(plan: SeparablePlan): number {
    const rt = getRuntime();
    // Readable past its end, as every kernel input.
    const ptr = this.middle.ensure(rt, plan.middleBytes + READ_SLACK_BYTES);
    if (plan.inPlace && ptr !== this.zeroedMiddle) {
      floatView(rt, ptr, plan.middleBytes / 4).fill(0);
      this.zeroedMiddle = ptr;
    }
    return ptr;
  }

  run(plan: SeparablePlan, input: number, output: number): void {
    const middle = this.middleFor(plan);
    const scratch = this.scratch.ensure(getRuntime(), plan.scratchBytes);
    const { first, firstPlan, secondPlan } = plan;
    const g2 = secondPlan.geometry;
    if (first.sharedPool(firstPlan) || this.pointwise.sharedPool(secondPlan)) {
      // With the pool each step is split over the threads, one step after the other (as runParallel).
      first.runInMemoryShared(firstPlan, input, middle, scratch, plan.written);
      this.pointwise.runInMemoryShared(secondPlan, middle, output, scratch, plan.read);
    } else if (plan.banded) {
      // Band by band: the pointwise step reads each band of intermediate rows from cache.
      const bandRows = Math.max(Math.ceil(BAND_PIXELS / g2.outW), Math.floor(BAND_BYTES / (g2.batch * g2.inChannels * plan.rowPixels * 4)));
      for (let begin = 0; begin < g2.outH; begin += bandRows) {
        const rows = { begin, end: Math.min(g2.outH, begin + bandRows) };
        first.runInMemory(firstPlan, input, middle, scratch, { ...plan.written, rows });
        this.pointwise.runInMemory(secondPlan, middle, output, scratch, { ...plan.read, rows });
      }
    } else {
      first.runInMemory(firstPlan, input, middle, scratch, plan.written);
      this.pointwise.runInMemory(secondPlan, middle, output, scratch, plan.read);
    }
  }

  /** On the pool each step is split by rows over the workers, one step after the other. */
  async runParallel(plan: SeparablePlan, input: number, output: number): Promise<void> {
    const middle = this.middleFor(plan);
    await plan.first.runInMemoryParallel(plan.firstPlan, input, middle, plan.written);
    await this.pointwise.runInMemoryParallel(plan.secondPlan, middle, output, plan.read);
  }

  release(): void {
    const rt = getRuntime();
    this.depthwise.dispose();
    this.pointwise.release();
    this.middle.free(rt);
    this.scratch.free(rt);
  }
}

export function createSeparableConv2d(depthwiseWeight: TensorInput, pointwiseWeight: TensorInput, options: SeparableConv2dOptions = {}): Conv2d {
  getRuntime();
  if (typeof options !== 'object' || options === null) throw new TypeError('createSeparableConv2d: options must be an object');
  options = readOptions(options);
  checkOptionKeys(options, OPTION_KEYS.separableConv2d, 'separableConv2d');
  const { bias, activation, alpha, ...spatial } = options;
  const depthwise = new DepthwiseStage(readArgument(depthwiseWeight, 'depthwiseWeight'), spatial);
  const pointwise = new PreparedConv2d(readArgument(pointwiseWeight, 'pointwiseWeight') as TensorInput, {
    layout: depthwise.layout, weightLayout: options.weightLayout, bias, activation, ...(alpha === undefined ? {} : { alpha }),
  });
  return preparedForm(new PreparedSeparableConv2d(depthwise, pointwise));
}

/**
 * Depthwise weights `[C·multiplier, 1, kH, kW]` (OIHW) or `[kH, kW, C, multiplier]` (HWIO), then
 * pointwise weights `[M, C·multiplier, 1, 1]` (OIHW) or `[1, 1, C·multiplier, M]` (HWIO).
 */
export function separableConv2d<In extends TensorInput>(input: In, depthwiseWeight: TensorInput, pointwiseWeight: TensorInput, options?: SeparableConv2dOptions): OutputFor<In> {
  return runOnce(createSeparableConv2d(depthwiseWeight, pointwiseWeight, options), input);
}

/** separableConv2d on the worker pool. */
export function separableConv2dAsync<In extends TensorInput>(input: In, depthwiseWeight: TensorInput, pointwiseWeight: TensorInput, options?: SeparableConv2dOptions): Promise<OutputFor<In>> {
  return runOnceAsync(createSeparableConv2d(depthwiseWeight, pointwiseWeight, options), input);
}
