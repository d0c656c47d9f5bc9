// The one place that decides which algorithm computes a convolution. `options.algorithm`
// forces a path (tests run every path this way); 'auto' picks the fastest one that applies.

import type { ConvAlgorithm } from './algorithms/algorithm.js';
import { gemmConv } from './algorithms/gemm.js';
import { winogradConv } from './algorithms/winograd.js';
import type { Conv2dGeometry } from './shape.js';

/** Every path, by the name `options.algorithm` uses. */
export const CONV2D_ALGORITHMS: readonly ConvAlgorithm[] = [gemmConv, winogradConv];

/**
 * Winograd beats packed GEMM once the 36 small GEMMs are big enough to keep the micro-kernel
 * busy and the transforms are amortised (measured, see README "Winograd").
 */
function winogradPays(g: Conv2dGeometry): boolean {
  const filtersPerGroup = g.outChannels / g.groups;
  const tiles = g.batch * Math.ceil(g.outH / 4) * Math.ceil(g.outW / 4);
  return g.channelsPerGroup >= 8 && filtersPerGroup >= 8 && tiles >= 4;
}

/** Specialised paths first, each with the shapes where it is the fastest: the first that applies wins. */
const AUTO_ORDER: ReadonlyArray<readonly [ConvAlgorithm, (geometry: Conv2dGeometry) => boolean]> = [
  [winogradConv, winogradPays],
  [gemmConv, () => true],
];

export function chooseConv2dAlgorithm(geometry: Conv2dGeometry): ConvAlgorithm {
  if (geometry.algorithm === 'auto') {
    const entry = AUTO_ORDER.find(([algorithm, pays]) => algorithm.unsupported(geometry) === null && pays(geometry));
    return entry?.[0] ?? gemmConv;
  }
  const forced = CONV2D_ALGORITHMS.find((algorithm) => algorithm.name === geometry.algorithm)!;
  const reason = forced.unsupported(geometry);
  if (reason !== null) throw new RangeError(`options.algorithm '${forced.name}' cannot compute this convolution: ${reason}`);
  return forced;
}
