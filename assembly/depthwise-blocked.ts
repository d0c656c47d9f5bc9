// NCHW depthwise 3×3 four channels at a time. The plane kernel (depthwise.ts) vectorises along
// output columns, which leaves a strided or narrow plane short of whole vectors: a 7-wide row is
// two vectors with masked ends, and a stride-2 row needs its columns split by phase first. Here
// the rows of four planes are interleaved into zero-bordered rows of 4-channel pixels (a 4×4
// transpose per four columns), each output pixel is one vector summed as the NHWC walk sums it,
// with the nine weights in registers and every tap at a constant offset, and each output row is
// transposed back into its four planes.

import { ACT_NONE, ACT_RELU, ACT_RELU6, applyActivation } from "./activation";
import { storeLanes } from "./vector";

/** Bytes of one 4-channel pixel of the interleaved image. */
const PIXEL: usize = 16;

/**
 * depthwiseNCHW's arguments (src/algorithms/depthwise.ts chooses which runs) for a 3×3 window,
 * dilation 1, stride 1 or 2 in columns: output (oh, ow) reads padded rows oh·strideH + 0..2 and
 * columns ow·strideW + 0..2, where source row r, column c sits at padded (r + padTop, c + padLeft). Sums bias, then the taps row by row, left to
 * right, as the plane kernel does: the same bits. `weights` are NCHW-packed ([C][9]).
 */
export function blocked3x3NCHW(
  src: usize, channels: i32, srcPlane: i32, srcRow: i32, rows: i32, cols: i32, padTop: i32, padLeft: i32,
  scratch: usize, strideH: i32, strideW: i32, outHeight: i32, outWidth: i32,
  weights: usize, bias: usize, activation: i32, alpha: f32, y: usize, outPlane: i32, outRowPixels: i32,
): void {
  // A literal stride and activation per copy of the pixel loop, so that it has no branch.
  if (strideW == 1) {
    if (activation == ACT_NONE) blocked3x3With(1, ACT_NONE, src, channels, srcPlane, srcRow, rows, cols, padTop, padLeft, scratch, strideH, outHeight, outWidth, weights, bias, alpha, y, outPlane, outRowPixels);
    else if (activation == ACT_RELU) blocked3x3With(1, ACT_RELU, src, channels, srcPlane, srcRow, rows, cols, padTop, padLeft, scratch, strideH, outHeight, outWidth, weights, bias, alpha, y, outPlane, outRowPixels);
    else if (activation == ACT_RELU6) blocked3x3With(1, ACT_RELU6, src, channels, srcPlane, srcRow, rows, cols, padTop, padLeft, scratch, strideH, outHeight, outWidth, weights, bias, alpha, y, outPlane, outRowPixels);
    else blocked3x3With(1, activation, src, channels, srcPlane, srcRow, rows, cols, padTop, padLeft, scratch, strideH, outHeight, outWidth, weights, bias, alpha, y, outPlane, outRowPixels);
  } else {
    if (activation == ACT_NONE) blocked3x3With(2, ACT_NONE, src, channels, srcPlane, srcRow, rows, cols, padTop, padLeft, scratch, strideH, outHeight, outWidth, weights, bias, alpha, y, outPlane, outRowPixels);
    else if (activation == ACT_RELU) blocked3x3With(2, ACT_RELU, src, channels, srcPlane, srcRow, rows, cols, padTop, padLeft, scratch, strideH, outHeight, outWidth, weights, bias, alpha, y, outPlane, outRowPixels);
    else if (activation == ACT_RELU6) blocked3x3With(2, ACT_RELU6, src, channels, srcPlane, srcRow, rows, cols, padTop, padLeft, scratch, strideH, outHeight, outWidth, weights, bias, alpha, y, outPlane, outRowPixels);
    else blocked3x3With(2, activation, src, channels, srcPlane, srcRow, rows, cols, padTop, padLeft, scratch, strideH, outHeight, outWidth, weights, bias, alpha, y, outPlane, outRowPixels);
  }
}

