// Depthwise path: groups = C = M (one filter per channel), any kernel, stride and dilation.
// NHWC vectorises across channels straight from the input; NCHW vectorises across output
// columns, reading a stride-1 'same' 3×3 plane, or a stride-2 3×3 one with rows wider than 16,
// where it lies and copying any other into a zero-bordered scratch plane split by column phase,
// except the other strided and the narrow 3×3 planes, which it interleaves four channels at a
// time into 4-channel pixels and sums as NHWC does.

import type { Conv2dFilter, Conv2dGeometry } from '../shape.js';
import { ACTIVATION_CODES, type ConvAlgorithm } from './algorithm.js';
import { bandRowsRead } from './padded-input.js';

const roundUp = (value: number, multiple: number): number => Math.ceil(value / multiple) * multiple;
/** Output columns per vector of the plane kernel (assembly/depthwise.ts planeGroup). */
const LANES = 4;
/**
 * Widest output row the NCHW path runs four channels at a time (wider strided rows are read in
 * place, readsStride2InPlace). Kernel alone, side by
 * side, the same bits: stride 2 1.14–1.20× at 112² and 56², 1.5–1.8× at 28² and 14²; stride 1
 * 1.6–1.7× at 7², 1.1× at 14², but 0.8× at 28² and 0.7× at 56² and 112².
 */
const BLOCKED_MAX_WIDTH = 16;

/**
 * Floats per column phase of the plane kernel's rows (assembly/depthwise.ts depthwiseNCHW): the
 * columns whole vectors past the last output column read. At stride 1 the one phase is the
 * zero-bordered row itself.
 */
function phaseWidth(g: Conv2dGeometry): number {
  const read = roundUp(g.outW, LANES) + Math.floor((g.kernelW - 1) * g.dilationW / g.strideW);
  return g.strideW === 1 ? Math.max(g.padLeft + g.inW + g.padRight, read) : read;
}

/**
 * Zero-bordered plane for the NCHW kernel at stride 1, which it reads in place when a caller
 * hands its input in this layout (ConvBuffers.inputPadded).
 */
function paddedPlane(g: Conv2dGeometry): { height: number; width: number } {
  return { height: g.padTop + g.inH + g.padBottom, width: phaseWidth(g) };
}

/**
 * The planes the NCHW kernel reads unpadded where they lie (assembly/depthwise.ts
 * planesInPlace3x3NCHW): stride-1 'same' 3×3 windows, one plane at a time.
 */
function readsPlaneInPlace(g: Conv2dGeometry): boolean {
  return (g.layout === 'NCHW' || g.inChannels === 1) && !runsFourChannels(g) &&
    g.kernelH === 3 && g.kernelW === 3 && g.strideH === 1 && g.strideW === 1 && g.dilationH === 1 && g.dilationW === 1 &&
    g.padLeft === 1 && g.outW === g.inW;
}

/**
 * The NCHW 3×3 planes at column stride 2 read where they lie (assembly/depthwise-strided.ts):
 * rows wider than BLOCKED_MAX_WIDTH with at most one padded column each side. Kernel alone, side
 * by side, the same bits: 1.22× the four-channel path at 56², 1.23–1.40× at 112², 1.34× at 224²;
 * level at 28² and 14², which stay four channels at a time.
 */
function readsStride2InPlace(g: Conv2dGeometry): boolean {
  const padRight = (g.outW - 1) * 2 + 3 - g.padLeft - g.inW;
  return g.kernelH === 3 && g.kernelW === 3 && g.dilationH === 1 && g.dilationW === 1 && g.strideW === 2 &&
    g.padLeft <= 1 && padRight <= 1 && g.outW > BLOCKED_MAX_WIDTH;
}

/** The NCHW 3×3 planes that run four channels at a time (assembly/depthwise-blocked.ts). */
function runsFourChannels(g: Conv2dGeometry): boolean {
  return g.kernelH === 3 && g.kernelW === 3 && g.dilationH === 1 && g.dilationW === 1 && g.inChannels >= 4 &&
    ((g.strideW === 2 && !readsStride2InPlace(g)) || (g.strideW === 1 && g.outW <= BLOCKED_MAX_WIDTH));
}

/**
 * Scratch of the NCHW 3×3 row kernels: for the four-channel one (assembly/depthwise-blocked.ts)
 * three padded input rows and a zero row, as 4-channel pixels, and one output row of pixels
 * rounded up to four; for the strided in-place one a zero row as long as its vectors read; 0
 * where neither applies.
 */
