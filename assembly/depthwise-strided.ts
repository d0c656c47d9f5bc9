// NCHW depthwise 3×3 at stride 2 in columns, read where the planes lie. Output columns o..o+3
// read source columns c0 + 0..8 (c0 = 2o - padLeft): three vector loads per kernel row, split by
// shuffles into the even taps, the odd taps and the even taps one further. Nothing is copied or
// transposed, where the four-channel path (depthwise-blocked.ts) spent half its time
// interleaving rows into 4-channel pixels and back. Lanes whose column lies outside the row are
// masked to +0, the value a zero-bordered copy holds, and every sum runs in the plane kernel's
// order (bias, then the taps row by row, left to right): the same bits as every other path.

import { ACT_NONE, ACT_RELU, ACT_RELU6, applyActivation } from "./activation";
import { storeLanes } from "./vector";

/**
 * blocked3x3NCHW's arguments at strideW 2 with at most one padded column each side (src/
 * algorithms/depthwise.ts chooses): output (oh, ow) reads source rows oh·strideH + 0..2 - padTop
 * (rows outside [0, rows) read as zeros) and columns 2·ow + 0..2 - padLeft. A vector reads up to
 * 10 floats past a row's end, inside the input's 64 readable bytes. `scratch` holds a zero row
 * of 2·outWidth + 16 floats. `weights` are NCHW-packed ([C][9]).
 */
export function stride2x3NCHW(
  src: usize, channels: i32, srcPlane: i32, srcRow: i32, rows: i32, cols: i32, padTop: i32, padLeft: i32,
  scratch: usize, strideH: i32, outHeight: i32, outWidth: i32,
  weights: usize, bias: usize, activation: i32, alpha: f32, y: usize, outPlane: i32, outRowPixels: i32,
): void {
  memory.fill(scratch, 0, <usize>(2 * outWidth + 16) << 2);
  // A literal activation per copy of the column loops, so that they have no branch.
  if (activation == ACT_NONE) stride2With(ACT_NONE, src, channels, srcPlane, srcRow, rows, cols, padTop, padLeft, scratch, strideH, outHeight, outWidth, weights, bias, alpha, y, outPlane, outRowPixels);
  else if (activation == ACT_RELU) stride2With(ACT_RELU, src, channels, srcPlane, srcRow, rows, cols, padTop, padLeft, scratch, strideH, outHeight, outWidth, weights, bias, alpha, y, outPlane, outRowPixels);
  else if (activation == ACT_RELU6) stride2With(ACT_RELU6, src, channels, srcPlane, srcRow, rows, cols, padTop, padLeft, scratch, strideH, outHeight, outWidth, weights, bias, alpha, y, outPlane, outRowPixels);
  else stride2With(activation, src, channels, srcPlane, srcRow, rows, cols, padTop, padLeft, scratch, strideH, outHeight, outWidth, weights, bias, alpha, y, outPlane, outRowPixels);
}

