// Direct convolution as an implicit GEMM: the 4×8 register tile of the gemm kernels, with one operand
// read straight from a zero-bordered copy of the input instead of an im2col panel. For reduction
// step k the caller's offset table gives the byte offset of tap k = (c, kh, kw) (NCHW) or
// (kh, kw, c) (NHWC) relative to a window's origin, so there are no bounds checks and no copy
// of the K × pixels matrix.

import { ACT_NONE, ACT_RELU, ACT_RELU6 } from "./activation";
import { loadColumns, madd, rowBiasAt, storeTileRow } from "./vector";

/** Reductions shorter than this run a copy of the kernel specialised to their activation. */
const SPECIALISED_MAX_DEPTH: i32 = 32;

/**
 * NCHW, one image and group: rows of the tile are 4 filters (A: packed weight panels
 * [depth][4]), columns are 8 output pixels of one output row read from `padded` (the group's
 * channel planes, zero-bordered, `rowBytes` apart).
 */
export function directNCHW4x8(
  filters: i32, depth: i32, packedA: usize, offsets: usize,
  padded: usize, rowBytes: i32, strideH: i32, strideW: i32,
  outHeight: i32, outWidth: i32, out: usize, rowBias: usize, activation: i32, alpha: f32, planeRows: i32,
): void {
  // Short reductions (an RGB stem: 27) get one copy per common activation, as the GEMM's do.
  if (depth >= SPECIALISED_MAX_DEPTH) directNCHW4x8Stride(filters, depth, packedA, offsets, padded, rowBytes, strideH, strideW, outHeight, outWidth, out, rowBias, activation, alpha, planeRows);
  else if (activation == ACT_NONE) directNCHW4x8Stride(filters, depth, packedA, offsets, padded, rowBytes, strideH, strideW, outHeight, outWidth, out, rowBias, ACT_NONE, alpha, planeRows);
  else if (activation == ACT_RELU) directNCHW4x8Stride(filters, depth, packedA, offsets, padded, rowBytes, strideH, strideW, outHeight, outWidth, out, rowBias, ACT_RELU, alpha, planeRows);
  else if (activation == ACT_RELU6) directNCHW4x8Stride(filters, depth, packedA, offsets, padded, rowBytes, strideH, strideW, outHeight, outWidth, out, rowBias, ACT_RELU6, alpha, planeRows);
  else directNCHW4x8Stride(filters, depth, packedA, offsets, padded, rowBytes, strideH, strideW, outHeight, outWidth, out, rowBias, activation, alpha, planeRows);
}

@inline function directNCHW4x8Stride(
  filters: i32, depth: i32, packedA: usize, offsets: usize,
  padded: usize, rowBytes: i32, strideH: i32, strideW: i32,
  outHeight: i32, outWidth: i32, out: usize, rowBias: usize, activation: i32, alpha: f32, planeRows: i32,
): void {
  // A constant stride per copy of the loop: the column loads then compile without a branch.
  if (strideW == 1) directNCHW4x8Strided(filters, depth, packedA, offsets, padded, rowBytes, strideH, 1, outHeight, outWidth, out, rowBias, activation, alpha, planeRows);
  else if (strideW == 2) directNCHW4x8Strided(filters, depth, packedA, offsets, padded, rowBytes, strideH, 2, outHeight, outWidth, out, rowBias, activation, alpha, planeRows);
  else directNCHW4x8Strided(filters, depth, packedA, offsets, padded, rowBytes, strideH, strideW, outHeight, outWidth, out, rowBias, activation, alpha, planeRows);
}

