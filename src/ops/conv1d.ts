// conv1d: a conv2d of height 1, so it runs on the same SIMD paths with no copy of the data
// (only the shapes change). Options and errors are conv1d's own (shape.ts conv1dAsConv2d).

import { type Conv2d, createConv2d } from './conv2d.js';
import { runOnce, runOnceAsync } from '../core/lifecycle.js';
import { checkTensor, checkWeight, conv1dAsConv2d, conv1dShapeAs2d, conv2dShapeAs1d } from '../shape.js';
import type { Conv1dOptions, Tensor } from '../types.js';

export type Conv1d = Conv2d;

const INPUT_AXES = { NCW: 'NCW [N, C, W]', NWC: 'NWC [N, W, C]' } as const;

export function createConv1d(weight: Tensor, options?: Conv1dOptions): Conv1d {
  const { layout1d, options: options2d } = conv1dAsConv2d(options, 'createConv1d');
  const weightLayout = options2d.weightLayout === 'OIHW' ? 'OIW' : 'WIO';
  const w = checkWeight(weight, 3, weightLayout === 'OIW' ? 'OIW [M, C/groups, kW]' : 'WIO [kW, C/groups, M]');
  const conv = createConv2d({ data: w.data, shape: conv1dShapeAs2d(w.shape, weightLayout) }, options2d);
  return {
    run(input: Tensor): Tensor {
      const x = checkTensor('input', input, 3, INPUT_AXES[layout1d]);
      const y = conv.run({ data: x.data, shape: conv1dShapeAs2d(x.shape, layout1d) });
      return { data: y.data, shape: conv2dShapeAs1d(y.shape, layout1d) };
    },
    async runAsync(input: Tensor): Promise<Tensor> {
      const x = checkTensor('input', input, 3, INPUT_AXES[layout1d]);
      const y = await conv.runAsync({ data: x.data, shape: conv1dShapeAs2d(x.shape, layout1d) });
      return { data: y.data, shape: conv2dShapeAs1d(y.shape, layout1d) };
    },
    dispose: () => conv.dispose(),
  };
}

/** One 1-D convolution: input `[N, C, W]` (NCW) or `[N, W, C]` (NWC). */
export function conv1d(input: Tensor, weight: Tensor, options?: Conv1dOptions): Tensor {
  return runOnce(createConv1d(weight, options), input);
}

/** conv1d on the worker pool. */
export function conv1dAsync(input: Tensor, weight: Tensor, options?: Conv1dOptions): Promise<Tensor> {
  return runOnceAsync(createConv1d(weight, options), input);
}