@inline function stride2With(
  activation: i32, src: usize, channels: i32, srcPlane: i32, srcRow: i32, rows: i32, cols: i32, padTop: i32, padLeft: i32,
  zeroRow: usize, strideH: i32, outHeight: i32, outWidth: i32,
  weights: usize, bias: usize, alpha: f32, y: usize, outPlane: i32, outRowPixels: i32,
): void {
  const rowBytes = <usize>srcRow << 2;
  // Output vectors [head, body) read only columns inside the row; the first (padLeft 1) and
  // those from `body` on are masked.
  const head = padLeft > 0 ? min(4, outWidth) : 0;
  let body = head;
  while (body + 4 <= outWidth && 2 * body - padLeft + 8 < cols) body += 4;
  for (let c = 0; c < channels; c++) {
    const w = weights + (<usize>(c * 9) << 2);
    const w0 = v128.load32_splat(w), w1 = v128.load32_splat(w, 4), w2 = v128.load32_splat(w, 8);
    const w3 = v128.load32_splat(w, 12), w4 = v128.load32_splat(w, 16), w5 = v128.load32_splat(w, 20);
    const w6 = v128.load32_splat(w, 24), w7 = v128.load32_splat(w, 28), w8 = v128.load32_splat(w, 32);
    const b = f32x4.splat(bias != 0 ? load<f32>(bias + (<usize>c << 2)) : 0);
    const plane = src + (<usize>c * <usize>srcPlane << 2);
    const out = y + (<usize>c * <usize>outPlane << 2);
    for (let oh = 0; oh < outHeight; oh++) {
      const top = oh * strideH - padTop;
      const r0 = top >= 0 && top < rows ? plane + <usize>top * rowBytes : zeroRow;
      const r1 = top + 1 >= 0 && top + 1 < rows ? plane + <usize>(top + 1) * rowBytes : zeroRow;
      const r2 = top + 2 >= 0 && top + 2 < rows ? plane + <usize>(top + 2) * rowBytes : zeroRow;
      const outRow = out + (<usize>(oh * outRowPixels) << 2);
      if (head > 0) maskedVector(0, r0, r1, r2, cols, padLeft, outWidth, b, w0, w1, w2, w3, w4, w5, w6, w7, w8, activation, alpha, outRow);
      // Source byte offset of output column o's first tap: 8·o - 4·padLeft.
      let at = (<usize>head << 3) - (<usize>padLeft << 2);
      let to = outRow + (<usize>head << 2);
      const end = outRow + (<usize>body << 2);
      while (to < end) {
        let acc = tapRow(b, r0 + at, false, b, b, b, w0, w1, w2);
        acc = tapRow(acc, r1 + at, false, b, b, b, w3, w4, w5);
        acc = tapRow(acc, r2 + at, false, b, b, b, w6, w7, w8);
        v128.store(to, applyActivation(acc, activation, alpha));
        at += 32;
        to += 16;
      }
      for (let o = body; o < outWidth; o += 4) {
        maskedVector(o, r0, r1, r2, cols, padLeft, outWidth, b, w0, w1, w2, w3, w4, w5, w6, w7, w8, activation, alpha, outRow);
      }
    }
  }
}

/**
 * acc + the three taps of one kernel row for four outputs whose first taps start at `from`. With
 * `masked` (a literal) each tap's lanes are and-ed with `first`, `second`, `third`: +0 where the
 * source column lies outside the row.
 */
@inline function tapRow(acc: v128, from: usize, masked: bool, first: v128, second: v128, third: v128, w0: v128, w1: v128, w2: v128): v128 {
  const lo = v128.load(from), hi = v128.load(from, 16), next = v128.load(from, 32);
  const even = v128.shuffle<f32>(lo, hi, 0, 2, 4, 6);
  const odd = v128.shuffle<f32>(lo, hi, 1, 3, 5, 7);
  const further = v128.shuffle<f32>(even, next, 1, 2, 3, 4);
  acc = f32x4.add(acc, f32x4.mul(masked ? v128.and(even, first) : even, w0));
  acc = f32x4.add(acc, f32x4.mul(masked ? v128.and(odd, second) : odd, w1));
  return f32x4.add(acc, f32x4.mul(masked ? v128.and(further, third) : further, w2));
}

/** Output columns o..o+3 (those below outWidth stored), each tap masked to the row's columns. */
@inline function maskedVector(
  o: i32, r0: usize, r1: usize, r2: usize, cols: i32, padLeft: i32, outWidth: i32, b: v128,
  w0: v128, w1: v128, w2: v128, w3: v128, w4: v128, w5: v128, w6: v128, w7: v128, w8: v128,
  activation: i32, alpha: f32, outRow: usize,
): void {
  const c0 = 2 * o - padLeft;
  const columns = i32x4.add(i32x4.splat(c0), i32x4(0, 2, 4, 6));
  const limit = i32x4.splat(cols);
  const zero = i32x4.splat(0);
  const one = i32x4.splat(1), two = i32x4.splat(2);
  const second = i32x4.add(columns, one), third = i32x4.add(columns, two);
  const m0 = v128.and(i32x4.ge_s(columns, zero), i32x4.lt_s(columns, limit));
  const m1 = v128.and(i32x4.ge_s(second, zero), i32x4.lt_s(second, limit));
  const m2 = v128.and(i32x4.ge_s(third, zero), i32x4.lt_s(third, limit));
  // Signed: column -1 is the 4 bytes before the row (read, then masked).
  const at = <usize>(<isize>c0 << 2);
  let acc = tapRow(b, r0 + at, true, m0, m1, m2, w0, w1, w2);
  acc = tapRow(acc, r1 + at, true, m0, m1, m2, w3, w4, w5);
  acc = tapRow(acc, r2 + at, true, m0, m1, m2, w6, w7, w8);
  storeLanes(outRow + (<usize>o << 2), applyActivation(acc, activation, alpha), outWidth - o);
}
