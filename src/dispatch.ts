// The one place that decides which algorithm computes a convolution. `options.algorithm`
// forces a path (tests run every path this way); 'auto' picks the fastest one that applies.

import type { ConvAlgorithm } from './algorithms/algorithm.js';
import { depthwiseConv } from './algorithms/depthwise.js';
import { directConv } from './algorithms/direct.js';
import { gemmConv, gemmReadsInputInPlace } from './algorithms/gemm.js';
import { winogradConv } from './algorithms/winograd.js';
import type { Conv2dGeometry } from './shape.js';

/** Every path, by the name `options.algorithm` uses. */
export const CONV2D_ALGORITHMS: readonly ConvAlgorithm[] = [gemmConv, directConv, depthwiseConv, winogradConv];

/**
 * Winograd (looser error bound, see README "Winograd") for 3×3 stride-1 layers with at least 8
 * channels and 8 filters per group and at least 4 output tiles (4×4 pixels each) per image.
 * Measured against gemm here: 1.4–8× faster on such layers in both layouts; slower (0.5–0.9×)
 * when an image has one tile, where the 4-tile register rows are mostly padding. Thinner layers
 * are faster with Winograd too but stay on the paths with the direct sum's accuracy.
 */
function winogradPays(g: Conv2dGeometry): boolean {
  const filtersPerGroup = g.outChannels / g.groups;
  const tilesPerImage = Math.ceil(g.outH / 4) * Math.ceil(g.outW / 4);
  return g.channelsPerGroup >= 8 && filtersPerGroup >= 8 && tilesPerImage >= 4;
}

/**
 * What 'auto' runs. Rules from side-by-side timings of the forced paths (bench/ and the issue
 * notes): the depthwise kernels beat a GEMM whose tile is mostly padding by 4–8×; Winograd does
 * 4× fewer multiplies on the 3×3 layers where it pays; in NHWC with a short reduction
 * (C/groups·kH·kW ≤ 64, e.g. the 3×3 RGB stem) the im2col copy costs as much as the GEMM and the
 * direct path wins, while with longer ones (the 7×7 stem) its in-place reads fall out of L1. In
 * NCHW the vector im2col is cheap enough that gemm wins on those shapes too, except stride-1
 * undilated layers with at most 16 filters per group (few tile rows share each im2col copy):
 * direct 1.10–1.48× there (3→16 @32², 1→4 @256², 1→8 @128², 4→16 @64², 1→16 5×5 @64²), both
 * builds, side by side; 0.93–1.16× from 24 filters on, 0.75–0.82× at stride 2. A 1×1 stride-1
 * unpadded layer has no im2col at all (gemm reads the input in place): gemm beats direct on those
 * by 5–30% at every depth (NHWC MobileNetV2 expansions 16→96…64→384, resident, side by side).
 */
function autoChoice(g: Conv2dGeometry): ConvAlgorithm {
  if (depthwiseConv.unsupported(g) === null) return depthwiseConv;
  if (winogradConv.unsupported(g) === null && winogradPays(g)) return winogradConv;
  const shortReduction = g.channelsPerGroup * g.kernelH * g.kernelW <= 64 && !gemmReadsInputInPlace(g);
  const fewFiltersUnstrided = g.outChannels / g.groups <= 16 && g.strideH === 1 && g.strideW === 1 && g.dilationH === 1 && g.dilationW === 1;
  if (shortReduction && (g.layout === 'NHWC' || fewFiltersUnstrided)) return directConv;
  return gemmConv;
}

export function chooseConv2dAlgorithm(geometry: Conv2dGeometry): ConvAlgorithm {
  if (geometry.algorithm === 'auto') return autoChoice(geometry);
  const forced = CONV2D_ALGORITHMS.find((algorithm) => algorithm.name === geometry.algorithm)!;
  const reason = forced.unsupported(geometry);
  if (reason !== null) throw new RangeError(`options.algorithm '${forced.name}' cannot compute this convolution: ${reason}`);
  return forced;
}