@inline function directNCHW4x8Strided(
  filters: i32, depth: i32, packedA: usize, offsets: usize,
  padded: usize, rowBytes: i32, strideH: i32, strideW: i32,
  outHeight: i32, outWidth: i32, out: usize, rowBias: usize, activation: i32, alpha: f32, planeRows: i32,
): void {
  const zero = f32x4.splat(0);
  const aPanelBytes = <usize>depth << 4;
  const offsetsEnd = offsets + (<usize>depth << 2);
  const planeBytes = (<usize>(planeRows * outWidth)) << 2; // filters' output planes: whole images
  const columnStep = <usize>strideW << 4; // 4 output columns further along the input row
  for (let oh = 0; oh < outHeight; oh++) {
    const rowOrigin = padded + <usize>(oh * strideH) * <usize>rowBytes;
    for (let ow = 0; ow < outWidth; ow += 8) {
      const origin = rowOrigin + (<usize>(ow * strideW) << 2);
      const validCols = outWidth - ow;
      const outBase = out + ((<usize>(oh * outWidth + ow)) << 2);
      for (let i0 = 0; i0 < filters; i0 += 4) {
        let a = packedA + <usize>(i0 >> 2) * aPanelBytes;
        let c00 = zero, c01 = zero, c10 = zero, c11 = zero;
        let c20 = zero, c21 = zero, c30 = zero, c31 = zero;
        for (let offset = offsets; offset < offsetsEnd; offset += 4) {
          const from = origin + <usize>load<i32>(offset);
          const b0 = loadColumns(from, strideW);
          const b1 = loadColumns(from + columnStep, strideW);
          let av = v128.load32_splat(a);
          c00 = madd(av, b0, c00);
          c01 = madd(av, b1, c01);
          av = v128.load32_splat(a, 4);
          c10 = madd(av, b0, c10);
          c11 = madd(av, b1, c11);
          av = v128.load32_splat(a, 8);
          c20 = madd(av, b0, c20);
          c21 = madd(av, b1, c21);
          av = v128.load32_splat(a, 12);
          c30 = madd(av, b0, c30);
          c31 = madd(av, b1, c31);
          a += 16;
        }
        const validRows = filters - i0;
        let ptr = outBase + <usize>i0 * planeBytes;
        let bias = rowBiasAt(rowBias, i0);
        storeTileRow(ptr, c00, c01, bias, bias, activation, alpha, validCols);
        if (validRows > 1) {
          ptr += planeBytes;
          bias = rowBiasAt(rowBias, i0 + 1);
          storeTileRow(ptr, c10, c11, bias, bias, activation, alpha, validCols);
        }
        if (validRows > 2) {
          ptr += planeBytes;
          bias = rowBiasAt(rowBias, i0 + 2);
          storeTileRow(ptr, c20, c21, bias, bias, activation, alpha, validCols);
        }
        if (validRows > 3) {
          ptr += planeBytes;
          bias = rowBiasAt(rowBias, i0 + 3);
          storeTileRow(ptr, c30, c31, bias, bias, activation, alpha, validCols);
        }
      }
    }
  }
}

/**
 * NHWC, one image and group: rows of the tile are 4 output pixels of one output row (splats
 * read from `padded`, the zero-bordered image, `rowBytes` apart with `pixelBytes` per pixel),
 * columns are 8 filters (B: packed weight panels [depth][8]). Output pixels are
 * `outPixelBytes` apart (M floats).
 */
export function directNHWC4x8(
  filters: i32, depth: i32, packedB: usize, offsets: usize,
  padded: usize, rowBytes: i32, pixelBytes: i32, strideH: i32, strideW: i32,
  outHeight: i32, outWidth: i32, out: usize, outPixelBytes: i32, colBias: usize, activation: i32, alpha: f32,
): void {
  // Short reductions (an RGB stem: 27) get one copy per common activation, as the GEMM's do.
  if (depth >= SPECIALISED_MAX_DEPTH) directNHWC4x8With(filters, depth, packedB, offsets, padded, rowBytes, pixelBytes, strideH, strideW, outHeight, outWidth, out, outPixelBytes, colBias, activation, alpha);
  else if (activation == ACT_NONE) directNHWC4x8With(filters, depth, packedB, offsets, padded, rowBytes, pixelBytes, strideH, strideW, outHeight, outWidth, out, outPixelBytes, colBias, ACT_NONE, alpha);
  else if (activation == ACT_RELU) directNHWC4x8With(filters, depth, packedB, offsets, padded, rowBytes, pixelBytes, strideH, strideW, outHeight, outWidth, out, outPixelBytes, colBias, ACT_RELU, alpha);
  else if (activation == ACT_RELU6) directNHWC4x8With(filters, depth, packedB, offsets, padded, rowBytes, pixelBytes, strideH, strideW, outHeight, outWidth, out, outPixelBytes, colBias, ACT_RELU6, alpha);
  else directNHWC4x8With(filters, depth, packedB, offsets, padded, rowBytes, pixelBytes, strideH, strideW, outHeight, outWidth, out, outPixelBytes, colBias, activation, alpha);
}

