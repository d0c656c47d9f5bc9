// The one place that decides which algorithm computes a convolution. `options.algorithm`
// forces a path (tests run every path this way); 'auto' picks the fastest one that applies.

import type { ConvAlgorithm } from './algorithms/algorithm.js';
import { depthwiseConv } from './algorithms/depthwise.js';
import { directConv } from './algorithms/direct.js';
import { gemmConv } from './algorithms/gemm.js';
import type { Conv2dGeometry } from './shape.js';

/** Every path, by the name `options.algorithm` uses. */
export const CONV2D_ALGORITHMS: readonly ConvAlgorithm[] = [gemmConv, directConv, depthwiseConv];

/**
 * What 'auto' runs. Rules from side-by-side timings of the forced paths (bench/ and the issue
 * notes): the depthwise kernels beat a GEMM whose tile is mostly padding by 4–8×; with few input
 * channels per group the im2col copy costs as much as the GEMM, so the direct path wins there.
 */
function autoChoice(g: Conv2dGeometry): ConvAlgorithm {
  if (depthwiseConv.unsupported(g) === null) return depthwiseConv;
  if (g.channelsPerGroup <= 4) return directConv;
  return gemmConv;
}

export function chooseConv2dAlgorithm(geometry: Conv2dGeometry): ConvAlgorithm {
  if (geometry.algorithm === 'auto') return autoChoice(geometry);
  const forced = CONV2D_ALGORITHMS.find((algorithm) => algorithm.name === geometry.algorithm)!;
  const reason = forced.unsupported(geometry);
  if (reason !== null) throw new RangeError(`options.algorithm '${forced.name}' cannot compute this convolution: ${reason}`);
  return forced;
}
