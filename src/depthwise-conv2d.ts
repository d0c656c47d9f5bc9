// depthwiseConv2d: conv2d with groups = C, taking the weight shapes depthwise users bring:
// OIHW [C·multiplier, 1, kH, kW] or HWIO [kH, kW, C, multiplier] (TensorFlow's depthwise filter,
// the same memory order as conv2d's HWIO [kH, kW, 1, C·multiplier]). The data is not copied.

import { createConv2d, type Conv2d } from './conv2d.js';
import { checkChoice, checkOptionKeys, checkTensor, inputAxes } from './shape.js';
import type { Conv2dOptions, DepthwiseConv2dOptions, Tensor } from './types.js';

const OPTION_KEYS = ['layout', 'weightLayout', 'stride', 'dilation', 'padding', 'bias', 'activation', 'alpha', 'algorithm'] as const;

export function createDepthwiseConv2d(weight: Tensor, options: DepthwiseConv2dOptions = {}): Conv2d {
  if (typeof options !== 'object' || options === null) throw new TypeError('createDepthwiseConv2d: options must be an object');
  checkOptionKeys(options, OPTION_KEYS, 'depthwiseConv2d (groups is always C)');
  const layout = options.layout === undefined ? 'NCHW' : checkChoice('options.layout', options.layout, ['NCHW', 'NHWC'] as const);
  const weightLayout = options.weightLayout === undefined
    ? (layout === 'NCHW' ? 'OIHW' : 'HWIO')
    : checkChoice('options.weightLayout', options.weightLayout, ['OIHW', 'HWIO'] as const);
  const w = checkTensor('weight', weight, 4, weightLayout === 'OIHW' ? 'OIHW [C·multiplier, 1, kH, kW]' : 'HWIO [kH, kW, C, multiplier]');
  const [a, b, c, d] = w.shape as [number, number, number, number];
  if (weightLayout === 'OIHW' && b !== 1) {
    throw new RangeError(`weight OIHW [C·multiplier, 1, kH, kW] must have 1 input channel per filter, got [${w.shape.join(', ')}]`);
  }
  // OIHW does not say C (only C·multiplier): the conv is made for the first input's C.
  const weight2d = { data: w.data, shape: weightLayout === 'OIHW' ? [a, 1, c, d] : [a, b, 1, c * d] };
  const outChannels = weightLayout === 'OIHW' ? a : c * d;
  let inner: { channels: number; conv: Conv2d } | null = null;
  let disposed = false;
  const convFor = (channels: number): Conv2d => {
    if (weightLayout === 'HWIO' && channels !== c) {
      throw new RangeError(`input has ${channels} channels but the depthwise weight HWIO [${w.shape.join(', ')}] is for ${c}`);
    }
    if (outChannels % channels !== 0) {
      throw new RangeError(`input has ${channels} channels, which do not divide the weight's C·multiplier = ${outChannels}`);
    }
    if (inner?.channels !== channels) {
      const conv = createConv2d(weight2d, { ...options, layout, weightLayout, groups: channels } as Conv2dOptions);
      inner?.conv.dispose();
      inner = { channels, conv };
    }
    return inner.conv;
  };
  if (weightLayout === 'HWIO') convFor(c); // validate options now, as conv2d does
  return {
    run(input: Tensor): Tensor {
      if (disposed) throw new Error('simdconv: run() called on a disposed depthwiseConv2d');
      const x = checkTensor('input', input, 4, inputAxes(layout));
      return convFor(layout === 'NCHW' ? x.shape[1]! : x.shape[3]!).run(x);
    },
    dispose(): void {
      disposed = true;
      inner?.conv.dispose();
      inner = null;
    },
  };
}

/** conv2d with groups = C: one filter (or `multiplier` filters) per input channel. */
export function depthwiseConv2d(input: Tensor, weight: Tensor, options?: DepthwiseConv2dOptions): Tensor {
  const conv = createDepthwiseConv2d(weight, options);
  try {
    return conv.run(input);
  } finally {
    conv.dispose();
  }
}
