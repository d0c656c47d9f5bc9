// The one place that decides which algorithm computes a convolution. `options.algorithm`
// forces a path (tests run every path this way); 'auto' picks the fastest one that applies.

import type { ConvAlgorithm } from './algorithms/algorithm.js';
import { gemmConv } from './algorithms/gemm.js';
import { winogradConv } from './algorithms/winograd.js';
import type { Conv2dGeometry } from './shape.js';

/** Every path, by the name `options.algorithm` uses. */
export const CONV2D_ALGORITHMS: readonly ConvAlgorithm[] = [gemmConv, winogradConv];

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
