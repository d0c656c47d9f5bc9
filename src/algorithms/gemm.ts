// Packed GEMM convolution: im2col of a block of output pixels into a packed panel, then the
// 4×8 SIMD micro-kernel over it. The roles swap with the layout so that the output is always
// written in contiguous 8-float rows:
//   NCHW: C[M_g × pixels] = W[M_g × K] · X[K × pixels]   weights are A (4-row panels)
//   NHWC: C[pixels × M_g] = X[pixels × K] · W[K × M_g]   weights are B (8-column panels)

import type { Conv2dFilter, Conv2dGeometry } from '../shape.js';
import { ACTIVATION_CODES, type ConvAlgorithm } from './algorithm.js';
import { paddedImage, zeroBorderedImage } from './padded-input.js';

const roundUp = (value: number, multiple: number): number => Math.ceil(value / multiple) * multiple;
/** Target bytes of one packed input block: small enough to stay in L2 with the weights. */
const BLOCK_BYTES = 192 * 1024;

function depthOf(f: Conv2dFilter): number {
  return f.channelsPerGroup * f.kernelH * f.kernelW;
}

function weightPanelWidth(f: Conv2dFilter): number {
  return f.layout === 'NCHW' ? 4 : 8;
}

function packedGroupFloats(f: Conv2dFilter): number {
  return roundUp(f.outChannels / f.groups, weightPanelWidth(f)) * depthOf(f);
}

/** Output pixels per packed input block: a multiple of 8, at most the whole image. */
function pixelBlock(g: Conv2dGeometry): number {
  const fit = Math.max(8, Math.floor(BLOCK_BYTES / (4 * depthOf(g)) / 8) * 8);
  return Math.min(fit, roundUp(g.outH * g.outW, 8));
}

/** One 4-row panel of A packed from pixels read in place (assembly/pack.ts packRowGroup). */
function rowGroupBytes(g: Conv2dGeometry): number {
  return roundUp(depthOf(g), 4) * 16;
}

/**
 * A 1×1 convolution with stride 1 and no padding is a GEMM on its input as it lies in memory
 * (NCHW channel planes are rows of B, NHWC pixels rows of A): nothing to pack or pad.
 */
export function gemmReadsInputInPlace(g: Conv2dGeometry): boolean {
  return g.kernelH === 1 && g.kernelW === 1 && g.strideH === 1 && g.strideW === 1 &&
    g.padTop === 0 && g.padBottom === 0 && g.padLeft === 0 && g.padRight === 0;
}

/**
 * An NCHW 1×1 on this few pixels packs its channel planes into panels after all: rows of 49
 * floats, read in place, start unaligned and split cache lines, and the packed copy costs little
 * at this size. Measured side by side on MobileNetV2's layers (kernel in the network, NCHW): 7²
 * 1.07–1.45× faster packed (the 320→1280 head 1.45×), 14² and more 0.68–0.98×; one pixel
 * (the classifier) 0.89×, so it stays a GEMV.
 */
const PACK_1X1_MAX_PIXELS = 100;

function packsPlanes1x1(g: Conv2dGeometry): boolean {
  const pixels = g.outH * g.outW;
  return g.layout === 'NCHW' && gemmReadsInputInPlace(g) && pixels > 1 && pixels <= PACK_1X1_MAX_PIXELS;
}

