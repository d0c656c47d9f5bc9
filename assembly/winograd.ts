// Winograd F(4×4, 3×3) convolution kernels: 3×3 kernel, stride 1, dilation 1.
//
// A 4×4 block of output pixels (a tile) comes from a 6×6 patch d of the input (tiles step by 4).
// With g the 3×3 kernel and the interpolation points 0, ±1, ±2, ∞:
//   Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A          (⊙: element-wise over the 36 positions ξ)
// Summed over input channels, the element-wise products become 36 independent GEMMs
//   O[ξ][tile × m] = V[ξ][tile × c] · U[ξ][c × m]
// with V = Bᵀ d B (input transform) and U = G g Gᵀ (weights, transformed once).
//
// The caller (src/algorithms/winograd.ts) runs one block of tiles at a time through
//   winogradStage*  input rows → a zero-padded channels-last copy [row][col][Cp]
//   winogradInput   6×6 patches of the copy → V[ξ][tile][Cp]         (4 channels a vector)
//   winogradGemm    36 GEMMs, 4×8 register tile (4 tiles × 8 output channels)
//   winogradOutput  O[ξ][tile][Mp] → 4×4 pixels, + bias, activation, stored in NCHW or NHWC
// Cp / Mp: channels / filters per group rounded up to 4 / 8; padded lanes hold zeros.
// `tmp` is a 576-byte region of the caller's scratch (36 vectors), used between the two passes
// of each transform.

import { applyActivation } from "./activation";
import { madd, storeLanes } from "./vector";

// ---------------------------------------------------------------------------------------------
// Weights: U[ξ][Mp/8][Cp][8] = G g Gᵀ, computed in f64 and rounded once.
//   G = [  1/4,     0,    0 ]
//       [ -1/6,  -1/6, -1/6 ]
//       [ -1/6,   1/6, -1/6 ]
//       [ 1/24,  1/12,  1/6 ]
//       [ 1/24, -1/12,  1/6 ]
//       [    0,     0,    1 ]

@inline function gRow(a: i32, g0: f64, g1: f64, g2: f64): f64 {
  switch (a) {
    case 0: return g0 / 4;
    case 1: return -(g0 + g1 + g2) / 6;
    case 2: return -(g0 - g1 + g2) / 6;
    case 3: return g0 / 24 + g1 / 12 + g2 / 6;
    case 4: return g0 / 24 - g1 / 12 + g2 / 6;
    default: return g2;
  }
}

/**
 * Transforms `count` 3×3 filters of `channels` channels (addressed by element strides, so any
 * weight layout works) into U[ξ][Mp/8][Cp][8]. Lanes past count / channels are zero.
 */