@inline function blocked3x3With(
  strideW: i32, activation: i32,
  src: usize, channels: i32, srcPlane: i32, srcRow: i32, rows: i32, cols: i32, padTop: i32, padLeft: i32,
  scratch: usize, strideH: i32, outHeight: i32, outWidth: i32,
  weights: usize, bias: usize, alpha: f32, y: usize, outPlane: i32, outRowPixels: i32,
): void {
  const readRows = (outHeight - 1) * strideH + 3;
  const readCols = (outWidth - 1) * strideW + 3;
  const rowBytes = <usize>readCols * PIXEL;
  // Padded row p is interleaved into slot p % 3 when a window first needs it, so the rows an
  // output row reads are in L1 (a whole interleaved image, 4× the plane, was read from L2).
  // Then a zero row for the padding above and below, and one output row of pixels.
  const zeroRow = scratch + 3 * rowBytes;
  const rowBuffer = zeroRow + rowBytes;
  // Source rows and columns the windows reach. The slots' border columns stay zero: every row
  // written is written over the same interior columns.
  const copiedRows = max(0, min(rows, readRows - padTop));
  const copiedCols = max(0, min(cols, readCols - padLeft));
  memory.fill(scratch, 0, 4 * rowBytes);
  const step = <usize>strideW * PIXEL;
  const planeBytes = <usize>srcPlane << 2;
  const outPlaneBytes = <usize>outPlane << 2;
  for (let c0 = 0; c0 < channels; c0 += 4) {
    const lanes = min(4, channels - c0);
    // A short last block repeats its last plane in the missing lanes (never stored).
    const p0 = src + <usize>c0 * planeBytes;
    const p1 = src + <usize>min(c0 + 1, channels - 1) * planeBytes;
    const p2 = src + <usize>min(c0 + 2, channels - 1) * planeBytes;
    const p3 = src + <usize>min(c0 + 3, channels - 1) * planeBytes;
    // The padded row each slot holds for this block.
    let held0 = -1, held1 = -1, held2 = -1;
    const w = weights + (<usize>(c0 * 9) << 2);
    const w0 = tapVector(w, 0, lanes), w1 = tapVector(w, 1, lanes), w2 = tapVector(w, 2, lanes);
    const w3 = tapVector(w, 3, lanes), w4 = tapVector(w, 4, lanes), w5 = tapVector(w, 5, lanes);
    const w6 = tapVector(w, 6, lanes), w7 = tapVector(w, 7, lanes), w8 = tapVector(w, 8, lanes);
    const b = bias != 0 ? biasVector(bias + (<usize>c0 << 2), lanes) : f32x4.splat(0);
    const out0 = y + <usize>c0 * outPlaneBytes;
    for (let oh = 0; oh < outHeight; oh++) {
      let r0 = zeroRow, r1 = zeroRow, r2 = zeroRow;
      for (let kh = 0; kh < 3; kh++) {
        const padded = oh * strideH + kh;
        const real = padded - padTop;
        let at = zeroRow;
        if (real >= 0 && real < copiedRows) {
          const slot = padded % 3;
          at = scratch + <usize>slot * rowBytes;
          if ((slot == 0 ? held0 : slot == 1 ? held1 : held2) != padded) {
            const from = <usize>real * <usize>srcRow << 2;
            interleaveRow(p0 + from, p1 + from, p2 + from, p3 + from, copiedCols, at + <usize>padLeft * PIXEL);
            if (slot == 0) held0 = padded;
            else if (slot == 1) held1 = padded;
            else held2 = padded;
          }
        }
        if (kh == 0) r0 = at;
        else if (kh == 1) r1 = at;
        else r2 = at;
      }
      let to = rowBuffer;
      const end = rowBuffer + <usize>outWidth * PIXEL;
      while (to < end) {
        let acc = f32x4.add(b, f32x4.mul(v128.load(r0), w0));
        acc = f32x4.add(acc, f32x4.mul(v128.load(r0, 16), w1));
        acc = f32x4.add(acc, f32x4.mul(v128.load(r0, 32), w2));
        acc = f32x4.add(acc, f32x4.mul(v128.load(r1), w3));
        acc = f32x4.add(acc, f32x4.mul(v128.load(r1, 16), w4));
        acc = f32x4.add(acc, f32x4.mul(v128.load(r1, 32), w5));
        acc = f32x4.add(acc, f32x4.mul(v128.load(r2), w6));
        acc = f32x4.add(acc, f32x4.mul(v128.load(r2, 16), w7));
        acc = f32x4.add(acc, f32x4.mul(v128.load(r2, 32), w8));
        v128.store(to, applyActivation(acc, activation, alpha));
        r0 += step;
        r1 += step;
        r2 += step;
        to += PIXEL;
      }
      deinterleaveRow(rowBuffer, outWidth, lanes, out0 + (<usize>(oh * outRowPixels) << 2), outPlaneBytes);
    }
  }
}

