// Plain TypeScript conv2d: the oracle the WebAssembly paths are tested against and the plain-JS
// baseline of the benchmarks. Deliberately the textbook loop nest (the seed's sliding window),
// accumulating in float64, with its own reading of the options (./semantics.ts).

import type { Conv2dOptions, Layout, TensorData, WeightLayout } from '../types.js';
import { finish, outputLengths, perAxis, readConvCall, readOutputStage, readPadding, readTensor, resolvePads } from './semantics.js';

/** Element steps along (filter m, channel c, row, column) of a weight tensor, and its sizes. */
function weightAxes(layout: WeightLayout, [a, b, c, d]: number[]) {
  switch (layout) {
    case 'OIHW': // [M, C/g, kH, kW]
      return { M: a!, Cg: b!, kH: c!, kW: d!, step: { m: b! * c! * d!, c: c! * d!, row: d!, col: 1 } };
    case 'HWIO': // [kH, kW, C/g, M]
      return { M: d!, Cg: c!, kH: a!, kW: b!, step: { m: 1, c: d!, row: b! * c! * d!, col: c! * d! } };
    case 'OHWI': // [M, kH, kW, C/g]
      return { M: a!, Cg: d!, kH: b!, kW: c!, step: { m: b! * c! * d!, c: 1, row: c! * d!, col: d! } };
  }
}

/** Element steps along (image, channel, row, column) of an activation tensor [N, C, H, W] or [N, H, W, C]. */
export function activationSteps(layout: Layout, C: number, H: number, W: number) {
  return layout === 'NCHW' ? { n: C * H * W, c: H * W, row: W, col: 1 } : { n: H * W * C, c: 1, row: W * C, col: C };
}

export function conv2d(input: TensorData, weight: TensorData, options: Conv2dOptions = {}): TensorData {
  const { o, layout, weightLayout, x: xt, w: wt, groups } = readConvCall('reference.conv2d', input, weight, options, {
    rank: 4, layouts: ['NCHW', 'NHWC'], weightLayouts: ['OIHW', 'HWIO', 'OHWI'], defaultWeightLayouts: ['OIHW', 'HWIO'], extraKeys: ['residual'],
  });
  const [strideH, strideW] = perAxis('options.stride', o.stride, 2, 1, 1) as [number, number];
  const [dilationH, dilationW] = perAxis('options.dilation', o.dilation, 2, 1, 1) as [number, number];
  const { M: outChannels, Cg: channelsPerGroup, kH: kernelH, kW: kernelW, step: ws } = weightAxes(weightLayout, wt.shape);
  const [batch, inChannels, inH, inW] = (layout === 'NCHW' ? [0, 1, 2, 3] : [0, 3, 1, 2]).map((axis) => xt.shape[axis]!) as [number, number, number, number];
  if (outChannels % groups !== 0 || inChannels !== channelsPerGroup * groups) {
    throw new RangeError(`groups ${groups}: input channels ${inChannels} must be ${channelsPerGroup} per group and filters ${outChannels} a multiple of it`);
  }
  const stage = readOutputStage(o, outChannels);
  const pads = resolvePads(readPadding(o.padding, ['top', 'bottom', 'left', 'right']), [inH, inW], [kernelH, kernelW], [strideH, strideW], [dilationH, dilationW]);
  const [padTop, , padLeft] = pads as [number, number, number, number];
  const [outH, outW] = outputLengths([inH, inW], [kernelH, kernelW], [strideH, strideW], [dilationH, dilationW], pads) as [number, number];
  const outShape = layout === 'NCHW' ? [batch, outChannels, outH, outW] : [batch, outH, outW, outChannels];
  // Added to the sum before the activation (ResNet's relu(conv(x) + shortcut)).
  const residual = o.residual === undefined ? null : readTensor('options.residual', o.residual, 4);
  if (residual && residual.shape.some((d, i) => d !== outShape[i])) {
    throw new RangeError(`options.residual must have the output's shape ${JSON.stringify(outShape)}, got ${JSON.stringify(residual.shape)}`);
  }
  const x = xt.data;
  const w = wt.data;
  const xs = activationSteps(layout, inChannels, inH, inW);
  const ys = activationSteps(layout, outChannels, outH, outW);
  const filtersPerGroup = outChannels / groups;
  const y = new Float32Array(batch * outChannels * outH * outW);
  // Plain locals, and the window loop outside the pixel loop so the innermost loop walks one
  // input row: this is also the plain-JS baseline of the benchmarks, so it is the loop a
  // careful JS programmer would write, not a strawman.
  const sums = new Float64Array(outH * outW); // one output plane, accumulated in float64
  for (let n = 0; n < batch; n++) {
    for (let m = 0; m < outChannels; m++) {
      const xGroup = n * xs.n + Math.floor(m / filtersPerGroup) * channelsPerGroup * xs.c;
      sums.fill(0);
      for (let c = 0; c < channelsPerGroup; c++) {
        for (let kh = 0; kh < kernelH; kh++) {
          for (let kw = 0; kw < kernelW; kw++) {
            const weightValue = w[m * ws.m + c * ws.c + kh * ws.row + kw * ws.col]!;
            const colOffset = kw * dilationW - padLeft;
            // Output columns whose input column lies inside the image (zero padding adds nothing).
            const owBegin = Math.max(0, Math.ceil(-colOffset / strideW));
            const owEnd = Math.min(outW, Math.floor((inW - 1 - colOffset) / strideW) + 1);
            for (let oh = 0; oh < outH; oh++) {
              const ih = oh * strideH + kh * dilationH - padTop;
              if (ih < 0 || ih >= inH) continue;
              let xIndex = xGroup + c * xs.c + ih * xs.row + (owBegin * strideW + colOffset) * xs.col;
              const xStep = strideW * xs.col;
              for (let s = oh * outW + owBegin, end = oh * outW + owEnd; s < end; s++, xIndex += xStep) {
                sums[s]! += weightValue * x[xIndex]!;
              }
            }
          }
        }
      }
      for (let oh = 0; oh < outH; oh++) {
        for (let ow = 0; ow < outW; ow++) {
          const index = n * ys.n + m * ys.c + oh * ys.row + ow * ys.col;
          y[index] = finish(sums[oh * outW + ow]! + (residual ? residual.data[index]! : 0), m, stage);
        }
      }
    }
  }
  return { data: y, shape: outShape };
}
