// Depthwise path: groups = C = M (one filter per channel), any kernel, stride and dilation.
// NHWC vectorises across channels straight from the input; NCHW copies each channel plane into
// a zero-bordered scratch plane and vectorises across output columns.

import type { Conv2dFilter, Conv2dGeometry } from '../shape.js';
import { ACTIVATION_CODES, type ConvAlgorithm } from './algorithm.js';
import { bandRowsRead } from './padded-input.js';

const roundUp = (value: number, multiple: number): number => Math.ceil(value / multiple) * multiple;
/** Output columns per step of the plane kernel (assembly/depthwise.ts PLANE_COLUMNS). */
const PLANE_COLUMNS = 32;

/**
 * Zero-bordered plane for the NCHW kernel: every read of whole PLANE_COLUMNS groups stays inside.
 * A caller may hand in its input already in this layout (ConvBuffers.inputPadded).
 */
function paddedPlane(g: Conv2dGeometry): { height: number; width: number } {
  const readWidth = roundUp(g.outW, PLANE_COLUMNS) * g.strideW + (g.kernelW - 1) * g.dilationW + 8;
  return {
    height: g.padTop + g.inH + g.padBottom,
    width: Math.max(g.padLeft + g.inW + g.padRight, readWidth),
  };
}

export const depthwiseConv: ConvAlgorithm = {
  name: 'depthwise',
  writesRowPitch: true,
  /** Channel planes (NCHW, or one channel); the NHWC kernel reads its input as it is. */
  paddedInput(g) {
    if (g.layout === 'NHWC' && g.inChannels > 1) return null;
    const plane = paddedPlane(g);
    return { ...plane, bytes: g.inChannels * plane.height * plane.width * 4 };
  },
  computesRowBands: true,
  // Memory-bound: 3–9 GFLOP/s here where the GEMM and Winograd run 25–50. Measured on 2 threads
  // against the calling thread: 144 ch 5×5/2 @56² (2.8 M) gained 9%, 3×3/2 (1.0 M) lost 16%.
  costPerMultiplyAdd: 3,

  unsupported(g) {
    return g.channelsPerGroup === 1 && g.outChannels === g.groups
      ? null
      : `needs one filter per channel (groups = C = M), got C = ${g.inChannels}, M = ${g.outChannels}, groups = ${g.groups}`;
  },

  packedWeightBytes(f: Conv2dFilter) {
    return roundUp(f.outChannels, 8) * f.kernelH * f.kernelW * 4;
  },

  packWeights(rt, f, source, packed) {
    const s = f.weightStrides;
    const channelsLast = f.layout === 'NHWC' && f.outChannels > 1;
    rt.kernels.packDepthwiseWeights(source, f.outChannels, f.kernelH, f.kernelW, s.filter, s.row, s.col, channelsLast, packed);
  },

  scratchBytes(g) {
    if (g.layout === 'NHWC' && g.inChannels > 1) return 0;
    // (Unused when the caller hands in padded planes, but a plan does not know that yet.)
    const plane = paddedPlane(g);
    return plane.height * plane.width * 4;
  },

  run(rt, g, packedWeights, buffers) {
    const k = rt.kernels;
    const activation = ACTIVATION_CODES[g.activation];
    const channels = g.inChannels;
    const taps = g.kernelH * g.kernelW;
    const rowPixels = buffers.outputRowPixels ?? g.outW;
    const { begin, end } = buffers.rows ?? { begin: 0, end: g.outH };
    if (begin >= end) return;
    // The input rows the band reads (zero-bordered rows [top, top + readRows)).
    const { top, count: readRows, first, realRows, zeroAbove: padAbove } = bandRowsRead(g, buffers.rows);
    // One channel is the same bytes in both layouts; the plane kernel vectorises across columns.
    if (g.layout === 'NHWC' && channels > 1) {
      if (buffers.inputPadded) throw new Error('simdconv internal error: depthwise NHWC does not read a padded input');
      for (let n = 0; n < g.batch; n++) {
        const image = buffers.input + n * g.inH * g.inW * channels * 4;
        k.depthwiseNHWC(
          image + first * g.inW * channels * 4, realRows, g.inW, channels,
          g.kernelH, g.kernelW, g.strideH, g.strideW, g.dilationH, g.dilationW, padAbove, g.padLeft,
          end - begin, g.outW, packedWeights, buffers.bias, activation, g.alpha,
          buffers.output + (n * g.outH + begin) * rowPixels * channels * 4, rowPixels,
        );
      }
      return;
    }
    const plane = paddedPlane(g);
    for (let n = 0; n < g.batch; n++) {
      for (let c = 0; c < channels; c++) {
        const image = n * channels + c;
        let source = buffers.input + (image * plane.height + top) * plane.width * 4;
        if (!buffers.inputPadded) {
          k.padPlane(buffers.input + (image * g.inH + first) * g.inW * 4, realRows, g.inW, padAbove, g.padLeft, readRows, plane.width, buffers.scratch);
          source = buffers.scratch;
        }
        k.depthwisePlaneNCHW(
          source, plane.width, g.kernelH, g.kernelW, g.strideH, g.strideW, g.dilationH, g.dilationW,
          end - begin, g.outW, packedWeights + c * taps * 4, g.bias ? g.bias[c]! : 0, activation, g.alpha,
          buffers.output + (image * g.outH + begin) * rowPixels * 4, rowPixels,
        );
      }
    }
  },
};
