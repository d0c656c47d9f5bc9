// Vector helpers shared by the tile kernels: the output pass and strided column loads.

import { applyActivation } from "./activation";

/** Stores the first `count` lanes of `v` (all four when count ≥ 4): the ragged edge of a tile. */
@inline export function storeLanes(ptr: usize, v: v128, count: i32): void {
  if (count >= 4) { v128.store(ptr, v); return; }
  if (count > 0) store<f32>(ptr, f32x4.extract_lane(v, 0));
  if (count > 1) store<f32>(ptr, f32x4.extract_lane(v, 1), 4);
  if (count > 2) store<f32>(ptr, f32x4.extract_lane(v, 2), 8);
}

/**
 * The output pass of an 8-wide tile row: adds the bias vectors, applies the activation and
 * stores the first `validCols` of the 8 values.
 */
@inline export function storeTileRow(
  ptr: usize, lo: v128, hi: v128, biasLo: v128, biasHi: v128, activation: i32, alpha: f32, validCols: i32,
): void {
  lo = applyActivation(f32x4.add(lo, biasLo), activation, alpha);
  hi = applyActivation(f32x4.add(hi, biasHi), activation, alpha);
  if (validCols >= 8) {
    v128.store(ptr, lo);
    v128.store(ptr, hi, 16);
  } else {
    storeLanes(ptr, lo, validCols);
    storeLanes(ptr + 16, hi, validCols - 4);
  }
}

/** The bias of one tile row broadcast to a vector: zero when there is no bias (`rowBias` 0). */
@inline export function rowBiasAt(rowBias: usize, row: i32): v128 {
  return rowBias != 0 ? v128.load32_splat(rowBias + (<usize>row << 2)) : f32x4.splat(0);
}

/** 4 consecutive output columns' inputs for one tap: contiguous at stride 1, gathered otherwise. */
@inline export function loadColumns(from: usize, strideW: i32): v128 {
  if (strideW == 1) return v128.load(from);
  if (strideW == 2) return v128.shuffle<f32>(v128.load(from), v128.load(from, 16), 0, 2, 4, 6);
  const step = <usize>strideW << 2;
  let v = f32x4.splat(load<f32>(from));
  v = f32x4.replace_lane(v, 1, load<f32>(from + step));
  v = f32x4.replace_lane(v, 2, load<f32>(from + 2 * step));
  return f32x4.replace_lane(v, 3, load<f32>(from + 3 * step));
}

/**
 * The bias of one tile row's 4 columns. The conv paths pass one bias, per row or per column, so
 * the sum of both is only formed when both are given: the 8 adds of a zero row bias per tile are
 * a tenth of the output pass. The same values: an accumulator is never −0 (it starts at +0), so
 * adding colBias or 0 + colBias gives the same sum.
 */
@inline export function tileBias(rowBias: usize, row: i32, colBias: usize, colBias4: v128): v128 {
  if (rowBias == 0) return colBias4;
  const bias = rowBiasAt(rowBias, row);
  return colBias != 0 ? f32x4.add(bias, colBias4) : bias;
}

/**
 * c + a·b per lane. The relaxed-SIMD build (ASC_FEATURE_RELAXED_SIMD, a compile-time constant)
 * fuses it into one FMA with a single rounding: 1.16–1.42× on the GEMM kernel alone, where the
 * 4×8 tile is bound by issuing its multiplies and adds. The SIMD128 build keeps mul, then add.
 * The depthwise kernels do not use it: they are bound by memory, and they compute filterImage,
 * whose bytes equal the reference's (FMA rounds some x.5 sums the other way, and keeps finite a
 * 3e38·w sum whose separate product overflows to the reference's ±Infinity).
 */
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}
