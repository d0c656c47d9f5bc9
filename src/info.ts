// Layer arithmetic without running anything: output shape, padding, cost and size of a
// convolution, and the receptive field of a stack of layers. All shape math comes from shape.ts.

import { conv2dMultiplyAdds, conv2dOutputShape, resolveConv2dFilterShape, resolveConv2dGeometryShape } from './shape.js';
import type { Conv2dOptions, ExplicitPadding } from './types.js';

export interface ConvInfo {
  outputShape: number[];
  /** The padding actually applied ('same' resolved for this input). */
  padding: ExplicitPadding;
  /** Multiply-adds of the direct algorithm. */
  multiplyAdds: number;
  /** 2 × multiplyAdds. */
  flops: number;
  /** Weights plus bias values. */
  parameters: number;
}

/**
 * What a conv2d layer does to an input of this shape, with conv2d's options and errors (shapes
 * only: no data, no init()). `options.bias` counts M parameters when given.
 */
export function convInfo(inputShape: readonly number[], weightShape: readonly number[], options: Conv2dOptions = {}): ConvInfo {
  const filter = resolveConv2dFilterShape(weightShape, options, 'convInfo');
  const g = resolveConv2dGeometryShape(filter, inputShape);
  const multiplyAdds = conv2dMultiplyAdds(g);
  return {
    outputShape: conv2dOutputShape(g),
    padding: { top: g.padTop, bottom: g.padBottom, left: g.padLeft, right: g.padRight },
    multiplyAdds,
    flops: 2 * multiplyAdds,
    parameters: g.outChannels * g.channelsPerGroup * g.kernelH * g.kernelW + (g.bias ? g.outChannels : 0),
  };
}

/** One layer of a stack, per axis a number or `[h, w]`. `padding`: the padding before the input. */
export interface ReceptiveLayer {
  kernel: number | readonly [number, number];
  stride?: number | readonly [number, number];
  dilation?: number | readonly [number, number];
  padding?: number | readonly [number, number];
}

export interface ReceptiveField {
  /** Input pixels one output pixel sees, [h, w]. */
  size: [number, number];
  /** Input pixels between neighbouring output pixels, [h, w]. */
  jump: [number, number];
  /** Centre of the first output pixel's field, in input coordinates (pixel centres at 0.5, 1.5, …). */
  start: [number, number];
}

function axisValue(layer: number, name: string, value: number | readonly [number, number] | undefined, fallback: number, min: number): [number, number] {
  const pair = value === undefined ? [fallback, fallback] : typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((v) => Number.isInteger(v) && v >= min)) {
    throw new RangeError(`receptiveField: layers[${layer}].${name} must be an integer ≥ ${min} or [h, w] of them, got ${JSON.stringify(value)}`);
  }
  return [pair[0]!, pair[1]!];
}

/**
 * Receptive field of a stack of convolution (or pooling) layers, input first:
 * jump_out = jump·stride; size_out = size + (dilation·(k − 1))·jump;
 * start_out = start + ((dilation·(k − 1)) / 2 − padding)·jump.
 */
export function receptiveField(layers: readonly ReceptiveLayer[]): ReceptiveField {
  if (!Array.isArray(layers)) throw new TypeError(`receptiveField: layers must be an array, got ${typeof layers}`);
  const field: ReceptiveField = { size: [1, 1], jump: [1, 1], start: [0.5, 0.5] };
  layers.forEach((layer, i) => {
    if (typeof layer !== 'object' || layer === null) throw new TypeError(`receptiveField: layers[${i}] must be an object`);
    const kernel = axisValue(i, 'kernel', layer.kernel, NaN, 1);
    const stride = axisValue(i, 'stride', layer.stride, 1, 1);
    const dilation = axisValue(i, 'dilation', layer.dilation, 1, 1);
    const padding = axisValue(i, 'padding', layer.padding, 0, 0);
    for (const axis of [0, 1] as const) {
      const extent = dilation[axis] * (kernel[axis] - 1);
      field.start[axis] += (extent / 2 - padding[axis]) * field.jump[axis];
      field.size[axis] += extent * field.jump[axis];
      field.jump[axis] *= stride[axis];
    }
  });
  return field;
}