/** Tap `tap` of four channels' [9] weights (lanes past `lanes` zero). */
@inline function tapVector(w: usize, tap: i32, lanes: i32): v128 {
  const at = w + (<usize>tap << 2);
  let v = f32x4.splat(load<f32>(at));
  if (lanes > 1) v = f32x4.replace_lane(v, 1, load<f32>(at, 36));
  if (lanes > 2) v = f32x4.replace_lane(v, 2, load<f32>(at, 72));
  if (lanes > 3) v = f32x4.replace_lane(v, 3, load<f32>(at, 108));
  return v;
}

@inline function biasVector(at: usize, lanes: i32): v128 {
  let v = f32x4.splat(load<f32>(at));
  if (lanes > 1) v = f32x4.replace_lane(v, 1, load<f32>(at, 4));
  if (lanes > 2) v = f32x4.replace_lane(v, 2, load<f32>(at, 8));
  if (lanes > 3) v = f32x4.replace_lane(v, 3, load<f32>(at, 12));
  return v;
}

/** `count` columns of four source rows into `count` 4-channel pixels at `to`. */
@inline function interleaveRow(s0: usize, s1: usize, s2: usize, s3: usize, count: i32, to: usize): void {
  let j = 0;
  for (; j + 4 <= count; j += 4) {
    const at = <usize>j << 2;
    transposeStore(v128.load(s0 + at), v128.load(s1 + at), v128.load(s2 + at), v128.load(s3 + at), to + <usize>j * PIXEL, PIXEL, 4, 4);
  }
  if (j == count) return;
  if (count >= 4) {
    // The last four columns again, overlapping the ones before (the same values rewritten).
    const at = <usize>(count - 4) << 2;
    transposeStore(v128.load(s0 + at), v128.load(s1 + at), v128.load(s2 + at), v128.load(s3 + at), to + <usize>(count - 4) * PIXEL, PIXEL, 4, 4);
    return;
  }
  for (; j < count; j++) {
    const at = <usize>j << 2;
    let v = f32x4.splat(load<f32>(s0 + at));
    v = f32x4.replace_lane(v, 1, load<f32>(s1 + at));
    v = f32x4.replace_lane(v, 2, load<f32>(s2 + at));
    v = f32x4.replace_lane(v, 3, load<f32>(s3 + at));
    v128.store(to + <usize>j * PIXEL, v);
  }
}

/** `count` 4-channel pixels at `from` into the first `lanes` of four output rows `planeBytes` apart. */
@inline function deinterleaveRow(from: usize, count: i32, lanes: i32, to: usize, planeBytes: usize): void {
  // The row buffer holds whole groups of four pixels (the last one's extra pixels unused).
  for (let j = 0; j < count; j += 4) {
    const at = from + <usize>j * PIXEL;
    transposeStore(v128.load(at), v128.load(at, 16), v128.load(at, 32), v128.load(at, 48), to + (<usize>j << 2), planeBytes, min(4, count - j), lanes);
  }
}

/**
 * The 4×4 transpose of rows a, b, c, d: output row i (lane i of each) to `to + i·stride`, its
 * first `count` lanes, for i < `rows`.
 */
@inline function transposeStore(a: v128, b: v128, c: v128, d: v128, to: usize, stride: usize, count: i32, rows: i32): void {
  const ab01 = v128.shuffle<f32>(a, b, 0, 4, 1, 5);
  const cd01 = v128.shuffle<f32>(c, d, 0, 4, 1, 5);
  const ab23 = v128.shuffle<f32>(a, b, 2, 6, 3, 7);
  const cd23 = v128.shuffle<f32>(c, d, 2, 6, 3, 7);
  storeLanes(to, v128.shuffle<f32>(ab01, cd01, 0, 1, 4, 5), count);
  if (rows > 1) storeLanes(to + stride, v128.shuffle<f32>(ab01, cd01, 2, 3, 6, 7), count);
  if (rows > 2) storeLanes(to + 2 * stride, v128.shuffle<f32>(ab23, cd23, 0, 1, 4, 5), count);
  if (rows > 3) storeLanes(to + 3 * stride, v128.shuffle<f32>(ab23, cd23, 2, 3, 6, 7), count);
}