function rowKernelScratchBytes(g: Conv2dGeometry): number {
  if (readsStride2InPlace(g)) return (2 * g.outW + 16) * 4;
  if (!runsFourChannels(g)) return 0;
  const readCols = (g.outW - 1) * g.strideW + 3;
  return (4 * readCols + roundUp(g.outW, 4)) * 16;
}

export const depthwiseConv: ConvAlgorithm = {
  name: 'depthwise',
  writesRowPitch: true,
  /**
   * Channel planes (NCHW, or one channel) at stride 1. Strided, the kernel splits the plane into
   * column phases as it copies it: a padded copy first would be one more pass over the input
   * (measured 2× the NHWC time for a { data, shape } input at stride 2). The NHWC kernel reads
   * its input as it is.
   */
  paddedInput(g) {
    if ((g.layout === 'NHWC' && g.inChannels > 1) || g.strideW !== 1) return null;
    const plane = paddedPlane(g);
    return { ...plane, bytes: g.inChannels * plane.height * plane.width * 4 };
  },
  /**
   * A { data, shape } plane: one bulk copy and the in-place kernel against the row-by-row padded
   * copy and the padded kernel, side by side, the same bits: the whole call 1.16–1.25× at 1024²
   * and 1.10× at 512² (the copy and the kernel alone summed: 1.26–1.27×).
   */
  readsInputInPlace: readsPlaneInPlace,
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
    // One phase-split plane (unused when the kernel reads a padded input in place, but a plan
    // does not know that yet).
    const phasePlane = paddedPlane(g).height * g.strideW * phaseWidth(g) * 4;
    return Math.max(phasePlane, rowKernelScratchBytes(g));
  },

  run(rt, g, packedWeights, buffers) {
    const k = rt.kernels;
    const activation = ACTIVATION_CODES[g.activation];
    const channels = g.inChannels;
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
    // A padded input (stride 1 only) is read in place, band rows [top, top + readRows).
    const padded = buffers.inputPadded === true;
    if (padded && g.strideW !== 1) throw new Error('simdconv internal error: depthwise NCHW reads a padded input at stride 1 only');
    if (!padded && buffers.scratch === 0) throw new Error('simdconv internal error: depthwise NCHW needs scratch for its phase-split planes');
    const width = phaseWidth(g);
    const planeFloats = padded ? paddedPlane(g).height * width : g.inH * g.inW;
    // filterImage's passes read padded planes and bring no scratch: they keep the plane kernel.
    const fourChannels = runsFourChannels(g) && buffers.scratch !== 0;
    const stridedInPlace = readsStride2InPlace(g) && !padded && buffers.scratch !== 0;
    const planesInPlace = readsPlaneInPlace(g) && !padded && buffers.scratch !== 0;
    for (let n = 0; n < g.batch; n++) {
      const images = buffers.input + n * channels * planeFloats * 4;
      const src = padded ? images + top * width * 4 : images + first * g.inW * 4;
      const [srcRow, rows, cols] = padded ? [width, readRows, width] : [g.inW, realRows, g.inW];
      const [padTop, padLeft] = padded ? [0, 0] : [padAbove, g.padLeft];
      const y = buffers.output + ((n * channels * g.outH) + begin) * rowPixels * 4;
      if (planesInPlace) {
        k.planesInPlace3x3NCHW(
          src, channels, planeFloats, g.inW, rows, padTop, buffers.scratch, end - begin,
          packedWeights, buffers.bias, activation, g.alpha, y, g.outH * rowPixels, rowPixels,
        );
      } else if (stridedInPlace) {
        k.stride2x3NCHW(
          src, channels, planeFloats, srcRow, rows, cols, padTop, padLeft, buffers.scratch, g.strideH,
          end - begin, g.outW, packedWeights, buffers.bias, activation, g.alpha, y, g.outH * rowPixels, rowPixels,
        );
      } else if (fourChannels) {
        k.blocked3x3NCHW(
          src, channels, planeFloats, srcRow, rows, cols, padTop, padLeft, buffers.scratch, g.strideH, g.strideW,
          end - begin, g.outW, packedWeights, buffers.bias, activation, g.alpha, y, g.outH * rowPixels, rowPixels,
        );
      } else {
        k.depthwiseNCHW(
          src, channels, planeFloats, srcRow, rows, cols, padTop, padLeft, !padded, buffers.scratch, readRows, width,
          g.kernelH, g.kernelW, g.strideH, g.strideW, g.dilationH, g.dilationW,
          end - begin, g.outW, packedWeights, buffers.bias, activation, g.alpha, y, g.outH * rowPixels, rowPixels,
        );
      }
    }
  },
};
