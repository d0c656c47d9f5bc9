// The one place that decides which algorithm computes a convolution. `options.algorithm`
// forces a path (tests run every path this way); 'auto' picks the fastest one that applies.

import type { ConvAlgorithm } from './algorithms/algorithm.js';
import { depthwiseConv } from './algorithms/depthwise.js';
import { gemmConv } from './algorithms/gemm.js';
import type { Conv2dGeometry } from './shape.js';

/** Every path, by the name `options.algorithm` uses. */
export const CONV2D_ALGORITHMS: readonly ConvAlgorithm[] = [gemmConv, depthwiseConv];

/** Specialised paths first: the first one that applies to a shape wins. */
const AUTO_ORDER: readonly ConvAlgorithm[] = [depthwiseConv, gemmConv];

export function chooseConv2dAlgorithm(geometry: Conv2dGeometry): ConvAlgorithm {
  if (geometry.algorithm === 'auto') {
    return AUTO_ORDER.find((algorithm) => algorithm.unsupported(geometry) === null) ?? gemmConv;
  }
  const forced = CONV2D_ALGORITHMS.find((algorithm) => algorithm.name === geometry.algorithm)!;
  const reason = forced.unsupported(geometry);
  if (reason !== null) throw new RangeError(`options.algorithm '${forced.name}' cannot compute this convolution: ${reason}`);
  return forced;
}
