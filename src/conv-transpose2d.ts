// convTranspose2d (deconvolution): the adjoint of conv2d. Computed as a conv2d, so it runs on the
// same SIMD paths (Winograd included): the input is spread out by the stride (zeros between
// pixels), bordered by dilation·(k − 1) − padding (a negative border crops), and convolved at
// stride 1 with the weights flipped in space and with input and output channels swapped.

import { createConv2d, type Conv2d } from './conv2d.js';
import { resolveConvTranspose2dFilter, resolveConvTranspose2dGeometry, type ConvTranspose2dGeometry } from './shape.js';
import type { ConvTranspose2dOptions, Tensor } from './types.js';

/** The conv2d weights OIHW [M, C/groups, kH, kW] equivalent to transposed weights. */
function flippedWeights(f: ReturnType<typeof resolveConvTranspose2dFilter>, data: Float32Array): Float32Array {
  const { inChannels: C, outChannels: M, groups, kernelH: kH, kernelW: kW } = f;
  const channelsPerGroup = C / groups;
  const filtersPerGroup = M / groups;
  const out = new Float32Array(M * channelsPerGroup * kH * kW);
  for (let group = 0; group < groups; group++) {
    for (let m = 0; m < filtersPerGroup; m++) {
      for (let c = 0; c < channelsPerGroup; c++) {
        for (let kh = 0; kh < kH; kh++) {
          for (let kw = 0; kw < kW; kw++) {
            out[(((group * filtersPerGroup + m) * channelsPerGroup + c) * kH + kh) * kW + kw] =
              data[f.weightIndex(group * channelsPerGroup + c, m, kH - 1 - kh, kW - 1 - kw)]!;
          }
        }
      }
    }
  }
  return out;
}

/** The stride-spread, bordered input the equivalent conv2d reads, in the input's layout. */
function spreadInput(g: ConvTranspose2dGeometry, x: Float32Array): Tensor {
  const borderTop = g.dilationH * (g.kernelH - 1) - g.padTop;
  const borderLeft = g.dilationW * (g.kernelW - 1) - g.padLeft;
  const height = (g.inH - 1) * g.strideH + 1 + borderTop + g.dilationH * (g.kernelH - 1) - g.padBottom + g.outputPaddingH;
  const width = (g.inW - 1) * g.strideW + 1 + borderLeft + g.dilationW * (g.kernelW - 1) - g.padRight + g.outputPaddingW;
  const C = g.inChannels;
  const out = new Float32Array(g.batch * C * height * width);
  const nchw = g.layout === 'NCHW';
  for (let n = 0; n < g.batch; n++) {
    for (let ih = 0; ih < g.inH; ih++) {
      const row = ih * g.strideH + borderTop;
      if (row < 0 || row >= height) continue;
      for (let iw = 0; iw < g.inW; iw++) {
        const col = iw * g.strideW + borderLeft;
        if (col < 0 || col >= width) continue;
        if (nchw) {
          for (let c = 0; c < C; c++) out[((n * C + c) * height + row) * width + col] = x[((n * C + c) * g.inH + ih) * g.inW + iw]!;
        } else {
          const from = ((n * g.inH + ih) * g.inW + iw) * C;
          out.set(x.subarray(from, from + C), ((n * height + row) * width + col) * C);
        }
      }
    }
  }
  return { data: out, shape: nchw ? [g.batch, C, height, width] : [g.batch, height, width, C] };
}

export function createConvTranspose2d(weight: Tensor, options?: ConvTranspose2dOptions): Conv2d {
  const filter = resolveConvTranspose2dFilter(weight, options, 'createConvTranspose2d');
  const conv = createConv2d(
    { data: flippedWeights(filter, weight.data), shape: [filter.outChannels, filter.inChannels / filter.groups, filter.kernelH, filter.kernelW] },
    { ...filter.conv2dOptions, layout: filter.layout, weightLayout: 'OIHW', groups: filter.groups, dilation: [filter.dilationH, filter.dilationW] },
  );
  return {
    run(input: Tensor): Tensor {
      const g = resolveConvTranspose2dGeometry(filter, input);
      return conv.run(spreadInput(g, input.data));
    },
    dispose: () => conv.dispose(),
  };
}

/** One transposed convolution (ONNX ConvTranspose / PyTorch conv_transpose2d semantics). */
export function convTranspose2d(input: Tensor, weight: Tensor, options?: ConvTranspose2dOptions): Tensor {
  const conv = createConvTranspose2d(weight, options);
  try {
    return conv.run(input);
  } finally {
    conv.dispose();
  }
}
