// Packed GEMM micro-kernel with a 4×8 register tile.
//
// C[rows × cols] = A[rows × depth] · B[depth × cols], then bias and activation, stored with a
// row stride. A is packed in panels of 4 rows ([depth][4] floats per panel), B in panels of
// 8 columns ([depth][8] floats per panel); both are zero-padded to whole panels, so the inner
// loop never branches. 8 accumulators + 2 B vectors + 1 A splat + 1 product = 12 live v128
// values: inside the ~15 xmm registers V8 gives WebAssembly (see shared design notes).

import { rowBiasAt, storeTileRow } from "./vector";

/**
 * rowBias / colBias: pointer to one float per row / per column, or 0 for none. colBias must be
 * readable up to the next multiple of 8 columns (callers pad it).
 */
export function gemm4x8(
  rows: i32, cols: i32, depth: i32,
  packedA: usize, packedB: usize,
  out: usize, outRowStride: i32,
  rowBias: usize, colBias: usize,
  activation: i32, alpha: f32,
): void {
  const zero = f32x4.splat(0);
  const aPanelBytes = <usize>depth << 4; // depth × 4 floats
  const bPanelBytes = <usize>depth << 5; // depth × 8 floats
  const rowStrideBytes = <usize>outRowStride << 2;
  for (let j0 = 0; j0 < cols; j0 += 8) {
    const bPanel = packedB + (<usize>(j0 >> 3)) * bPanelBytes;
    const validCols = cols - j0;
    let colBiasLo = zero, colBiasHi = zero;
    if (colBias != 0) {
      colBiasLo = v128.load(colBias + (<usize>j0 << 2));
      colBiasHi = v128.load(colBias + (<usize>j0 << 2), 16);
    }
    for (let i0 = 0; i0 < rows; i0 += 4) {
      let a = packedA + (<usize>(i0 >> 2)) * aPanelBytes;
      let b = bPanel;
      let c00 = zero, c01 = zero, c10 = zero, c11 = zero;
      let c20 = zero, c21 = zero, c30 = zero, c31 = zero;
      for (let k = 0; k < depth; k++) {
        const b0 = v128.load(b);
        const b1 = v128.load(b, 16);
        let av = v128.load32_splat(a);
        c00 = f32x4.add(c00, f32x4.mul(av, b0));
        c01 = f32x4.add(c01, f32x4.mul(av, b1));
        av = v128.load32_splat(a, 4);
        c10 = f32x4.add(c10, f32x4.mul(av, b0));
        c11 = f32x4.add(c11, f32x4.mul(av, b1));
        av = v128.load32_splat(a, 8);
        c20 = f32x4.add(c20, f32x4.mul(av, b0));
        c21 = f32x4.add(c21, f32x4.mul(av, b1));
        av = v128.load32_splat(a, 12);
        c30 = f32x4.add(c30, f32x4.mul(av, b0));
        c31 = f32x4.add(c31, f32x4.mul(av, b1));
        a += 16;
        b += 32;
      }
      const validRows = rows - i0;
      let rowPtr = out + (<usize>i0) * rowStrideBytes + (<usize>j0 << 2);
      let bias = rowBiasAt(rowBias, i0);
      storeTileRow(rowPtr, c00, c01, f32x4.add(bias, colBiasLo), f32x4.add(bias, colBiasHi), activation, alpha, validCols);
      if (validRows > 1) {
        rowPtr += rowStrideBytes;
        bias = rowBiasAt(rowBias, i0 + 1);
        storeTileRow(rowPtr, c10, c11, f32x4.add(bias, colBiasLo), f32x4.add(bias, colBiasHi), activation, alpha, validCols);
      }
      if (validRows > 2) {
        rowPtr += rowStrideBytes;
        bias = rowBiasAt(rowBias, i0 + 2);
        storeTileRow(rowPtr, c20, c21, f32x4.add(bias, colBiasLo), f32x4.add(bias, colBiasHi), activation, alpha, validCols);
      }
      if (validRows > 3) {
        rowPtr += rowStrideBytes;
        bias = rowBiasAt(rowBias, i0 + 3);
        storeTileRow(rowPtr, c30, c31, f32x4.add(bias, colBiasLo), f32x4.add(bias, colBiasHi), activation, alpha, validCols);
      }
    }
  }
}
