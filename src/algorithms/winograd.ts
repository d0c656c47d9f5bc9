// Winograd F(4×4, 3×3): 3×3 kernels, stride 1 (any dilation, padding, groups, batch, layout).
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

/**
 * A dilated convolution (stride 1) splits into dilationH × dilationW independent dense ones:
 * output pixels whose row ≡ phaseRow (mod dilationH) and column ≡ phaseCol (mod dilationW) read
 * only input rows and columns of one residue class, with the kernel taps one step apart. This is
 * the output grid of one phase; phase (0, 0) is the largest.
 */
function phaseGrid(g: Conv2dGeometry, phaseRow: number, phaseCol: number): { outH: number; outW: number } {
  return { outH: Math.ceil((g.outH - phaseRow) / g.dilationH), outW: Math.ceil((g.outW - phaseCol) / g.dilationW) };
}

/** Blocks of tiles for the largest phase grid (the whole output when there is no dilation). */
function blockPlan(g: Conv2dGeometry): BlockPlan {
  const cp = channelsPadded(g);
  const mp = filtersPadded(g);
  const grid = phaseGrid(g, 0, 0);
  const tilesH = Math.ceil(grid.outH / 4);
  const tilesW = Math.ceil(grid.outW / 4);
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
  spreadsNonFinite: true,
  computesRowBands: true,
  computesFilterBands: true,
  /** Bands of whole 4-row tiles in every dilation phase. */
  bandAlign: (g) => 4 * g.dilationH,

  unsupported(g) {
    if (g.kernelH !== 3 || g.kernelW !== 3) return `Winograd F(4×4, 3×3) needs a 3×3 kernel, got ${g.kernelH}×${g.kernelW}`;
    if (g.strideH !== 1 || g.strideW !== 1) return `Winograd needs stride 1, got [${g.strideH}, ${g.strideW}]`;
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
    // Output strides in bytes: row, pixel, filter.
    const outRowBytes = (channelsLast ? g.outW * g.outChannels : g.outW) * 4;
    const outPixelBytes = (channelsLast ? g.outChannels : 1) * 4;
    const filterBytes = channelsLast ? 4 : outPlane * 4;
    const band = buffers.rows ?? { begin: 0, end: g.outH };
    // A filter band: its panels of U, its columns of O, its channels of the output and bias.
    const filterBand = buffers.filters ?? { begin: 0, end: filtersPerGroup };
    const bandFilters = filterBand.end - filterBand.begin;
    const bandMp = roundUp(bandFilters, 8);
    for (let n = 0; n < g.batch; n++) {
      for (let group = 0; group < g.groups; group++) {
        const weights = packedWeights + group * groupWeightBytes + (filterBand.begin >> 3) * cp * 32;
        const bias = buffers.bias === 0 ? 0 : buffers.bias + (group * filtersPerGroup + filterBand.begin) * 4;
        const x = channelsLast
          ? buffers.input + (n * inPlane * g.inChannels + group * g.channelsPerGroup) * 4
          : buffers.input + (n * g.inChannels + group * g.channelsPerGroup) * inPlane * 4;
        const yImage = filterBand.begin * filterBytes + (channelsLast
          ? buffers.output + (n * outPlane * g.outChannels + group * filtersPerGroup) * 4
          : buffers.output + (n * g.outChannels + group * filtersPerGroup) * outPlane * 4);
        for (let phaseRow = 0; phaseRow < Math.min(g.dilationH, g.outH); phaseRow++) {
          for (let phaseCol = 0; phaseCol < Math.min(g.dilationW, g.outW); phaseCol++) {
            const grid = phaseGrid(g, phaseRow, phaseCol);
            const tilesH = Math.ceil(grid.outH / 4);
            const tilesW = Math.ceil(grid.outW / 4);
            const y = yImage + phaseRow * outRowBytes + phaseCol * outPixelBytes;
            // A band of output rows is whole tile rows of every phase (bandAlign).
            const firstTile = Math.ceil(Math.max(0, band.begin - phaseRow) / g.dilationH / 4);
            const endTile = Math.min(tilesH, Math.ceil(Math.max(0, band.end - phaseRow) / g.dilationH / 4));
            for (let ty0 = firstTile; ty0 < endTile; ty0 += plan.rows) {
              const rows = Math.min(plan.rows, endTile - ty0);
              for (let tx0 = 0; tx0 < tilesW; tx0 += plan.cols) {
                const cols = Math.min(plan.cols, tilesW - tx0);
                const tiles = roundUp(rows * cols, 4);
                // Input row of the block's first staged row: phase offset, then dilation steps.
                const row0 = phaseRow - g.padTop + g.dilationH * 4 * ty0;
                const col0 = phaseCol - g.padLeft + g.dilationW * 4 * tx0;
                if (channelsLast) {
                  k.winogradStageNHWC(x, g.inH, g.inW, g.channelsPerGroup, g.inChannels,
                    row0, g.dilationH, 4 * rows + 2, col0, g.dilationW, 4 * cols + 2, cp, stage);
                } else {
                  k.winogradStageNCHW(x, g.inH, g.inW, g.channelsPerGroup,
                    row0, g.dilationH, 4 * rows + 2, col0, g.dilationW, 4 * cols + 2, cp, stage);
                }
                k.winogradInput(stage, 4 * cols + 2, cp, rows, cols, v, plan.vXiStride, tiles, tmp);
                k.winogradGemm(tiles, bandMp, cp, v, plan.vXiStride, weights, o, plan.oXiStride, mp);
                k.winogradOutput(
                  o, plan.oXiStride, bandMp, bandFilters, ty0, tx0, rows, cols, grid.outH, grid.outW, channelsLast,
                  outRowBytes * g.dilationH, outPixelBytes * g.dilationW, filterBytes, y, bias, activation, g.alpha, tmp,
                );
              }
            }
          }
        }
      }
    }
  },
};
