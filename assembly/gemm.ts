// GEMM micro-kernel with a 4×8 register tile.
//
// C[rows × cols] = A[rows × depth] · B[depth × cols], then bias and activation, stored with a
// row stride. A is packed in panels of 4 rows ([depth][4] floats per panel), B in panels of
// 8 columns ([depth][8] floats per panel); both are zero-padded to whole panels, so the inner
// loop never branches. Either operand may instead be read in place, row-major (below). 8 accumulators + 2 B vectors + 1 A splat + 1 product = 12 live v128
// values: inside the ~15 xmm registers V8 gives WebAssembly (see shared design notes).

import { rowBiasAt, storeTileRow } from "./vector";

/**
 * rowBias / colBias: pointer to one float per row / per column, or 0 for none. colBias must be
 * readable up to the next multiple of 8 columns (callers pad it).
 *
 * aRowStride / bRowStride: 0 when that operand is packed; otherwise it is read in place,
 * row-major with that many floats per row (a 1×1 convolution's input needs no packing: NHWC
 * pixels are rows of A, NCHW channel planes are rows of B). An unpacked A repeats its last row
 * in a ragged tile; an unpacked B reads up to 8 floats past a ragged row (the next row, or the
 * 64 bytes of slack every input has).
 */
export function gemm4x8(
  rows: i32, cols: i32, depth: i32,
  a: usize, b: usize,
  out: usize, outRowStride: i32,
  rowBias: usize, colBias: usize,
  activation: i32, alpha: f32, aRowStride: i32, bRowStride: i32,
): void {
  // One copy of the loop per operand form, so the inner loop has no branch.
  if (aRowStride != 0) gemmTiles(rows, cols, depth, a, b, out, outRowStride, rowBias, colBias, activation, alpha, aRowStride, 0);
  else if (bRowStride != 0) gemmTiles(rows, cols, depth, a, b, out, outRowStride, rowBias, colBias, activation, alpha, 0, bRowStride);
  else gemmTiles(rows, cols, depth, a, b, out, outRowStride, rowBias, colBias, activation, alpha, 0, 0);
}

/**
 * In place, A's rows are read from rows × depth floats that a long reduction pushes out of L1
 * when every 8-column panel sweeps all of them (the packed order, B's panel held in L1): from
 * this depth on, the columns run inside each 4-row group instead, which keeps its 4 input rows in
 * L1 and writes every output row whole, in order. Measured side by side (NHWC 1×1, kernel alone):
 * 3–6% faster for K ≥ 64, 5–15% slower for K ≤ 24, even at K = 32.
 */
const ROWS_OUTER_MIN_DEPTH = 32;

@inline function gemmTiles(
  rows: i32, cols: i32, depth: i32,
  a: usize, b: usize,
  out: usize, outRowStride: i32,
  rowBias: usize, colBias: usize,
  activation: i32, alpha: f32, aRowStride: i32, bRowStride: i32,
): void {
  if (aRowStride != 0 && depth >= ROWS_OUTER_MIN_DEPTH) {
    for (let i0 = 0; i0 < rows; i0 += 4) {
      for (let j0 = 0; j0 < cols; j0 += 8) {
        gemmTile(i0, j0, rows, cols, depth, a, b, out, outRowStride, rowBias, colBias, activation, alpha, aRowStride, bRowStride);
      }
    }
  } else {
    for (let j0 = 0; j0 < cols; j0 += 8) {
      for (let i0 = 0; i0 < rows; i0 += 4) {
        gemmTile(i0, j0, rows, cols, depth, a, b, out, outRowStride, rowBias, colBias, activation, alpha, aRowStride, bRowStride);
      }
    }
  }
}