export const gemmConv: ConvAlgorithm = {
  name: 'gemm',
  paddedInput: (g) => (gemmReadsInputInPlace(g) ? null : paddedImage(g)),
  computesRowBands: true,
  computesFilterBands: true,

  unsupported() {
    return null; // any convolution is a GEMM over its im2col
  },

  packedWeightBytes(f) {
    return packedGroupFloats(f) * f.groups * 4;
  },

  packWeights(rt, f, source, packed) {
    const filtersPerGroup = f.outChannels / f.groups;
    const s = f.weightStrides;
    for (let group = 0; group < f.groups; group++) {
      rt.kernels.packWeights(
        source + group * filtersPerGroup * s.filter * 4, filtersPerGroup, f.channelsPerGroup, f.kernelH, f.kernelW,
        s.filter, s.channel, s.row, s.col, f.layout === 'NHWC', weightPanelWidth(f),
        packed + group * packedGroupFloats(f) * 4,
      );
    }
  },

  scratchBytes(g) {
    // In place, NHWC packs each 4-pixel row group of its input into one GEMM panel.
    if (packsPlanes1x1(g)) return pixelBlock(g) * depthOf(g) * 4;
    if (gemmReadsInputInPlace(g)) return g.layout === 'NHWC' ? rowGroupBytes(g) : 0;
    // The packed block, then the zero-bordered copy of the image it is packed from.
    return pixelBlock(g) * depthOf(g) * 4 + paddedImage(g).bytes;
  },

  run(rt, g, packedWeights, buffers) {
    const k = rt.kernels;
    const pixels = g.outH * g.outW;
    const block = pixelBlock(g);
    const depth = depthOf(g);
    const filtersPerGroup = g.outChannels / g.groups;
    const groupWeightBytes = packedGroupFloats(g) * 4;
    const activation = ACTIVATION_CODES[g.activation];
    const image = paddedImage(g);
    const rows = buffers.rows ?? { begin: 0, end: g.outH };
    const firstPixel = rows.begin * g.outW;
    const endPixel = Math.min(rows.end, g.outH) * g.outW;
    const inPlace = gemmReadsInputInPlace(g) && !buffers.inputPadded;
    // A band of filters (one group; begins on a panel, a multiple of 8): its weight panels,
    // bias and output columns (NHWC) or planes (NCHW) only.
    const filters = buffers.filters ?? { begin: 0, end: filtersPerGroup };
    const bandFilters = filters.end - filters.begin;
    const bandWeights = filters.begin * depth * 4;
    for (let n = 0; n < g.batch; n++) {
      const x = buffers.input + n * g.inChannels * pixels * 4;
      const padded = inPlace ? 0 : zeroBorderedImage(rt, g, image, buffers, n, buffers.scratch + pixelBlock(g) * depth * 4);
      for (let group = 0; group < g.groups; group++) {
        const weights = packedWeights + group * groupWeightBytes + bandWeights;
        const firstFilter = group * filtersPerGroup + filters.begin;
        const bias = buffers.bias === 0 ? 0 : buffers.bias + firstFilter * 4;
        for (let p0 = firstPixel; p0 < endPixel; p0 += block) {
          const count = Math.min(block, endPixel - p0);
          // The input operand of this block: read in place (its row stride in floats), or
          // packed into scratch (stride 0: a packed panel).
          let operand = buffers.scratch;
          let stride = 0;
          if (g.layout === 'NCHW') {
            if (inPlace && packsPlanes1x1(g)) {
              // The image as one row of `pixels` columns: each panel is 8 of them from every plane.
              k.packInputColumnsNCHW(x + group * g.channelsPerGroup * pixels * 4, pixels * 4, pixels * 4, g.channelsPerGroup, 1, 1, 1, 1, 1, 1, pixels, p0, count, operand);
            } else if (inPlace) {
              operand = x + (group * g.channelsPerGroup * pixels + p0) * 4;
              stride = pixels;
            } else {
              const planeBytes = image.height * image.width * 4;
              k.packInputColumnsNCHW(
                padded + group * g.channelsPerGroup * planeBytes, image.width * 4, planeBytes, g.channelsPerGroup,
                g.kernelH, g.kernelW, g.strideH, g.strideW, g.dilationH, g.dilationW, g.outW, p0, count, operand,
              );
            }
            const y = buffers.output + ((n * g.outChannels + firstFilter) * pixels + p0) * 4;
            k.gemm(bandFilters, count, depth, weights, operand, y, pixels, bias, 0, activation, g.alpha, 0, stride, 0);
          } else {
            if (inPlace) {
              operand = x + (p0 * g.inChannels + group * g.channelsPerGroup) * 4;
              stride = g.inChannels;
            } else {
              k.packInputRowsNHWC(
                padded + group * g.channelsPerGroup * 4, image.width * g.inChannels * 4, g.inChannels * 4, g.channelsPerGroup,
                g.kernelH, g.kernelW, g.strideH, g.strideW, g.dilationH, g.dilationW, g.outW, p0, count, operand,
              );
            }
            const y = buffers.output + ((n * pixels + p0) * g.outChannels + firstFilter) * 4;
            k.gemm(count, bandFilters, depth, operand, weights, y, g.outChannels, 0, bias, activation, g.alpha, stride, 0, inPlace ? buffers.scratch : 0);
          }
        }
      }
    }
  },
};