@inline function directNHWC4x8With(
  filters: i32, depth: i32, packedB: usize, offsets: usize,
  padded: usize, rowBytes: i32, pixelBytes: i32, strideH: i32, strideW: i32,
  outHeight: i32, outWidth: i32, out: usize, outPixelBytes: i32, colBias: usize, activation: i32, alpha: f32,
): void {
  const zero = f32x4.splat(0);
  const bPanelBytes = <usize>depth << 5;
  const offsetsEnd = offsets + (<usize>depth << 2);
  const pixelStep = <usize>(strideW * pixelBytes); // next output pixel's window origin
  for (let oh = 0; oh < outHeight; oh++) {
    const rowOrigin = padded + <usize>(oh * strideH) * <usize>rowBytes;
    for (let ow = 0; ow < outWidth; ow += 4) {
      const origin = rowOrigin + <usize>ow * pixelStep;
      const validRows = outWidth - ow;
      const outBase = out + <usize>(oh * outWidth + ow) * <usize>outPixelBytes;
      for (let j0 = 0; j0 < filters; j0 += 8) {
        let b = packedB + <usize>(j0 >> 3) * bPanelBytes;
        let c00 = zero, c01 = zero, c10 = zero, c11 = zero;
        let c20 = zero, c21 = zero, c30 = zero, c31 = zero;
        // Counted by the offset pointer: one add fewer per step than a separate k.
        for (let offset = offsets; offset < offsetsEnd; offset += 4) {
          const from = origin + <usize>load<i32>(offset);
          const b0 = v128.load(b);
          const b1 = v128.load(b, 16);
          let av = v128.load32_splat(from);
          c00 = madd(av, b0, c00);
          c01 = madd(av, b1, c01);
          av = v128.load32_splat(from + pixelStep);
          c10 = madd(av, b0, c10);
          c11 = madd(av, b1, c11);
          av = v128.load32_splat(from + 2 * pixelStep);
          c20 = madd(av, b0, c20);
          c21 = madd(av, b1, c21);
          av = v128.load32_splat(from + 3 * pixelStep);
          c30 = madd(av, b0, c30);
          c31 = madd(av, b1, c31);
          b += 32;
        }
        const validCols = filters - j0;
        let bias = zero, biasHi = zero;
        if (colBias != 0) {
          bias = v128.load(colBias + (<usize>j0 << 2));
          biasHi = v128.load(colBias + (<usize>j0 << 2), 16);
        }
        let ptr = outBase + (<usize>j0 << 2);
        storeTileRow(ptr, c00, c01, bias, biasHi, activation, alpha, validCols);
        if (validRows > 1) {
          ptr += <usize>outPixelBytes;
          storeTileRow(ptr, c10, c11, bias, biasHi, activation, alpha, validCols);
        }
        if (validRows > 2) {
          ptr += <usize>outPixelBytes;
          storeTileRow(ptr, c20, c21, bias, biasHi, activation, alpha, validCols);
        }
        if (validRows > 3) {
          ptr += <usize>outPixelBytes;
          storeTileRow(ptr, c30, c31, bias, biasHi, activation, alpha, validCols);
        }
      }
    }
  }
}
