// Winograd F(4×4, 3×3): 3×3 kernels, stride 1, dilation 1 (any padding, groups, batch, layout).
// Each 4×4 output tile costs 36 multiply-adds per (channel, filter) instead of 144. Per image and
// group, blocks of tiles run through four kernels (assembly/winograd.ts) while their data is
// still in cache: stage the input rows (zero-padded, channels-last), transform to V[ξ], 36 GEMMs
// against the weights transformed once at packing time (U[ξ]), transform back with bias and
// activation. Error: larger than the direct sum; see WINOGRAD_TOLERANCE in tests/helpers.ts.

import type { Conv2dFilter, Conv2dGeometry } from '../shape.js';
import { ACTIVATION_CODES, type ConvAlgorithm } from './algorithm.js';

const roundUp = (value: number, multiple: number): number => Math.ceil(value / multiple) * multiple;
/** Bytes before the staging area: the kernels' 576-byte transform temporary, rounded up. */
const TMP_BYTES = 1024;
/** Target bytes of one block's V and O (all 36 ξ), so that they stay in L2 next to U. */
const BLOCK_BYTES = 512 * 1024;
/** At least this many tiles a block: each block streams all of U once. */
const MIN_TILES = 16;
/** Skew added to the ξ stride of V and O so the 36 slices do not alias in the L1 cache sets. */
const XI_SKEW = 64;

const channelsPadded = (f: Conv2dFilter): number => roundUp(f.channelsPerGroup, 4);
const filtersPadded = (f: Conv2dFilter): number => roundUp(f.outChannels / f.groups, 8);

interface BlockPlan {
  tilesH: number;
  tilesW: number;
  /** Tile rows and tile columns of a (full) block. */
  rows: number;
  cols: number;
  /** Tiles of a full block rounded up to whole 4-tile register rows. */
  paddedTiles: number;
  vXiStride: number;
  oXiStride: number;
  stageBytes: number;
}

function blockPlan(g: Conv2dGeometry): BlockPlan {
  const cp = channelsPadded(g);
  const mp = filtersPadded(g);
  const tilesH = Math.ceil(g.outH / 4);
  const tilesW = Math.ceil(g.outW / 4);
  const target = Math.max(MIN_TILES, Math.floor(BLOCK_BYTES / (36 * 4 * (cp + mp)) / 4) * 4);
  let rows: number, cols: number;
  if (tilesW >= target) {
    // Wide image: a block is a run of tiles in one tile row.
    rows = 1;
    cols = Math.min(tilesW, roundUp(Math.ceil(tilesW / Math.ceil(tilesW / target)), 4));
  } else {
    // Narrow image: a block is a few whole tile rows.
    cols = tilesW;
    rows = Math.min(tilesH, Math.max(1, Math.floor(target / tilesW)));
  }
  const paddedTiles = roundUp(rows * cols, 4);
  return {
    tilesH, tilesW, rows, cols, paddedTiles,
    vXiStride: paddedTiles * cp * 4 + XI_SKEW,
    oXiStride: paddedTiles * mp * 4 + XI_SKEW,
    stageBytes: (4 * rows + 2) * (4 * cols + 2) * cp * 4,
  };
}

export const winogradConv: ConvAlgorithm = {
  name: 'winograd',

  unsupported(g) {
    if (g.kernelH !== 3 || g.kernelW !== 3) return `Winograd F(4×4, 3×3) needs a 3×3 kernel, got ${g.kernelH}×${g.kernelW}`;
    if (g.strideH !== 1 || g.strideW !== 1) return `Winograd needs stride 1, got [${g.strideH}, ${g.strideW}]`;
    if (g.dilationH !== 1 || g.dilationW !== 1) return `Winograd needs dilation 1, got [${g.dilationH}, ${g.dilationW}]`;
    return null;
  },

  packedWeightBytes(f) {
    return 36 * channelsPadded(f) * filtersPadded(f) * f.groups * 4;
  },

  packWeights(rt, f, source, packed) {
    const filtersPerGroup = f.outChannels / f.groups;
    const s = f.weightStrides;
    const groupBytes = 36 * channelsPadded(f) * filtersPadded(f) * 4;
    for (let group = 0; group < f.groups; group++) {
      rt.kernels.winogradPackWeights(
        source + group * filtersPerGroup * s.filter * 4, filtersPerGroup, f.channelsPerGroup,
        s.filter, s.channel, s.row, s.col, channelsPadded(f), filtersPadded(f), packed + group * groupBytes,
      );
    }
  },

  scratchBytes(g) {
    const plan = blockPlan(g);
    return TMP_BYTES + plan.stageBytes + 36 * (plan.vXiStride + plan.oXiStride);
  },

  run(rt, g, packedWeights, buffers) {
    const k = rt.kernels;
    const plan = blockPlan(g);
    const cp = channelsPadded(g);
    const mp = filtersPadded(g);
    const filtersPerGroup = g.outChannels / g.groups;
    const groupWeightBytes = 36 * cp * mp * 4;
    const activation = ACTIVATION_CODES[g.activation];
    const channelsLast = g.layout === 'NHWC';
    const inPlane = g.inH * g.inW;
    const outPlane = g.outH * g.outW;
    const tmp = buffers.scratch;
    const stage = tmp + TMP_BYTES;
    const v = stage + plan.stageBytes;
    const o = v + 36 * plan.vXiStride;
    for (let n = 0; n < g.batch; n++) {
      for (let group = 0; group < g.groups; group++) {
        const weights = packedWeights + group * groupWeightBytes;
        const bias = buffers.bias === 0 ? 0 : buffers.bias + group * filtersPerGroup * 4;
        const x = channelsLast
          ? buffers.input + (n * inPlane * g.inChannels + group * g.channelsPerGroup) * 4
          : buffers.input + (n * g.inChannels + group * g.channelsPerGroup) * inPlane * 4;
        const y = channelsLast
          ? buffers.output + (n * outPlane * g.outChannels + group * filtersPerGroup) * 4
          : buffers.output + (n * g.outChannels + group * filtersPerGroup) * outPlane * 4;
        for (let ty0 = 0; ty0 < plan.tilesH; ty0 += plan.rows) {
          const rows = Math.min(plan.rows, plan.tilesH - ty0);
          for (let tx0 = 0; tx0 < plan.tilesW; tx0 += plan.cols) {
            const cols = Math.min(plan.cols, plan.tilesW - tx0);
            const tiles = roundUp(rows * cols, 4);
            const row0 = 4 * ty0 - g.padTop;
            const col0 = 4 * tx0 - g.padLeft;
            if (channelsLast) {
              k.winogradStageNHWC(x, g.inH, g.inW, g.channelsPerGroup, g.inChannels, row0, 4 * rows + 2, col0, 4 * cols + 2, cp, stage);
            } else {
              k.winogradStageNCHW(x, g.inH, g.inW, g.channelsPerGroup, row0, 4 * rows + 2, col0, 4 * cols + 2, cp, stage);
            }
            k.winogradInput(stage, 4 * cols + 2, cp, rows, cols, v, plan.vXiStride, tiles, tmp);
            k.winogradGemm(tiles, mp, cp, v, plan.vXiStride, weights, o, plan.oXiStride);
            k.winogradOutput(
              o, plan.oXiStride, mp, filtersPerGroup, ty0, tx0, rows, cols,
              g.outH, g.outW, channelsLast, g.outChannels, y, bias, activation, tmp,
            );
          }
        }
      }
    }
  },
};