/** One 4×8 tile at (i0, j0): the reduction in registers, then bias, activation and the store. */
@inline function gemmTile(
  i0: i32, j0: i32,
  rows: i32, cols: i32, depth: i32,
  a: usize, b: usize,
  out: usize, outRowStride: i32,
  rowBias: usize, colBias: usize,
  activation: i32, alpha: f32, aRowStride: i32, bRowStride: i32,
): void {
  const zero = f32x4.splat(0);
  const aPanelBytes = <usize>depth << 4; // depth × 4 floats
  const bPanelBytes = <usize>depth << 5; // depth × 8 floats
  const aRowBytes = <usize>aRowStride << 2;
  const aStepBytes: usize = aRowStride != 0 ? 4 : 16; // from one reduction step to the next
  const bStepBytes: usize = bRowStride != 0 ? <usize>bRowStride << 2 : 32;
  const rowStrideBytes = <usize>outRowStride << 2;
  const validCols = cols - j0;
  let colBiasLo = zero, colBiasHi = zero;
  if (colBias != 0) {
    colBiasLo = v128.load(colBias + (<usize>j0 << 2));
    colBiasHi = v128.load(colBias + (<usize>j0 << 2), 16);
  }
  let bk = bRowStride != 0 ? b + (<usize>j0 << 2) : b + (<usize>(j0 >> 3)) * bPanelBytes;
  let c00 = zero, c01 = zero, c10 = zero, c11 = zero;
  let c20 = zero, c21 = zero, c30 = zero, c31 = zero;
  // Four rows of A: in place (a ragged tile repeats the last row; its results are not
  // stored), or the four lanes of a packed panel.
  let a0: usize, a1: usize, a2: usize, a3: usize;
  if (aRowStride != 0) {
    const last = rows - 1;
    a0 = a + <usize>i0 * aRowBytes;
    a1 = a + <usize>min(i0 + 1, last) * aRowBytes;
    a2 = a + <usize>min(i0 + 2, last) * aRowBytes;
    a3 = a + <usize>min(i0 + 3, last) * aRowBytes;
  } else {
    a0 = a + (<usize>(i0 >> 2)) * aPanelBytes;
    a1 = a0 + 4;
    a2 = a0 + 8;
    a3 = a0 + 12;
  }
  for (let k = 0; k < depth; k++) {
    const b0 = v128.load(bk);
    const b1 = v128.load(bk, 16);
    let av = v128.load32_splat(a0);
    c00 = f32x4.add(c00, f32x4.mul(av, b0));
    c01 = f32x4.add(c01, f32x4.mul(av, b1));
    av = v128.load32_splat(a1);
    c10 = f32x4.add(c10, f32x4.mul(av, b0));
    c11 = f32x4.add(c11, f32x4.mul(av, b1));
    av = v128.load32_splat(a2);
    c20 = f32x4.add(c20, f32x4.mul(av, b0));
    c21 = f32x4.add(c21, f32x4.mul(av, b1));
    av = v128.load32_splat(a3);
    c30 = f32x4.add(c30, f32x4.mul(av, b0));
    c31 = f32x4.add(c31, f32x4.mul(av, b1));
    a0 += aStepBytes;
    a1 += aStepBytes;
    a2 += aStepBytes;
    a3 += aStepBytes;
    bk += bStepBytes;
  }
  const validRows = rows - i0;
  let rowPtr = out + (<usize>i0) * rowStrideBytes + (<usize>j0 << 2);
  storeTileRow(rowPtr, c00, c01, tileBias(rowBias, i0, colBias, colBiasLo), tileBias(rowBias, i0, colBias, colBiasHi), activation, alpha, validCols);
  if (validRows > 1) {
    rowPtr += rowStrideBytes;
    storeTileRow(rowPtr, c10, c11, tileBias(rowBias, i0 + 1, colBias, colBiasLo), tileBias(rowBias, i0 + 1, colBias, colBiasHi), activation, alpha, validCols);
  }
  if (validRows > 2) {
    rowPtr += rowStrideBytes;
    storeTileRow(rowPtr, c20, c21, tileBias(rowBias, i0 + 2, colBias, colBiasLo), tileBias(rowBias, i0 + 2, colBias, colBiasHi), activation, alpha, validCols);
  }
  if (validRows > 3) {
    rowPtr += rowStrideBytes;
    storeTileRow(rowPtr, c30, c31, tileBias(rowBias, i0 + 3, colBias, colBiasLo), tileBias(rowBias, i0 + 3, colBias, colBiasHi), activation, alpha, validCols);
  }
}

/**
 * The bias of one tile row's 4 columns. The conv paths pass one bias, per row or per column, so
 * the sum of both is only formed when both are given: the 8 adds of a zero row bias per tile are
 * a tenth of the output pass. The same values: an accumulator is never −0 (it starts at +0), so
 * adding colBias or 0 + colBias gives the same sum.
 */
@inline function tileBias(rowBias: usize, row: i32, colBias: usize, colBias4: v128): v128 {
  if (rowBias == 0) return colBias4;
  const bias = rowBiasAt(rowBias, row);
  return colBias != 0 ? f32x4.add(bias, colBias4) : bias;
}
