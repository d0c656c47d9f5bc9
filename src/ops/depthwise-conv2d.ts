// depthwiseConv2d: conv2d with groups = C, taking the weight shapes depthwise users bring:
// OIHW [C·multiplier, 1, kH, kW] or HWIO [kH, kW, C, multiplier] (TensorFlow's depthwise filter,
// the same memory order as conv2d's HWIO [kH, kW, 1, C·multiplier]). The data is not copied.

import { getRuntime } from '../runtime.js';
import { type Conv2d, type Conv2dPlan, PreparedConv2d } from './conv2d.js';
import { preparedForm, readArgument, readOptions, runOnce, runOnceAsync, type OutputFor, type PointerOp, type TensorInput } from '../core/prepared.js';
import { checkChoice, checkOptionKeys, checkWeight, inputAxes, OPTION_KEYS } from '../shape.js';
import type { Conv2dOptions, DepthwiseConv2dOptions, Layout, TensorData } from '../types.js';

/**
 * A depthwise weight as conv2d weights, and the conv2d for an input's channel count (OIHW
 * weights do not say C, only C·multiplier, so the conv is made for the input it meets).
 */
export class DepthwiseStage {
  readonly layout: Layout;
  private readonly weight2d: TensorData;
  private readonly weightChannels: number | null;
  private readonly outChannels: number;
  private inner: { channels: number; conv: PreparedConv2d } | null = null;

  constructor(weight: unknown, private readonly options: Omit<Conv2dOptions, 'groups'>) {
    this.layout = options.layout === undefined ? 'NCHW' : checkChoice('options.layout', options.layout, ['NCHW', 'NHWC'] as const);
    const weightLayout = options.weightLayout === undefined
      ? (this.layout === 'NCHW' ? 'OIHW' : 'HWIO')
      : checkChoice('options.weightLayout', options.weightLayout, ['OIHW', 'HWIO'] as const);
    const w = checkWeight(weight, 4, weightLayout === 'OIHW' ? 'OIHW [C·multiplier, 1, kH, kW]' : 'HWIO [kH, kW, C, multiplier]');
    const [a, b, c, d] = w.shape as [number, number, number, number];
    if (weightLayout === 'OIHW' && b !== 1) {
      throw new RangeError(`weight OIHW [C·multiplier, 1, kH, kW] must have 1 input channel per filter, got [${w.shape.join(', ')}]`);
    }
    this.weight2d = { data: w.data.slice(), shape: weightLayout === 'OIHW' ? [a, 1, c, d] : [a, b, 1, c * d] };
    this.weightChannels = weightLayout === 'HWIO' ? c : null;
    this.outChannels = weightLayout === 'OIHW' ? a : c * d;
    this.options = { ...options, layout: this.layout, weightLayout };
    if (this.weightChannels !== null) this.convFor(this.weightChannels); // validate the options now
  }

  /** The conv2d (groups = C) for an input of this shape. */
  convForShape(shape: readonly number[]): PreparedConv2d {
    return this.convFor(this.layout === 'NCHW' ? shape[1]! : shape[3]!);
  }

  private convFor(channels: number): PreparedConv2d {
    if (this.weightChannels !== null && channels !== this.weightChannels) {
      throw new RangeError(`input has ${channels} channels but the depthwise weight HWIO [${this.weight2d.shape[0]}, ${this.weight2d.shape[1]}, ${this.weightChannels}, ${this.outChannels / this.weightChannels}] is for ${this.weightChannels}`);
    }
    if (this.outChannels % channels !== 0) {
      throw new RangeError(`input has ${channels} channels, which do not divide the weight's C·multiplier = ${this.outChannels}`);
    }
    if (this.inner?.channels !== channels) {
      const conv = new PreparedConv2d(this.weight2d, { ...this.options, groups: channels } as Conv2dOptions);
      this.inner?.conv.release();
      this.inner = { channels, conv };
    }
    return this.inner.conv;
  }

  dispose(): void {
    this.inner?.conv.release();
    this.inner = null;
  }
}


/** depthwiseConv2d's pointer form: the conv2d (groups = C) for the input's channel count. */
class PreparedDepthwiseConv2d implements PointerOp<DepthwisePlan> {
  readonly name = 'depthwiseConv2d';
  readonly inputRank = 4;
  readonly inputAxes: string;

  constructor(private readonly stage: DepthwiseStage) {
    this.inputAxes = inputAxes(stage.layout);
  }

  plan(shape: readonly number[]): DepthwisePlan {
    const conv = this.stage.convForShape(shape);
    return { conv, plan: conv.plan(shape) };
  }

  outputShape({ conv, plan }: DepthwisePlan): number[] {
    return conv.outputShape(plan);
  }

  workspaceBytes({ conv, plan }: DepthwisePlan): Record<string, number> {
    return conv.workspaceBytes(plan);
  }

  run({ conv, plan }: DepthwisePlan, input: number, output: number, _residual = 0, inputPadded = false): void {
    conv.run(plan, input, output, 0, inputPadded);
  }

  /** The inner conv2d's staging straight into its padded layout, as conv2d has it. */
  stageHostInput({ conv, plan }: DepthwisePlan, data: Float32Array): number | null {
    return conv.stageHostInput(plan, data);
  }

  runParallel({ conv, plan }: DepthwisePlan, input: number, output: number): Promise<void> {
    return conv.runParallel(plan, input, output);
  }

  release(): void {
    this.stage.dispose();
  }
}

interface DepthwisePlan {
  conv: PreparedConv2d;
  plan: Conv2dPlan;
}

export function createDepthwiseConv2d(weight: TensorInput, options: DepthwiseConv2dOptions = {}): Conv2d {
  getRuntime(); // fails now, not at the first run, when init() has not been called
  if (typeof options !== 'object' || options === null) throw new TypeError('createDepthwiseConv2d: options must be an object');
  options = readOptions(options);
  checkOptionKeys(options, OPTION_KEYS.depthwiseConv2d, 'depthwiseConv2d (groups is always C)');
  return preparedForm(new PreparedDepthwiseConv2d(new DepthwiseStage(readArgument(weight), options)));
}

/** conv2d with groups = C: one filter (or `multiplier` filters) per input channel. */
export function depthwiseConv2d<In extends TensorInput>(input: In, weight: TensorInput, options?: DepthwiseConv2dOptions): OutputFor<In> {
  return runOnce(createDepthwiseConv2d(weight, options), input);
}

/** depthwiseConv2d on the worker pool. */
export function depthwiseConv2dAsync<In extends TensorInput>(input: In, weight: TensorInput, options?: DepthwiseConv2dOptions): Promise<OutputFor<In>> {
  return runOnceAsync(createDepthwiseConv2d(weight, options), input);
}
