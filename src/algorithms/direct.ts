// Direct path: an implicit GEMM over a zero-bordered copy of the input. Same packed weights and
// 4×8 register tile as the packed GEMM path, but the input operand is read in place through a
// table of tap offsets, so no K × pixels im2col matrix is built. Tiles run along output rows:
// 8 output columns (NCHW) or 4 output pixels (NHWC) of one row at a time.

import { ACTIVATION_CODES, type ConvAlgorithm } from './algorithm.js';
import { gemmConv } from './gemm.js';
import { paddedImage, zeroBorderedImage } from './padded-input.js';

export const directConv: ConvAlgorithm = {
  name: 'direct',
  paddedInput: paddedImage,
  computesRowBands: true,

  unsupported() {
    return null;
  },

  // The weight panels are exactly the packed GEMM's.
  packedWeightBytes: (f) => gemmConv.packedWeightBytes(f),
  packWeights: (rt, f, source, packed) => gemmConv.packWeights(rt, f, source, packed),

  scratchBytes(g) {
    return paddedImage(g).bytes + g.channelsPerGroup * g.kernelH * g.kernelW * 4;
  },

  run(rt, g, packedWeights, buffers) {
    const k = rt.kernels;
    const image = paddedImage(g);
    const offsets = buffers.scratch + image.bytes;
    const channels = g.inChannels;
    const depth = g.channelsPerGroup * g.kernelH * g.kernelW;
    const filtersPerGroup = g.outChannels / g.groups;
    const groupWeightBytes = gemmConv.packedWeightBytes(g) / g.groups;
    const activation = ACTIVATION_CODES[g.activation];
    const nchw = g.layout === 'NCHW';
    const outPixels = g.outH * g.outW;

    // Byte offset of each reduction step's tap from a window's origin, in packed-weight order.
    const table = new Int32Array(rt.memory.buffer, offsets, depth);
    let i = 0;
    if (nchw) {
      for (let c = 0; c < g.channelsPerGroup; c++)
        for (let kh = 0; kh < g.kernelH; kh++)
          for (let kw = 0; kw < g.kernelW; kw++)
            table[i++] = ((c * image.height + kh * g.dilationH) * image.width + kw * g.dilationW) * 4;
    } else {
      for (let kh = 0; kh < g.kernelH; kh++)
        for (let kw = 0; kw < g.kernelW; kw++)
          for (let c = 0; c < g.channelsPerGroup; c++)
            table[i++] = ((kh * g.dilationH * image.width + kw * g.dilationW) * channels + c) * 4;
    }

    const { begin, end } = buffers.rows ?? { begin: 0, end: g.outH };
    if (begin >= end) return;
    for (let n = 0; n < g.batch; n++) {
      const padded = zeroBorderedImage(rt, g, image, buffers, n, buffers.scratch);
      // Output rows [begin, end): their windows start `begin · strideH` rows down the image.
      const bandOrigin = padded + begin * g.strideH * image.width * (nchw ? 1 : channels) * 4;
      for (let group = 0; group < g.groups; group++) {
        const weights = packedWeights + group * groupWeightBytes;
        const bias = buffers.bias === 0 ? 0 : buffers.bias + group * filtersPerGroup * 4;
        if (nchw) {
          k.directNCHW4x8(
            filtersPerGroup, depth, weights, offsets,
            bandOrigin + group * g.channelsPerGroup * image.height * image.width * 4, image.width * 4, g.strideH, g.strideW,
            end - begin, g.outW, buffers.output + ((n * g.outChannels + group * filtersPerGroup) * outPixels + begin * g.outW) * 4,
            bias, activation, g.alpha, g.outH,
          );
        } else {
          k.directNHWC4x8(
            filtersPerGroup, depth, weights, offsets,
            bandOrigin + group * g.channelsPerGroup * 4, image.width * channels * 4, channels * 4, g.strideH, g.strideW,
            end - begin, g.outW, buffers.output + ((n * outPixels + begin * g.outW) * g.outChannels + group * filtersPerGroup) * 4,
            g.outChannels * 4, bias, activation, g.alpha,
          );
        }
      }
    }
  },
};