export function winogradPackWeights(
  src: usize, count: i32, channels: i32,
  strideFilter: i32, strideChannel: i32, strideRow: i32, strideCol: i32,
  cp: i32, mp: i32, dst: usize,
): void {
  const xiBytes = <usize>cp * <usize>mp << 2;
  memory.fill(dst, 0, xiBytes * 36);
  const rowBytes = <usize>strideRow << 2;
  const colBytes = <usize>strideCol << 2;
  for (let f = 0; f < count; f++) {
    const panel = dst + ((<usize>(f >> 3) * <usize>cp * 8 + <usize>(f & 7)) << 2);
    for (let c = 0; c < channels; c++) {
      const p = src + (<usize>(f * strideFilter + c * strideChannel) << 2);
      const g00 = <f64>load<f32>(p), g01 = <f64>load<f32>(p + colBytes), g02 = <f64>load<f32>(p + 2 * colBytes);
      const q = p + rowBytes;
      const g10 = <f64>load<f32>(q), g11 = <f64>load<f32>(q + colBytes), g12 = <f64>load<f32>(q + 2 * colBytes);
      const r = q + rowBytes;
      const g20 = <f64>load<f32>(r), g21 = <f64>load<f32>(r + colBytes), g22 = <f64>load<f32>(r + 2 * colBytes);
      for (let a = 0; a < 6; a++) {
        // (G g)[a][j], then U[a][b] = Σj (G g)[a][j] G[b][j].
        const h0 = gRow(a, g00, g10, g20);
        const h1 = gRow(a, g01, g11, g21);
        const h2 = gRow(a, g02, g12, g22);
        for (let b = 0; b < 6; b++) {
          store<f32>(panel + <usize>(a * 6 + b) * xiBytes + (<usize>c << 5), <f32>gRow(b, h0, h1, h2));
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Staging: rows row0 + r·rowStep (r < rows) × columns col0 + j·colStep (j < cols) of one image
// and group, as [row][col][Cp] floats with zeros outside the image and past the group's
// channels. Steps above 1 gather one phase of a dilated convolution (see src/algorithms/winograd.ts).

/**
 * Channels-first source: `x` points at the group's first channel plane. Four channels × four
 * pixels are moved at a time with a 4×4 transpose.
 */
export function winogradStageNCHW(
  x: usize, height: i32, width: i32, channels: i32,
  row0: i32, rowStep: i32, rows: i32, col0: i32, colStep: i32, cols: i32, cp: i32, dst: usize,
): void {
  const plane = <usize>height * <usize>width << 2;
  const pixelBytes = <usize>cp << 2;
  const zero = f32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    const iy = row0 + r * rowStep;
    const rowDst = dst + <usize>r * <usize>cols * pixelBytes;
    if (iy < 0 || iy >= height) {
      memory.fill(rowDst, 0, <usize>cols * pixelBytes);
      continue;
    }
    for (let c = 0; c < cp; c += 4) {
      const src = x + <usize>c * plane + (<usize>iy * <usize>width << 2);
      const chDst = rowDst + (<usize>c << 2);
      const full = c + 4 <= channels;
      let j = 0;
      // Columns left of the image.
      for (; j < cols && col0 + j * colStep < 0; j++) v128.store(chDst + <usize>j * pixelBytes, zero);
      if (full && colStep == 1) {
        for (; j + 4 <= cols && col0 + j + 4 <= width; j += 4) {
          const p = src + (<usize>(col0 + j) << 2);
          const r0 = v128.load(p);
          const r1 = v128.load(p + plane);
          const r2 = v128.load(p + 2 * plane);
          const r3 = v128.load(p + 3 * plane);
          const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
          const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
          const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
          const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
          const d = chDst + <usize>j * pixelBytes;
          v128.store(d, v128.shuffle<i64>(t0, t2, 0, 2));
          v128.store(d + pixelBytes, v128.shuffle<i64>(t0, t2, 1, 3));
          v128.store(d + 2 * pixelBytes, v128.shuffle<i64>(t1, t3, 0, 2));
          v128.store(d + 3 * pixelBytes, v128.shuffle<i64>(t1, t3, 1, 3));
        }
      }
      // Remaining columns one pixel at a time (zeros past the image or the channels).
      for (; j < cols; j++) {
        const ix = col0 + j * colStep;
        let v = zero;
        if (ix < width) {
          const p = src + (<usize>ix << 2);
          v = f32x4.replace_lane(v, 0, load<f32>(p));
          if (c + 1 < channels) v = f32x4.replace_lane(v, 1, load<f32>(p + plane));
          if (c + 2 < channels) v = f32x4.replace_lane(v, 2, load<f32>(p + 2 * plane));
          if (c + 3 < channels) v = f32x4.replace_lane(v, 3, load<f32>(p + 3 * plane));
        }
        v128.store(chDst + <usize>j * pixelBytes, v);
      }
    }
  }
}

/**
 * Channels-last source: `x` points at the image's first pixel plus the group's channel offset;
 * `pixelStride` is the total channel count C.
 */
export function winogradStageNHWC(
  x: usize, height: i32, width: i32, channels: i32, pixelStride: i32,
  row0: i32, rowStep: i32, rows: i32, col0: i32, colStep: i32, cols: i32, cp: i32, dst: usize,
): void {
  const pixelBytes = <usize>cp << 2;
  const fullQuads = channels & ~3;
  const zero = f32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    const iy = row0 + r * rowStep;
    const rowDst = dst + <usize>r * <usize>cols * pixelBytes;
    if (iy < 0 || iy >= height) {
      memory.fill(rowDst, 0, <usize>cols * pixelBytes);
      continue;
    }
    for (let j = 0; j < cols; j++) {
      const ix = col0 + j * colStep;
      let d = rowDst + <usize>j * pixelBytes;
      if (ix < 0 || ix >= width) {
        memory.fill(d, 0, pixelBytes);
        continue;
      }
      let s = x + (<usize>(iy * width + ix) * <usize>pixelStride << 2);
      let c = 0;
      for (; c < fullQuads; c += 4) {
        v128.store(d, v128.load(s));
        d += 16;
        s += 16;
      }
      if (c < cp) {
        let v = zero;
        v = f32x4.replace_lane(v, 0, load<f32>(s));
        if (c + 1 < channels) v = f32x4.replace_lane(v, 1, load<f32>(s, 4));
        if (c + 2 < channels) v = f32x4.replace_lane(v, 2, load<f32>(s, 8));
        v128.store(d, v);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Input transform. Bᵀ = [ 4,  0, -5,  0, 1, 0 ]
//                       [ 0, -4, -4,  1, 1, 0 ]
//                       [ 0,  4, -4, -1, 1, 0 ]
//                       [ 0, -2, -1,  2, 1, 0 ]
//                       [ 0,  2, -1, -2, 1, 0 ]
//                       [ 0,  4,  0, -5, 0, 1 ]

/** Stores Bᵀ z (six vectors) at dst, dst + step, ..., dst + 5·step. */
@inline function inputTransform6(
  z0: v128, z1: v128, z2: v128, z3: v128, z4: v128, z5: v128, dst: usize, step: usize,
): void {
  const four = f32x4.splat(4);
  const two = f32x4.splat(2);
  const p = f32x4.sub(z4, f32x4.mul(four, z2));
  const q = f32x4.sub(z3, f32x4.mul(four, z1));
  const r = f32x4.sub(z4, z2);
  const s = f32x4.mul(two, f32x4.sub(z3, z1));
  v128.store(dst, f32x4.add(f32x4.mul(four, f32x4.sub(z0, z2)), r));
  v128.store(dst + step, f32x4.add(p, q));
  v128.store(dst + 2 * step, f32x4.sub(p, q));
  v128.store(dst + 3 * step, f32x4.add(r, s));
  v128.store(dst + 4 * step, f32x4.sub(r, s));
  v128.store(dst + 5 * step, f32x4.add(f32x4.mul(four, f32x4.sub(z1, z3)), f32x4.sub(z5, z3)));
}

/**
 * V[ξ][t][Cp] for the tiles of a block: tile rows [0, blockRows) × tile columns [0, blockCols)
 * of the staged copy (whose pixel (4·ty, 4·tx) is the corner of tile (ty, tx)); tile
 * t = ty·blockCols + tx. Rows t in [blockRows·blockCols, paddedTiles) are zeroed.
 */
export function winogradInput(
  stage: usize, stageCols: i32, cp: i32, blockRows: i32, blockCols: i32,
  v: usize, xiStride: i32, paddedTiles: i32, tmp: usize,
): void {
  const pixelBytes = <usize>cp << 2;
  const rowBytes = <usize>stageCols * pixelBytes;
  const xiBytes = <usize>xiStride;
  const tiles = blockRows * blockCols;
  for (let ty = 0; ty < blockRows; ty++) {
    for (let tx = 0; tx < blockCols; tx++) {
      const t = ty * blockCols + tx;
      const patch = stage + <usize>(4 * ty) * rowBytes + <usize>(4 * tx) * pixelBytes;
      const vTile = v + <usize>t * pixelBytes;
      for (let c = 0; c < cp; c += 4) {
        // Pass 1: along each patch row, Bᵀ over the six columns → tmp[row][ξx].
        let src = patch + (<usize>c << 2);
        for (let i = 0; i < 6; i++) {
          inputTransform6(
            v128.load(src), v128.load(src + pixelBytes), v128.load(src + 2 * pixelBytes),
            v128.load(src + 3 * pixelBytes), v128.load(src + 4 * pixelBytes), v128.load(src + 5 * pixelBytes),
            tmp + <usize>i * 96, 16,
          );
          src += rowBytes;
        }
        // Pass 2: down each column of tmp, Bᵀ over the six rows → V[ξy·6 + ξx].
        const out = vTile + (<usize>c << 2);
        for (let k = 0; k < 6; k++) {
          const col = tmp + (<usize>k << 4);
          inputTransform6(
            v128.load(col), v128.load(col, 96), v128.load(col, 192),
            v128.load(col, 288), v128.load(col, 384), v128.load(col, 480),
            out + <usize>k * xiBytes, 6 * xiBytes,
          );
        }
      }
    }
  }
  if (tiles < paddedTiles) {
    for (let xi = 0; xi < 36; xi++) {
      memory.fill(v + <usize>xi * xiBytes + <usize>tiles * pixelBytes, 0, <usize>(paddedTiles - tiles) * pixelBytes);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The 36 GEMMs: O[ξ][tiles × Mp] = V[ξ][tiles × Cp] · U[ξ][Cp × Mp]. Tiles are the rows (four a
// register tile, read in place from V with a row stride), filters the columns (U packed in
// 8-column panels [Cp][8]). 8 accumulators + 2 U vectors + 1 V splat + 1 product = 12 live v128.

export function winogradGemm(
  tiles: i32, mp: i32, cp: i32,
  v: usize, vXiStride: i32, u: usize, o: usize, oXiStride: i32, uFilters: i32,
): void {
  const zero = f32x4.splat(0);
  const aRowBytes = <usize>cp << 2;
  const oRowBytes = <usize>mp << 2;
  const uPanelBytes = <usize>cp << 5;
  // U holds uFilters filters per ξ; this call computes mp of them from `u` on (a filter band).
  const uXiBytes = <usize>cp * <usize>uFilters << 2;
  for (let xi = 0; xi < 36; xi++) {
    const vXi = v + <usize>xi * <usize>vXiStride;
    const uXi = u + <usize>xi * uXiBytes;
    const oXi = o + <usize>xi * <usize>oXiStride;
    for (let j0 = 0; j0 < mp; j0 += 8) {
      const bPanel = uXi + <usize>(j0 >> 3) * uPanelBytes;
      for (let i0 = 0; i0 < tiles; i0 += 4) {
        let a0 = vXi + <usize>i0 * aRowBytes;
        let a1 = a0 + aRowBytes;
        let a2 = a1 + aRowBytes;
        let a3 = a2 + aRowBytes;
        const aEnd = a1;
        let b = bPanel;
        let c00 = zero, c01 = zero, c10 = zero, c11 = zero;
        let c20 = zero, c21 = zero, c30 = zero, c31 = zero;
        while (a0 < aEnd) {
          const b0 = v128.load(b);
          const b1 = v128.load(b, 16);
          let av = v128.load32_splat(a0);
          c00 = madd(av, b0, c00);
          c01 = madd(av, b1, c01);
          av = v128.load32_splat(a1);
          c10 = madd(av, b0, c10);
          c11 = madd(av, b1, c11);
          av = v128.load32_splat(a2);
          c20 = madd(av, b0, c20);
          c21 = madd(av, b1, c21);
          av = v128.load32_splat(a3);
          c30 = madd(av, b0, c30);
          c31 = madd(av, b1, c31);
          a0 += 4;
          a1 += 4;
          a2 += 4;
          a3 += 4;
          b += 32;
        }
        let out = oXi + <usize>i0 * oRowBytes + (<usize>j0 << 2);
        v128.store(out, c00);
        v128.store(out, c01, 16);
        out += oRowBytes;
        v128.store(out, c10);
        v128.store(out, c11, 16);
        out += oRowBytes;
        v128.store(out, c20);
        v128.store(out, c21, 16);
        out += oRowBytes;
        v128.store(out, c30);
        v128.store(out, c31, 16);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Output transform. Aᵀ = [ 1, 1,  1, 1,  1, 0 ]
//                        [ 0, 1, -1, 2, -2, 0 ]
//                        [ 0, 1,  1, 4,  4, 0 ]
//                        [ 0, 1, -1, 8, -8, 1 ]

/** Stores Aᵀ m (four vectors) at dst, dst + step, dst + 2·step, dst + 3·step. */
@inline function outputTransform6(
  m0: v128, m1: v128, m2: v128, m3: v128, m4: v128, m5: v128, dst: usize, step: usize,
): void {
  const a = f32x4.add(m1, m2);
  const b = f32x4.sub(m1, m2);
  const c = f32x4.add(m3, m4);
  const d = f32x4.sub(m3, m4);
  v128.store(dst, f32x4.add(f32x4.add(m0, a), c));
  v128.store(dst + step, f32x4.add(b, f32x4.mul(f32x4.splat(2), d)));
  v128.store(dst + 2 * step, f32x4.add(a, f32x4.mul(f32x4.splat(4), c)));
  v128.store(dst + 3 * step, f32x4.add(f32x4.add(b, f32x4.mul(f32x4.splat(8), d)), m5));
}

/** Stores the first `count` lanes of `v` as pixels `pixelBytes` apart (4: contiguous). */
@inline function storePixels(ptr: usize, v: v128, count: i32, pixelBytes: usize): void {
  if (pixelBytes == 4) { storeLanes(ptr, v, count); return; }
  if (count > 0) store<f32>(ptr, f32x4.extract_lane(v, 0));
  if (count > 1) store<f32>(ptr + pixelBytes, f32x4.extract_lane(v, 1));
  if (count > 2) store<f32>(ptr + 2 * pixelBytes, f32x4.extract_lane(v, 2));
  if (count > 3) store<f32>(ptr + 3 * pixelBytes, f32x4.extract_lane(v, 3));
}

/**
 * Transforms O[ξ][t][Mp] of a block back to pixels, adds bias and applies the activation, and
 * writes the valid pixels and filters only. The block is tile rows [ty0, ty0 + blockRows) ×
 * tile columns [tx0, tx0 + blockCols) of the image, t = (ty − ty0)·blockCols + (tx − tx0).
 * outH × outW is the output grid the tiles cover; its pixel (oy, ox), filter m is written at
 * y + oy·rowBytes + ox·colBytes + m·filterBytes, where `y` points at filter 0 of the group in
 * this image (strides of the output, or of one phase of a dilated output).
 * `bias`: one float per filter of the group (readable 3 past `filters`), or 0.
 */
export function winogradOutput(
  o: usize, xiStride: i32, mp: i32, filters: i32,
  ty0: i32, tx0: i32, blockRows: i32, blockCols: i32,
  outH: i32, outW: i32, channelsLast: bool, rowBytes: i32, colBytes: i32, filterBytes: i32,
  y: usize, bias: usize, activation: i32, alpha: f32, tmp: usize,
): void {
  const xiBytes = <usize>xiStride;
  const pixelBytes = <usize>colBytes;
  const zero = f32x4.splat(0);
  for (let by = 0; by < blockRows; by++) {
    const oy0 = (ty0 + by) * 4;
    const validRows = min(4, outH - oy0);
    for (let bx = 0; bx < blockCols; bx++) {
      const ox0 = (tx0 + bx) * 4;
      const validCols = min(4, outW - ox0);
      const t = by * blockCols + bx;
      const oTile = o + (<usize>(t * mp) << 2);
      for (let m = 0; m < filters; m += 4) {
        // Pass 1: down each of the six ξx columns, Aᵀ over ξy → tmp[r][ξx] (4 × 6 vectors).
        const src = oTile + (<usize>m << 2);
        for (let k = 0; k < 6; k++) {
          const col = src + <usize>k * xiBytes;
          outputTransform6(
            v128.load(col), v128.load(col + 6 * xiBytes), v128.load(col + 12 * xiBytes),
            v128.load(col + 18 * xiBytes), v128.load(col + 24 * xiBytes), v128.load(col + 30 * xiBytes),
            tmp + (<usize>k << 4), 96,
          );
        }
        // Pass 2: along each row, Aᵀ over ξx → four pixels, + bias, activation.
        const bv = bias != 0 ? v128.load(bias + (<usize>m << 2)) : zero;
        const lanes = filters - m;
        for (let r = 0; r < validRows; r++) {
          const row = tmp + <usize>r * 96;
          const m1 = v128.load(row, 16), m2 = v128.load(row, 32);
          const m3 = v128.load(row, 48), m4 = v128.load(row, 64);
          const a = f32x4.add(m1, m2);
          const b = f32x4.sub(m1, m2);
          const c = f32x4.add(m3, m4);
          const d = f32x4.sub(m3, m4);
          const p0 = applyActivation(f32x4.add(f32x4.add(f32x4.add(v128.load(row), a), c), bv), activation, alpha);
          const p1 = applyActivation(f32x4.add(f32x4.add(b, f32x4.mul(f32x4.splat(2), d)), bv), activation, alpha);
          const p2 = applyActivation(f32x4.add(f32x4.add(a, f32x4.mul(f32x4.splat(4), c)), bv), activation, alpha);
          const p3 = applyActivation(
            f32x4.add(f32x4.add(f32x4.add(b, f32x4.mul(f32x4.splat(8), d)), v128.load(row, 80)), bv), activation, alpha,
          );
          const oy = oy0 + r;
          const dst = y + <usize>oy * <usize>rowBytes + <usize>ox0 * pixelBytes + <usize>m * <usize>filterBytes;
          if (channelsLast) {
            storeLanes(dst, p0, lanes);
            if (validCols > 1) storeLanes(dst + pixelBytes, p1, lanes);
            if (validCols > 2) storeLanes(dst + 2 * pixelBytes, p2, lanes);
            if (validCols > 3) storeLanes(dst + 3 * pixelBytes, p3, lanes);
          } else {
            // (pixel, 4 filters) → (filter, 4 pixels): a 4×4 transpose, then row stores.
            const t0 = v128.shuffle<f32>(p0, p1, 0, 4, 1, 5);
            const t1 = v128.shuffle<f32>(p0, p1, 2, 6, 3, 7);
            const t2 = v128.shuffle<f32>(p2, p3, 0, 4, 1, 5);
            const t3 = v128.shuffle<f32>(p2, p3, 2, 6, 3, 7);
            const planeBytes = <usize>filterBytes;
            storePixels(dst, v128.shuffle<i64>(t0, t2, 0, 2), validCols, pixelBytes);
            if (lanes > 1) storePixels(dst + planeBytes, v128.shuffle<i64>(t0, t2, 1, 3), validCols, pixelBytes);
            if (lanes > 2) storePixels(dst + 2 * planeBytes, v128.shuffle<i64>(t1, t3, 0, 2), validCols, pixelBytes);
            if (lanes > 3) storePixels(dst + 3 * planeBytes, v128.shuffle<i64>(t1, t3, 1, 3), validCols, pixelBytes);
          }
        }
      }
    }
  }
}
