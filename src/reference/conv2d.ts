// Plain TypeScript conv2d: the oracle the WebAssembly paths are tested against and the plain-JS
// baseline of the benchmarks. Deliberately the textbook loop nest (the seed's sliding window),
// accumulating in float64; only the option parsing is shared with the fast path (src/shape.ts).

import { activationStrides, conv2dOutputShape, resolveConv2dFilter, resolveConv2dGeometry } from '../shape.js';
import { applyActivation } from '../activation.js';
import type { Conv2dOptions, Tensor } from '../types.js';


export function conv2d(input: Tensor, weight: Tensor, options: Conv2dOptions = {}): Tensor {
  const filter = resolveConv2dFilter(weight, options, 'reference.conv2d');
  const g = resolveConv2dGeometry(filter, input);
  const x = input.data;
  const w = weight.data;
  // Plain locals, and the window loop outside the pixel loop so the innermost loop walks one
  // input row: this is also the plain-JS baseline of the benchmarks, so it is the loop a
  // careful JS programmer would write, not a strawman.
  const { batch, outChannels, outH, outW, inH, inW, channelsPerGroup, kernelH, kernelW } = g;
  const { strideH, strideW, dilationH, dilationW, padTop, padLeft, activation, alpha, bias } = g;
  const { batch: xBatch, channel: xChannel, row: xRow, col: xCol } = activationStrides(g.layout, g.inChannels, inH, inW);
  const { batch: yBatch, channel: yChannel, row: yRow, col: yCol } = activationStrides(g.layout, outChannels, outH, outW);
  const { filter: wFilter, channel: wChannel, row: wRow, col: wCol } = g.weightStrides;
  const filtersPerGroup = outChannels / g.groups;
  const y = new Float32Array(batch * outChannels * outH * outW);
  const sums = new Float64Array(outH * outW); // one output plane, accumulated in float64
  for (let n = 0; n < batch; n++) {
    for (let m = 0; m < outChannels; m++) {
      const xGroup = n * xBatch + Math.floor(m / filtersPerGroup) * channelsPerGroup * xChannel;
      sums.fill(bias ? bias[m]! : 0);
      for (let c = 0; c < channelsPerGroup; c++) {
        for (let kh = 0; kh < kernelH; kh++) {
          for (let kw = 0; kw < kernelW; kw++) {
            const weightValue = w[m * wFilter + c * wChannel + kh * wRow + kw * wCol]!;
            const colOffset = kw * dilationW - padLeft;
            // Output columns whose input column lies inside the image (zero padding adds nothing).
            const owBegin = Math.max(0, Math.ceil(-colOffset / strideW));
            const owEnd = Math.min(outW, Math.floor((inW - 1 - colOffset) / strideW) + 1);
            for (let oh = 0; oh < outH; oh++) {
              const ih = oh * strideH + kh * dilationH - padTop;
              if (ih < 0 || ih >= inH) continue;
              let xIndex = xGroup + c * xChannel + ih * xRow + (owBegin * strideW + colOffset) * xCol;
              const xStep = strideW * xCol;
              for (let s = oh * outW + owBegin, end = oh * outW + owEnd; s < end; s++, xIndex += xStep) {
                sums[s]! += weightValue * x[xIndex]!;
              }
            }
          }
        }
      }
      for (let oh = 0; oh < outH; oh++) {
        for (let ow = 0; ow < outW; ow++) {
          y[n * yBatch + m * yChannel + oh * yRow + ow * yCol] = applyActivation(sums[oh * outW + ow]!, activation, alpha);
        }
      }
    }
  }
  return { data: y, shape: conv2dOutputShape(g) };
}
