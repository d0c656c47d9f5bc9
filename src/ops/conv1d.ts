// conv1d: a conv2d of height 1, so it runs on the same SIMD paths with no copy of the data
// (only the shapes change). Options and errors are conv1d's own (shape.ts conv1dAsConv2d).

import { PreparedConv2d, type Conv2dPlan } from './conv2d.js';
import { preparedForm, readArgument, readOptions, runOnce, runOnceAsync, type OutputFor, type PointerOp, type Prepared, type TensorInput } from '../core/prepared.js';
import { checkWeight, conv1dAsConv2d, conv1dShapeAs2d, conv2dShapeAs1d } from '../shape.js';
import type { Conv1dOptions, Layout1d } from '../types.js';

export type Conv1d = Prepared;

const INPUT_AXES = { NCW: 'NCW [N, C, W]', NWC: 'NWC [N, W, C]' } as const;

/** conv1d's pointer form: the conv2d of height 1 on the same offsets. */
class PreparedConv1d implements PointerOp<Conv2dPlan> {
  readonly name = 'conv1d';
  readonly inputRank = 3;
  readonly inputAxes: string;
  private readonly layout1d: Layout1d;
  private readonly conv: PreparedConv2d;

  constructor(weightArgument: TensorInput, optionsArgument: Conv1dOptions | undefined) {
    const { layout1d, options: options2d } = conv1dAsConv2d(readOptions(optionsArgument), 'createConv1d');
    const weightLayout = options2d.weightLayout === 'OIHW' ? 'OIW' : 'WIO';
    const w = checkWeight(readArgument(weightArgument), 3, weightLayout === 'OIW' ? 'OIW [M, C/groups, kW]' : 'WIO [kW, C/groups, M]');
    this.conv = new PreparedConv2d({ data: w.data, shape: conv1dShapeAs2d(w.shape, weightLayout) }, options2d);
    this.layout1d = layout1d;
    this.inputAxes = INPUT_AXES[layout1d];
  }

  plan(shape: readonly number[]): Conv2dPlan {
    return this.conv.plan(conv1dShapeAs2d(shape, this.layout1d));
  }

  outputShape(plan: Conv2dPlan): number[] {
    return conv2dShapeAs1d(this.conv.outputShape(plan), this.layout1d);
  }

  workspaceBytes(plan: Conv2dPlan): Record<string, number> {
    return this.conv.workspaceBytes(plan);
  }

  run(plan: Conv2dPlan, input: number, output: number, _residual = 0, inputPadded = false): void {
    this.conv.run(plan, input, output, 0, inputPadded);
  }

  /** The same memory as the conv2d of height 1: its staging into the padded layout applies as is. */
  stageHostInput(plan: Conv2dPlan, data: Float32Array): number | null {
    return this.conv.stageHostInput(plan, data);
  }

  runParallel(plan: Conv2dPlan, input: number, output: number): Promise<void> {
    return this.conv.runParallel(plan, input, output);
  }

  release(): void {
    this.conv.release();
  }
}

export function createConv1d(weight: TensorInput, options?: Conv1dOptions): Conv1d {
  return preparedForm(new PreparedConv1d(weight, options));
}

/** One 1-D convolution: input `[N, C, W]` (NCW) or `[N, W, C]` (NWC). */
export function conv1d<In extends TensorInput>(input: In, weight: TensorInput, options?: Conv1dOptions): OutputFor<In> {
  return runOnce(createConv1d(weight, options), input);
}

/** conv1d on the worker pool. */
export function conv1dAsync<In extends TensorInput>(input: In, weight: TensorInput, options?: Conv1dOptions): Promise<OutputFor<In>> {
  return runOnceAsync(createConv1d(weight, options), input);
}
