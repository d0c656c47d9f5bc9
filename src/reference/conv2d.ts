// Plain TypeScript conv2d: the oracle the WebAssembly paths are tested against and the plain-JS
// baseline of the benchmarks. Deliberately the textbook loop nest (the seed's sliding window),
// accumulating in float64; only the option parsing is shared with the fast path (src/shape.ts).

import { activationStrides, conv2dOutputShape, resolveConv2dFilter, resolveConv2dGeometry } from '../shape.js';
import type { Activation, Conv2dOptions, Tensor } from '../types.js';

export function applyActivation(value: number, activation: Activation): number {
  switch (activation) {
    case 'relu':
      return Math.max(value, 0);
    case 'relu6':
      return Math.min(Math.max(value, 0), 6);
    default:
      return value;
  }
}

export function conv2d(input: Tensor, weight: Tensor, options: Conv2dOptions = {}): Tensor {
  const filter = resolveConv2dFilter(weight, options, 'reference.conv2d');
  const g = resolveConv2dGeometry(filter, input);
  const x = input.data;
  const w = weight.data;
  const xs = activationStrides(g.layout, g.inChannels, g.inH, g.inW);
  const ys = activationStrides(g.layout, g.outChannels, g.outH, g.outW);
  const ws = g.weightStrides;
  const filtersPerGroup = g.outChannels / g.groups;
  const y = new Float32Array(g.batch * g.outChannels * g.outH * g.outW);
  for (let n = 0; n < g.batch; n++) {
    for (let m = 0; m < g.outChannels; m++) {
      const firstChannel = Math.floor(m / filtersPerGroup) * g.channelsPerGroup;
      for (let oh = 0; oh < g.outH; oh++) {
        for (let ow = 0; ow < g.outW; ow++) {
          let sum = g.bias ? g.bias[m]! : 0;
          for (let c = 0; c < g.channelsPerGroup; c++) {
            for (let kh = 0; kh < g.kernelH; kh++) {
              const ih = oh * g.strideH + kh * g.dilationH - g.padTop;
              if (ih < 0 || ih >= g.inH) continue;
              for (let kw = 0; kw < g.kernelW; kw++) {
                const iw = ow * g.strideW + kw * g.dilationW - g.padLeft;
                if (iw < 0 || iw >= g.inW) continue;
                sum +=
                  x[n * xs.batch + (firstChannel + c) * xs.channel + ih * xs.row + iw * xs.col]! *
                  w[m * ws.filter + c * ws.channel + kh * ws.row + kw * ws.col]!;
              }
            }
          }
          y[n * ys.batch + m * ys.channel + oh * ys.row + ow * ys.col] = applyActivation(sum, g.activation);
        }
      }
    }
  }
  return { data: y, shape: conv2dOutputShape(g) };
}
