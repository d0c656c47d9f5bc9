// Depthwise convolution (one filter per channel: groups = C = M), any kernel size, stride and
// dilation. A GEMM wastes most of its tile here (one filter row per group), so these kernels
// vectorise across what is contiguous instead: channels in NHWC, output columns in NCHW.

import { ACT_NONE, ACT_RELU, ACT_RELU6, applyActivation } from "./activation";
import { storeLanes } from "./vector";

/**
 * Packs depthwise weights so each tap is one load: NHWC `[kH·kW][C rounded up to 8]`,
 * NCHW `[C][kH·kW]`. The source is addressed by element strides (any weight layout).
 */
export function packDepthwiseWeights(
  src: usize, channels: i32, kernelH: i32, kernelW: i32,
  strideFilter: i32, strideRow: i32, strideCol: i32, channelsLast: bool, dst: usize,
): void {
  const taps = kernelH * kernelW;
  const paddedChannels = (channels + 7) & ~7;
  memory.fill(dst, 0, <usize>(paddedChannels * taps) << 2);
  for (let c = 0; c < channels; c++) {
    for (let kh = 0; kh < kernelH; kh++) {
      for (let kw = 0; kw < kernelW; kw++) {
        const tap = kh * kernelW + kw;
        const to = channelsLast ? tap * paddedChannels + c : c * taps + tap;
        store<f32>(dst + (<usize>to << 2), load<f32>(src + (<usize>(c * strideFilter + kh * strideRow + kw * strideCol) << 2)));
      }
    }
  }
}

/**
 * One NHWC output pixel, every channel, the window clipped to the image: the border case of
 * depthwiseNHWC. `khBegin..khEnd` are the kernel rows inside the image.
 */
@inline function depthwisePixelNHWC(
  x: usize, width: i32, channels: i32, kernelW: i32, dilationH: i32, dilationW: i32,
  ih0: i32, iw0: i32, khBegin: i32, khEnd: i32, weights: usize, bias: usize, activation: i32, alpha: f32, out: usize,
): void {
  const pixelBytes = <usize>channels << 2;
  const tapBytes = <usize>((channels + 7) & ~7) << 2;
  let kwBegin = 0, kwEnd = kernelW;
  if (iw0 < 0) kwBegin = (-iw0 + dilationW - 1) / dilationW;
  if (iw0 + (kernelW - 1) * dilationW >= width) kwEnd = min(kernelW, (width - iw0 + dilationW - 1) / dilationW);
  for (let c = 0; c < channels; c += 4) {
    const cBytes = <usize>c << 2;
    let acc = bias != 0 ? v128.load(bias + cBytes) : f32x4.splat(0);
    for (let kh = khBegin; kh < khEnd; kh++) {
      const row = x + <usize>((ih0 + kh * dilationH) * width) * pixelBytes + cBytes;
      const wRow = weights + <usize>(kh * kernelW) * tapBytes + cBytes;
      for (let kw = kwBegin; kw < kwEnd; kw++) {
        acc = f32x4.add(acc, f32x4.mul(v128.load(row + <usize>(iw0 + kw * dilationW) * pixelBytes), v128.load(wRow + <usize>kw * tapBytes)));
      }
    }
    storeLanes(out + cBytes, applyActivation(acc, activation, alpha), channels - c);
  }
}

/**
 * NHWC, one image. 3×3 windows with dilationW 1 and strideW 1 or 2 (MobileNet's depthwise
 * layers) go through walk3x3; other kernels run their interior four output pixels at a time (one
 * weight vector feeds four accumulators). Output pixels whose window leaves the image columns go
 * through depthwisePixelNHWC; kernel rows outside the image are skipped for the whole output row.
 * `bias` is padded to a multiple of 8 floats (or 0 for none); the input must be readable 12 bytes
 * past its end. Output rows are `outRowPixels` pixels apart (outWidth, or wider to write a
 * zero-bordered layout in place).
 */
export function depthwiseNHWC(
  x: usize, height: i32, width: i32, channels: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32,
  padTop: i32, padLeft: i32, outHeight: i32, outWidth: i32,
  weights: usize, bias: usize, activation: i32, alpha: f32, y: usize, outRowPixels: i32,
): void {
  const pixelBytes = <usize>channels << 2;
  const tapBytes = <usize>((channels + 7) & ~7) << 2;
  const rowBytes = <usize>width * pixelBytes;
  const walks3x3 = kernelH == 3 && kernelW == 3 && dilationW == 1 && (strideW == 1 || strideW == 2);
  // Output columns [interiorBegin, interiorEnd) read only columns inside the image.
  const interiorBegin = min(outWidth, (padLeft + strideW - 1) / strideW);
  const lastStart = width - 1 - (kernelW - 1) * dilationW + padLeft;
  const interiorEnd = max(interiorBegin, lastStart < 0 ? 0 : min(outWidth, lastStart / strideW + 1));
  for (let oh = 0; oh < outHeight; oh++) {
    const ih0 = oh * strideH - padTop;
    let khBegin = 0, khEnd = kernelH;
    if (ih0 < 0) khBegin = (-ih0 + dilationH - 1) / dilationH;
    if (ih0 + (kernelH - 1) * dilationH >= height) khEnd = min(kernelH, (height - ih0 + dilationH - 1) / dilationH);
    const outRow = y + <usize>(oh * outRowPixels) * pixelBytes;
    for (let ow = 0; ow < interiorBegin; ow++) {
      depthwisePixelNHWC(x, width, channels, kernelW, dilationH, dilationW, ih0, ow * strideW - padLeft,
        khBegin, khEnd, weights, bias, activation, alpha, outRow + <usize>ow * pixelBytes);
    }
    // The walk has copies for a full window and for one kernel row clipped at the top or bottom.
    if (walks3x3 && khEnd - khBegin >= 2) {
      const window = x + <usize>(ih0 * width) * pixelBytes; // kernel row 0 (never read when clipped)
      const kernelRowBytes = <usize>dilationH * rowBytes;
      if (strideW == 1) {
        walk3x3Rows(window, kernelRowBytes, pixelBytes, channels, 1, khBegin, khEnd, interiorBegin, interiorEnd, padLeft, weights, tapBytes, bias, activation, alpha, outRow);
      } else {
        walk3x3Rows(window, kernelRowBytes, pixelBytes, channels, 2, khBegin, khEnd, interiorBegin, interiorEnd, padLeft, weights, tapBytes, bias, activation, alpha, outRow);
      }
    } else {
      interiorFours(x, width, channels, kernelW, strideW, dilationH, dilationW, ih0, khBegin, khEnd, interiorBegin, interiorEnd, padLeft, weights, tapBytes, bias, activation, alpha, outRow);
    }
    // The interior's ragged end (interiorFours steps by 4) and the right border.
    for (let ow = walks3x3 && khEnd - khBegin >= 2 ? interiorEnd : interiorBegin + ((interiorEnd - interiorBegin) & ~3); ow < outWidth; ow++) {
      depthwisePixelNHWC(x, width, channels, kernelW, dilationH, dilationW, ih0, ow * strideW - padLeft,
        khBegin, khEnd, weights, bias, activation, alpha, outRow + <usize>ow * pixelBytes);
    }
  }
}

/**
 * The interior of one output row for any kernel: four output pixels at a time, all channels.
 * Leaves the last (interiorEnd - interiorBegin) % 4 pixels to the caller.
 */
@inline function interiorFours(
  x: usize, width: i32, channels: i32, kernelW: i32, strideW: i32, dilationH: i32, dilationW: i32,
  ih0: i32, khBegin: i32, khEnd: i32, interiorBegin: i32, interiorEnd: i32, padLeft: i32,
  weights: usize, tapBytes: usize, bias: usize, activation: i32, alpha: f32, outRow: usize,
): void {
  const pixelBytes = <usize>channels << 2;
  const step = <usize>strideW * pixelBytes; // from one output pixel's window to the next
  const slides = strideW == 1 && dilationW == 1;
  for (let ow = interiorBegin; ow + 4 <= interiorEnd; ow += 4) {
    const origin = x + <usize>(ow * strideW - padLeft) * pixelBytes;
    const out = outRow + <usize>ow * pixelBytes;
    for (let c = 0; c < channels; c += 4) {
      const cBytes = <usize>c << 2;
      const b = bias != 0 ? v128.load(bias + cBytes) : f32x4.splat(0);
      let acc0 = b, acc1 = b, acc2 = b, acc3 = b;
      for (let kh = khBegin; kh < khEnd; kh++) {
        let from = origin + <usize>((ih0 + kh * dilationH) * width) * pixelBytes + cBytes;
        let w = weights + <usize>(kh * kernelW) * tapBytes + cBytes;
        if (slides) {
          // Neighbouring outputs share input pixels: slide a window of 4 loaded pixels along
          // the row, one new load per tap instead of four.
          let v0 = v128.load(from), v1 = v128.load(from + pixelBytes), v2 = v128.load(from + 2 * pixelBytes);
          from += 3 * pixelBytes;
          for (let kw = 0; kw < kernelW; kw++) {
            const v3 = v128.load(from);
            const wv = v128.load(w);
            acc0 = f32x4.add(acc0, f32x4.mul(v0, wv));
            acc1 = f32x4.add(acc1, f32x4.mul(v1, wv));
            acc2 = f32x4.add(acc2, f32x4.mul(v2, wv));
            acc3 = f32x4.add(acc3, f32x4.mul(v3, wv));
            v0 = v1;
            v1 = v2;
            v2 = v3;
            from += pixelBytes;
            w += tapBytes;
          }
          continue;
        }
        for (let kw = 0; kw < kernelW; kw++) {
          const wv = v128.load(w);
          acc0 = f32x4.add(acc0, f32x4.mul(v128.load(from), wv));
          acc1 = f32x4.add(acc1, f32x4.mul(v128.load(from + step), wv));
          acc2 = f32x4.add(acc2, f32x4.mul(v128.load(from + 2 * step), wv));
          acc3 = f32x4.add(acc3, f32x4.mul(v128.load(from + 3 * step), wv));
          from += <usize>dilationW * pixelBytes;
          w += tapBytes;
        }
      }
      const remaining = channels - c;
      storeLanes(out + cBytes, applyActivation(acc0, activation, alpha), remaining);
      storeLanes(out + pixelBytes + cBytes, applyActivation(acc1, activation, alpha), remaining);
      storeLanes(out + 2 * pixelBytes + cBytes, applyActivation(acc2, activation, alpha), remaining);
      storeLanes(out + 3 * pixelBytes + cBytes, applyActivation(acc3, activation, alpha), remaining);
    }
  }
}

/** Channels per walk3x3 block: one 64-byte cache line, whose rows stay in L1 across its 4 tiles. */
const WALK_CHANNELS: i32 = 16;
/** Output pixels per walk3x3 chunk: bounds the input columns a channel block holds in L1. */
const WALK_PIXELS: i32 = 32;

/** walk3x3 with the kernel rows a constant: all three, or one clipped at the top or bottom. */
@inline function walk3x3Rows(
  window: usize, kernelRowBytes: usize, pixelBytes: usize, channels: i32, strideW: i32, khBegin: i32, khEnd: i32,
  owBegin: i32, owEnd: i32, padLeft: i32, weights: usize, tapBytes: usize, bias: usize, activation: i32, alpha: f32, outRow: usize,
): void {
  if (khBegin == 0 && khEnd == 3) {
    walk3x3(window, kernelRowBytes, pixelBytes, channels, strideW, 0, 3, owBegin, owEnd, padLeft, weights, tapBytes, bias, activation, alpha, outRow);
  } else if (khBegin == 1) {
    walk3x3(window, kernelRowBytes, pixelBytes, channels, strideW, 1, 3, owBegin, owEnd, padLeft, weights, tapBytes, bias, activation, alpha, outRow);
  } else {
    walk3x3(window, kernelRowBytes, pixelBytes, channels, strideW, 0, 2, owBegin, owEnd, padLeft, weights, tapBytes, bias, activation, alpha, outRow);
  }
}

/**
 * Interior output pixels [owBegin, owEnd) of one row, 3×3 window, kernel rows [khBegin, khEnd)
 * (constants after inlining, as is strideW). One channel tile of 4 at a time walks the row with its
 * weights held in registers for all taps: loading them per pixel instead made each output vector
 * cost 9 extra loads, and sweeping all channels per pixel group did not keep the rows in L1.
 * Sums in the order of depthwisePixelNHWC (bias, then taps row by row), so borders agree.
 */
@inline function walk3x3(
  window: usize, kernelRowBytes: usize, pixelBytes: usize, channels: i32, strideW: i32, khBegin: i32, khEnd: i32,
  owBegin: i32, owEnd: i32, padLeft: i32, weights: usize, tapBytes: usize, bias: usize, activation: i32, alpha: f32, outRow: usize,
): void {
  const step = <usize>strideW * pixelBytes;
  const zero = f32x4.splat(0);
  for (let chunk = owBegin; chunk < owEnd; chunk += WALK_PIXELS) {
    const chunkEnd = min(owEnd, chunk + WALK_PIXELS);
    for (let block = 0; block < channels; block += WALK_CHANNELS) {
      const blockEnd = min(channels, block + WALK_CHANNELS);
      for (let c = block; c < blockEnd; c += 4) {
        const cBytes = <usize>c << 2;
        const w = weights + cBytes;
        // Kernel rows outside the window are never loaded (khBegin/khEnd are constants here).
        const w0 = khBegin == 0 ? v128.load(w) : zero;
        const w1 = khBegin == 0 ? v128.load(w + tapBytes) : zero;
        const w2 = khBegin == 0 ? v128.load(w + 2 * tapBytes) : zero;
        const w3 = v128.load(w + 3 * tapBytes);
        const w4 = v128.load(w + 4 * tapBytes);
        const w5 = v128.load(w + 5 * tapBytes);
        const w6 = khEnd == 3 ? v128.load(w + 6 * tapBytes) : zero;
        const w7 = khEnd == 3 ? v128.load(w + 7 * tapBytes) : zero;
        const w8 = khEnd == 3 ? v128.load(w + 8 * tapBytes) : zero;
        const b = bias != 0 ? v128.load(bias + cBytes) : zero;
        const remaining = channels - c;
        const from = window + <usize>(chunk * strideW - padLeft) * pixelBytes + cBytes;
        const out = outRow + <usize>chunk * pixelBytes + cBytes;
        const count = chunkEnd - chunk;
        // One copy of the pixel loop per common activation, with whole-vector stores: a loop body
        // without branches is one block, which TurboFan schedules without spilling (1.07–1.20×
        // measured side by side on MobileNetV2's layers; branches alone were not the cost).
        if (remaining >= 4) {
          if (activation == ACT_NONE) walkPixels3x3(from, out, count, step, pixelBytes, kernelRowBytes, khBegin, khEnd, b, w0, w1, w2, w3, w4, w5, w6, w7, w8, ACT_NONE, alpha, 4);
          else if (activation == ACT_RELU) walkPixels3x3(from, out, count, step, pixelBytes, kernelRowBytes, khBegin, khEnd, b, w0, w1, w2, w3, w4, w5, w6, w7, w8, ACT_RELU, alpha, 4);
          else if (activation == ACT_RELU6) walkPixels3x3(from, out, count, step, pixelBytes, kernelRowBytes, khBegin, khEnd, b, w0, w1, w2, w3, w4, w5, w6, w7, w8, ACT_RELU6, alpha, 4);
          else walkPixels3x3(from, out, count, step, pixelBytes, kernelRowBytes, khBegin, khEnd, b, w0, w1, w2, w3, w4, w5, w6, w7, w8, activation, alpha, 4);
        } else {
          walkPixels3x3(from, out, count, step, pixelBytes, kernelRowBytes, khBegin, khEnd, b, w0, w1, w2, w3, w4, w5, w6, w7, w8, activation, alpha, remaining);
        }
      }
    }
  }
}

/**
 * `count` output vectors of one channel tile along a row (walk3x3's inner loop), with the
 * activation and the stored lanes constants after inlining. Two outputs per iteration (sharing
 * inputs at stride 1) spilled and ran 0.84–1.0×.
 */
@inline function walkPixels3x3(
  from: usize, out: usize, count: i32, step: usize, pixelBytes: usize, kernelRowBytes: usize, khBegin: i32, khEnd: i32, b: v128,
  w0: v128, w1: v128, w2: v128, w3: v128, w4: v128, w5: v128, w6: v128, w7: v128, w8: v128, activation: i32, alpha: f32, lanes: i32,
): void {
  for (let i = 0; i < count; i++) {
    let acc = b;
    if (khBegin == 0) acc = tapRow(acc, from, pixelBytes, 2 * pixelBytes, w0, w1, w2);
    acc = tapRow(acc, from + kernelRowBytes, pixelBytes, 2 * pixelBytes, w3, w4, w5);
    if (khEnd == 3) acc = tapRow(acc, from + 2 * kernelRowBytes, pixelBytes, 2 * pixelBytes, w6, w7, w8);
    storeLanes(out, applyActivation(acc, activation, alpha), lanes);
    from += step;
    out += pixelBytes;
  }
}

/** acc + the three taps of one kernel row, left to right, at `from`, `from + tap1`, `from + tap2`. */
@inline function tapRow(acc: v128, from: usize, tap1: usize, tap2: usize, w0: v128, w1: v128, w2: v128): v128 {
  return tapsAt(acc, from, from + tap1, from + tap2, w0, w1, w2);
}

/** acc + three taps at `first`, `second`, `third`, in that order. */
@inline function tapsAt(acc: v128, first: usize, second: usize, third: usize, w0: v128, w1: v128, w2: v128): v128 {
  acc = f32x4.add(acc, f32x4.mul(v128.load(first), w0));
  acc = f32x4.add(acc, f32x4.mul(v128.load(second), w1));
  return f32x4.add(acc, f32x4.mul(v128.load(third), w2));
}

/**
 * Where the taps of a plane3x3 row sit. With runtime offsets every tap costs V8 an address add;
 * at stride 1 (taps 4 and 8 bytes on) and stride 2 (the odd phase row, then 4 bytes on) they are
 * constants or a second row pointer, which binaryen folds into the loads' offsets.
 */
const TAPS_ANY: i32 = 0;
const TAPS_UNIT: i32 = 1;
const TAPS_STRIDE2: i32 = 2;

/**
 * One output vector of a 3×3 window whose kernel rows start at `r0`, `r1`, `r2` (`q0`–`q2`:
 * the same rows' odd phase, TAPS_STRIDE2 only): bias, then the taps row by row.
 */
@inline function window3x3(
  taps: i32, r0: usize, r1: usize, r2: usize, q0: usize, q1: usize, q2: usize, tap1: usize, tap2: usize, bias: v128,
  w0: v128, w1: v128, w2: v128, w3: v128, w4: v128, w5: v128, w6: v128, w7: v128, w8: v128,
): v128 {
  const acc = planeTapRow(taps, bias, r0, q0, tap1, tap2, w0, w1, w2);
  return planeTapRow(taps, planeTapRow(taps, acc, r1, q1, tap1, tap2, w3, w4, w5), r2, q2, tap1, tap2, w6, w7, w8);
}

@inline function planeTapRow(taps: i32, acc: v128, row: usize, odd: usize, tap1: usize, tap2: usize, w0: v128, w1: v128, w2: v128): v128 {
  if (taps == TAPS_UNIT) return tapsAt(acc, row, row + 4, row + 8, w0, w1, w2);
  if (taps == TAPS_STRIDE2) return tapsAt(acc, row, odd, row + 4, w0, w1, w2);
  return tapsAt(acc, row, row + tap1, row + tap2, w0, w1, w2);
}

/** Output columns per group of the NCHW plane kernel: 8 vectors, one accumulator each. */
export const PLANE_COLUMNS: i32 = 32;
/** Output rows per band of the plane kernel: 4–16 measured alike, 32 and more 1.8× slower. */
const PLANE_ROW_BAND: i32 = 8;

/**
 * NCHW, `channels` planes of one image (or a band of its rows). Each plane is first copied into
 * `scratch` with zero borders and its columns split by phase: a padded row of stride-s columns
 * becomes s rows of `phaseWidth` (phase p holds padded columns p, p + s, p + 2s, ...). Output
 * column o then reads tap kw·d at phase (kw·d) % s, column o + (kw·d) / s: contiguous for every
 * stride, so the inner loop loads whole vectors with no gather and no bounds checks.
 * The borders are zeroed once per call; each plane writes only its interior.
 *
 * Source planes are `srcPlane` floats apart, `rows`×`cols` at `srcRow` floats per row, placed
 * `padTop`, `padLeft` into the zero-bordered plane of `paddedRows` rows. With `copies` false the
 * source already is that plane (stride 1 only, phaseWidth = srcRow) and is read in place.
 * Output planes are `outPlane` floats apart, their rows `outRowPixels` apart; `bias` is 0 or one
 * float per channel.
 */
export function depthwiseNCHW(
  src: usize, channels: i32, srcPlane: i32, srcRow: i32, rows: i32, cols: i32, padTop: i32, padLeft: i32,
  copies: bool, scratch: usize, paddedRows: i32, phaseWidth: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32,
  outHeight: i32, outWidth: i32, weights: usize, bias: usize, activation: i32, alpha: f32,
  y: usize, outPlane: i32, outRowPixels: i32,
): void {
  const rowFloats = strideW * phaseWidth;
  // Source columns past the phase rows are never read.
  const copiedCols = max(0, min(cols, rowFloats - padLeft));
  if (copies) {
    // At stride 1 the copies write the interior whole: only the border is zeroed (a 1024² plane
    // spent a third of its time filling 4 MB that the copy then overwrote).
    if (strideW == 1) zeroBorder(scratch, paddedRows, rowFloats, padTop, rows, padLeft, copiedCols);
    else memory.fill(scratch, 0, <usize>(paddedRows * rowFloats) << 2);
  }
  const taps = kernelH * kernelW;
  for (let c = 0; c < channels; c++) {
    let plane = src + (<usize>c * <usize>srcPlane << 2);
    if (copies) {
      // A constant stride per copy of the loop: the phase arithmetic folds.
      if (strideW == 1) copyPhases(plane, srcRow, rows, copiedCols, padTop, padLeft, 1, phaseWidth, scratch);
      else if (strideW == 2) copyPhases(plane, srcRow, rows, copiedCols, padTop, padLeft, 2, phaseWidth, scratch);
      else copyPhases(plane, srcRow, rows, copiedCols, padTop, padLeft, strideW, phaseWidth, scratch);
      plane = scratch;
    }
    const planeWeights = weights + (<usize>(c * taps) << 2);
    const planeBias = bias != 0 ? load<f32>(bias + (<usize>c << 2)) : 0;
    const out = y + (<usize>c * <usize>outPlane << 2);
    if (kernelH == 3 && kernelW == 3) {
      plane3x3(plane, rowFloats, phaseWidth, strideH, strideW, dilationH, dilationW, outHeight, outWidth, planeWeights, planeBias, activation, alpha, out, outRowPixels);
    } else {
      planeBands(plane, rowFloats, phaseWidth, kernelH, kernelW, strideH, strideW, dilationH, dilationW, outHeight, outWidth,
        planeWeights, planeBias, activation, alpha, out, outRowPixels);
    }
  }
}

/** Zeroes a plane of `height` rows of `width` floats but for rows [top, top + rows) × columns [left, left + cols). */
function zeroBorder(plane: usize, height: i32, width: i32, top: i32, rows: i32, left: i32, cols: i32): void {
  const rowBytes = <usize>width << 2;
  memory.fill(plane, 0, <usize>top * rowBytes);
  const below = top + rows;
  memory.fill(plane + <usize>below * rowBytes, 0, <usize>max(0, height - below) * rowBytes);
  const rightFloats = max(0, width - left - cols);
  for (let r = top; r < below; r++) {
    const row = plane + <usize>r * rowBytes;
    memory.fill(row, 0, <usize>left << 2);
    memory.fill(row + (<usize>(left + cols) << 2), 0, <usize>rightFloats << 2);
  }
}

/** Copies one source plane into the phase-split rows of `dst` (borders untouched). */
@inline function copyPhases(
  src: usize, srcRow: i32, rows: i32, cols: i32, padTop: i32, padLeft: i32, strideW: i32, phaseWidth: i32, dst: usize,
): void {
  const rowBytes = <usize>(strideW * phaseWidth) << 2;
  for (let r = 0; r < rows; r++) {
    const from = src + (<usize>r * <usize>srcRow << 2);
    const to = dst + <usize>(r + padTop) * rowBytes;
    let i = 0;
    // Vectors, the last one overlapping the one before (rewriting the same values) rather
    // than a scalar tail, which cost a 14-wide plane as much as its vectors.
    if (strideW == 1 && cols >= 4) {
      const row = to + (<usize>padLeft << 2);
      for (; i + 4 <= cols; i += 4) v128.store(row + (<usize>i << 2), v128.load(from + (<usize>i << 2)));
      if (i < cols) v128.store(row + (<usize>(cols - 4) << 2), v128.load(from + (<usize>(cols - 4) << 2)));
      i = cols;
    } else if (strideW == 2 && cols >= 8) {
      // Where source columns 0, 2, 4... and 1, 3, 5... go: each run contiguous in its phase.
      const evens = to + phaseOffset(padLeft, 2, phaseWidth);
      const odds = to + phaseOffset(padLeft + 1, 2, phaseWidth);
      for (; i + 8 <= cols; i += 8) splitPair(from + (<usize>i << 2), evens + (<usize>i << 1), odds + (<usize>i << 1));
      const last = cols - 8;
      if (i < cols) splitPair(from + (<usize>last << 2), to + phaseOffset(last + padLeft, 2, phaseWidth), to + phaseOffset(last + padLeft + 1, 2, phaseWidth));
      i = cols;
    }
    for (; i < cols; i++) {
      store<f32>(to + phaseOffset(i + padLeft, strideW, phaseWidth), load<f32>(from + (<usize>i << 2)));
    }
  }
}

/** Byte offset in a phase-split row of padded column `column`. */
@inline function phaseOffset(column: i32, strideW: i32, phaseWidth: i32): usize {
  return <usize>((column % strideW) * phaseWidth + column / strideW) << 2;
}

/**
 * planeBands for 3×3 windows (MobileNet's): the nine weights stay in registers for the whole
 * plane and each output vector sums its nine taps at once, so there is no per-tap loop or weight
 * load (which cost small planes, with few vectors per tap, most of their time). Same loop order,
 * same sums.
 */
function plane3x3(
  plane: usize, rowFloats: i32, phaseWidth: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32,
  outHeight: i32, outWidth: i32, weights: usize, bias: f32, activation: i32, alpha: f32, y: usize, outRowPixels: i32,
): void {
  const taps = dilationW != 1 ? TAPS_ANY : strideW == 1 ? TAPS_UNIT : strideW == 2 ? TAPS_STRIDE2 : TAPS_ANY;
  // One copy of the loop per tap layout and common activation, so that the pixel loop has no
  // branch on either. Both are literals at each call: AssemblyScript folds only literal
  // arguments into an inlined body (passed on through a parameter, binaryen merged the copies).
  if (taps == TAPS_UNIT) {
    if (activation == ACT_NONE) plane3x3With(TAPS_UNIT, plane, rowFloats, phaseWidth, strideH, strideW, dilationH, dilationW, outHeight, outWidth, weights, bias, ACT_NONE, alpha, y, outRowPixels);
    else if (activation == ACT_RELU) plane3x3With(TAPS_UNIT, plane, rowFloats, phaseWidth, strideH, strideW, dilationH, dilationW, outHeight, outWidth, weights, bias, ACT_RELU, alpha, y, outRowPixels);
    else if (activation == ACT_RELU6) plane3x3With(TAPS_UNIT, plane, rowFloats, phaseWidth, strideH, strideW, dilationH, dilationW, outHeight, outWidth, weights, bias, ACT_RELU6, alpha, y, outRowPixels);
    else plane3x3With(TAPS_UNIT, plane, rowFloats, phaseWidth, strideH, strideW, dilationH, dilationW, outHeight, outWidth, weights, bias, activation, alpha, y, outRowPixels);
  } else if (taps == TAPS_STRIDE2) {
    if (activation == ACT_NONE) plane3x3With(TAPS_STRIDE2, plane, rowFloats, phaseWidth, strideH, strideW, dilationH, dilationW, outHeight, outWidth, weights, bias, ACT_NONE, alpha, y, outRowPixels);
    else if (activation == ACT_RELU) plane3x3With(TAPS_STRIDE2, plane, rowFloats, phaseWidth, strideH, strideW, dilationH, dilationW, outHeight, outWidth, weights, bias, ACT_RELU, alpha, y, outRowPixels);
    else if (activation == ACT_RELU6) plane3x3With(TAPS_STRIDE2, plane, rowFloats, phaseWidth, strideH, strideW, dilationH, dilationW, outHeight, outWidth, weights, bias, ACT_RELU6, alpha, y, outRowPixels);
    else plane3x3With(TAPS_STRIDE2, plane, rowFloats, phaseWidth, strideH, strideW, dilationH, dilationW, outHeight, outWidth, weights, bias, activation, alpha, y, outRowPixels);
  } else {
    if (activation == ACT_NONE) plane3x3With(TAPS_ANY, plane, rowFloats, phaseWidth, strideH, strideW, dilationH, dilationW, outHeight, outWidth, weights, bias, ACT_NONE, alpha, y, outRowPixels);
    else if (activation == ACT_RELU) plane3x3With(TAPS_ANY, plane, rowFloats, phaseWidth, strideH, strideW, dilationH, dilationW, outHeight, outWidth, weights, bias, ACT_RELU, alpha, y, outRowPixels);
    else if (activation == ACT_RELU6) plane3x3With(TAPS_ANY, plane, rowFloats, phaseWidth, strideH, strideW, dilationH, dilationW, outHeight, outWidth, weights, bias, ACT_RELU6, alpha, y, outRowPixels);
    else plane3x3With(TAPS_ANY, plane, rowFloats, phaseWidth, strideH, strideW, dilationH, dilationW, outHeight, outWidth, weights, bias, activation, alpha, y, outRowPixels);
  }
}

/** Bytes of the three input rows a 3×3 output row reads that still leave L1 room for the output row. */
const WHOLE_ROWS_BYTES: i32 = 16384;

@inline function plane3x3With(
  taps: i32, plane: usize, rowFloats: i32, phaseWidth: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32,
  outHeight: i32, outWidth: i32, weights: usize, bias: f32, activation: i32, alpha: f32, y: usize, outRowPixels: i32,
): void {
  const rowBytes = <usize>rowFloats << 2;
  const kernelRowBytes = <usize>dilationH * rowBytes;
  const tap1 = phaseOffset(dilationW, strideW, phaseWidth);
  const tap2 = phaseOffset(2 * dilationW, strideW, phaseWidth);
  const phaseBytes = <usize>phaseWidth << 2;
  const w0 = v128.load32_splat(weights), w1 = v128.load32_splat(weights, 4), w2 = v128.load32_splat(weights, 8);
  const w3 = v128.load32_splat(weights, 12), w4 = v128.load32_splat(weights, 16), w5 = v128.load32_splat(weights, 20);
  const w6 = v128.load32_splat(weights, 24), w7 = v128.load32_splat(weights, 28), w8 = v128.load32_splat(weights, 32);
  const biasVector = f32x4.splat(bias);
  // Rows whose three kernel rows fit L1 go whole (long inner loops); wider ones in column groups.
  const groupColumns = 3 * <i32>kernelRowBytes <= WHOLE_ROWS_BYTES ? outWidth : PLANE_COLUMNS;
  for (let band = 0; band < outHeight; band += PLANE_ROW_BAND) {
    const bandEnd = min(outHeight, band + PLANE_ROW_BAND);
    for (let ow = 0; ow < outWidth; ow += groupColumns) {
      const groupEnd = min(outWidth, ow + groupColumns);
      for (let oh = band; oh < bandEnd; oh++) {
        const inRow = plane + <usize>(oh * strideH) * rowBytes;
        const outRow = y + (<usize>(oh * outRowPixels) << 2);
        let o = ow;
        // Four vectors at a time: their independent sums overlap (one at a time measured 1.3× slower).
        // Each is stored as soon as it is summed: computing all four first let V8 hoist their 36
        // loads ahead of the arithmetic and spill them (1.36–1.46× slower on 3×3 planes).
        for (; o + 16 <= groupEnd; o += 16) {
          const r0 = inRow + (<usize>o << 2), r1 = r0 + kernelRowBytes, r2 = r1 + kernelRowBytes;
          const q0 = r0 + phaseBytes, q1 = r1 + phaseBytes, q2 = r2 + phaseBytes;
          const to = outRow + (<usize>o << 2);
          v128.store(to, applyActivation(window3x3(taps, r0, r1, r2, q0, q1, q2, tap1, tap2, biasVector, w0, w1, w2, w3, w4, w5, w6, w7, w8), activation, alpha));
          v128.store(to, applyActivation(window3x3(taps, r0 + 16, r1 + 16, r2 + 16, q0 + 16, q1 + 16, q2 + 16, tap1, tap2, biasVector, w0, w1, w2, w3, w4, w5, w6, w7, w8), activation, alpha), 16);
          v128.store(to, applyActivation(window3x3(taps, r0 + 32, r1 + 32, r2 + 32, q0 + 32, q1 + 32, q2 + 32, tap1, tap2, biasVector, w0, w1, w2, w3, w4, w5, w6, w7, w8), activation, alpha), 32);
          v128.store(to, applyActivation(window3x3(taps, r0 + 48, r1 + 48, r2 + 48, q0 + 48, q1 + 48, q2 + 48, tap1, tap2, biasVector, w0, w1, w2, w3, w4, w5, w6, w7, w8), activation, alpha), 48);
        }
        for (; o < groupEnd; o += 4) {
          const r0 = inRow + (<usize>o << 2), r1 = r0 + kernelRowBytes, r2 = r1 + kernelRowBytes;
          const acc = window3x3(taps, r0, r1, r2, r0 + phaseBytes, r1 + phaseBytes, r2 + phaseBytes, tap1, tap2, biasVector, w0, w1, w2, w3, w4, w5, w6, w7, w8);
          storeLanes(outRow + (<usize>o << 2), applyActivation(acc, activation, alpha), groupEnd - o);
        }
      }
    }
  }
}

/**
 * NCHW stride-1 3×3 windows with one zero column each side (src/algorithms/depthwise.ts
 * chooses), `channels` planes `srcPlane` floats apart, each read where it lies
 * (planeInPlace3x3): copying a plane into a padded one first cost a resident 1024² plane 27% of
 * its time. `scratch` holds the zero row that stands in for the rows above and below (`width` +
 * 8 floats); `weights` are NCHW-packed ([C][9]), `bias` 0 or one float per channel.
 */
export function planesInPlace3x3NCHW(
  src: usize, channels: i32, srcPlane: i32, width: i32, rows: i32, padTop: i32, scratch: usize, outHeight: i32,
  weights: usize, bias: usize, activation: i32, alpha: f32, y: usize, outPlane: i32, outRowPixels: i32,
): void {
  memory.fill(scratch, 0, <usize>(width + 8) << 2);
  for (let c = 0; c < channels; c++) {
    const planeBias = bias != 0 ? load<f32>(bias + (<usize>c << 2)) : 0;
    planeInPlace3x3(src + (<usize>c * <usize>srcPlane << 2), width, rows, padTop, scratch, outHeight,
      weights + (<usize>(c * 9) << 2), planeBias, activation, alpha, y + (<usize>c * <usize>outPlane << 2), outRowPixels);
  }
}

/**
 * A 3×3, stride-1 plane with one zero column each side, read where it lies (`width` floats per
 * row, `rows` real rows placed `padTop` rows down; the rows above and below are `zeroRow`).
 * Output row i reads padded rows i, i + 1, i + 2. The windows read columns -1 and `width` from
 * the neighbouring rows' ends; those lanes are masked to +0, the zero a padded copy holds, so the
 * sums are the padded path's, bit for bit.
 */
function planeInPlace3x3(
  src: usize, width: i32, rows: i32, padTop: i32, zeroRow: usize, outHeight: i32,
  weights: usize, bias: f32, activation: i32, alpha: f32, y: usize, outRowPixels: i32,
): void {
  if (activation == ACT_NONE) planeInPlace3x3With(src, width, rows, padTop, zeroRow, outHeight, weights, bias, ACT_NONE, alpha, y, outRowPixels);
  else if (activation == ACT_RELU) planeInPlace3x3With(src, width, rows, padTop, zeroRow, outHeight, weights, bias, ACT_RELU, alpha, y, outRowPixels);
  else if (activation == ACT_RELU6) planeInPlace3x3With(src, width, rows, padTop, zeroRow, outHeight, weights, bias, ACT_RELU6, alpha, y, outRowPixels);
  else planeInPlace3x3With(src, width, rows, padTop, zeroRow, outHeight, weights, bias, activation, alpha, y, outRowPixels);
}

@inline function planeInPlace3x3With(
  src: usize, width: i32, rows: i32, padTop: i32, zeroRow: usize, outHeight: i32,
  weights: usize, bias: f32, activation: i32, alpha: f32, y: usize, outRowPixels: i32,
): void {
  const rowBytes = <usize>width << 2;
  const w0 = v128.load32_splat(weights), w1 = v128.load32_splat(weights, 4), w2 = v128.load32_splat(weights, 8);
  const w3 = v128.load32_splat(weights, 12), w4 = v128.load32_splat(weights, 16), w5 = v128.load32_splat(weights, 20);
  const w6 = v128.load32_splat(weights, 24), w7 = v128.load32_splat(weights, 28), w8 = v128.load32_splat(weights, 32);
  const biasVector = f32x4.splat(bias);
  const all = i32x4.splat(-1);
  // Lane 0 of the first vector's first tap reads column -1.
  const left = i32x4.replace_lane(all, 0, 0);
  // The vector holding column width - 1, and the lane of its third tap that reads column width.
  const lastVector = (width - 1) & ~3;
  const rightLane = width - 1 - lastVector;
  const right = rightLane == 0 ? left : rightLane == 1 ? i32x4.replace_lane(all, 1, 0) : rightLane == 2 ? i32x4.replace_lane(all, 2, 0) : i32x4.replace_lane(all, 3, 0);
  for (let i = 0; i < outHeight; i++) {
    // Each kernel row's source row, shifted one column left (window column 0 is image column -1).
    const s0 = i - padTop, s1 = s0 + 1, s2 = s0 + 2;
    const r0 = s0 >= 0 && s0 < rows ? src + <usize>s0 * rowBytes - 4 : zeroRow;
    const r1 = s1 >= 0 && s1 < rows ? src + <usize>s1 * rowBytes - 4 : zeroRow;
    const r2 = s2 >= 0 && s2 < rows ? src + <usize>s2 * rowBytes - 4 : zeroRow;
    const outRow = y + (<usize>(i * outRowPixels) << 2);
    // The first vector: column -1 masked (and column width too when it is also the last).
    let acc = maskedWindow(r0, r1, r2, left, lastVector == 0 ? right : all, biasVector, w0, w1, w2, w3, w4, w5, w6, w7, w8);
    if (lastVector == 0) {
      storeLanes(outRow, applyActivation(acc, activation, alpha), width);
      continue;
    }
    v128.store(outRow, applyActivation(acc, activation, alpha));
    // Interior vectors read inside the row: the padded kernel's window, unmasked.
    let o = 4;
    for (; o + 12 < lastVector; o += 16) {
      const at = <usize>o << 2;
      const to = outRow + at;
      v128.store(to, applyActivation(window3x3(TAPS_UNIT, r0 + at, r1 + at, r2 + at, 0, 0, 0, 4, 8, biasVector, w0, w1, w2, w3, w4, w5, w6, w7, w8), activation, alpha));
      v128.store(to, applyActivation(window3x3(TAPS_UNIT, r0 + at + 16, r1 + at + 16, r2 + at + 16, 0, 0, 0, 4, 8, biasVector, w0, w1, w2, w3, w4, w5, w6, w7, w8), activation, alpha), 16);
      v128.store(to, applyActivation(window3x3(TAPS_UNIT, r0 + at + 32, r1 + at + 32, r2 + at + 32, 0, 0, 0, 4, 8, biasVector, w0, w1, w2, w3, w4, w5, w6, w7, w8), activation, alpha), 32);
      v128.store(to, applyActivation(window3x3(TAPS_UNIT, r0 + at + 48, r1 + at + 48, r2 + at + 48, 0, 0, 0, 4, 8, biasVector, w0, w1, w2, w3, w4, w5, w6, w7, w8), activation, alpha), 48);
    }
    for (; o < lastVector; o += 4) {
      const at = <usize>o << 2;
      v128.store(outRow + at, applyActivation(window3x3(TAPS_UNIT, r0 + at, r1 + at, r2 + at, 0, 0, 0, 4, 8, biasVector, w0, w1, w2, w3, w4, w5, w6, w7, w8), activation, alpha));
    }
    const at = <usize>lastVector << 2;
    acc = maskedWindow(r0 + at, r1 + at, r2 + at, all, right, biasVector, w0, w1, w2, w3, w4, w5, w6, w7, w8);
    storeLanes(outRow + at, applyActivation(acc, activation, alpha), width - lastVector);
  }
}

/** window3x3 at stride 1 with each row's first tap and-ed with `first`, its third with `third`. */
@inline function maskedWindow(
  r0: usize, r1: usize, r2: usize, first: v128, third: v128, bias: v128,
  w0: v128, w1: v128, w2: v128, w3: v128, w4: v128, w5: v128, w6: v128, w7: v128, w8: v128,
): v128 {
  let acc = maskedTapRow(bias, r0, first, third, w0, w1, w2);
  acc = maskedTapRow(acc, r1, first, third, w3, w4, w5);
  return maskedTapRow(acc, r2, first, third, w6, w7, w8);
}

@inline function maskedTapRow(acc: v128, row: usize, first: v128, third: v128, w0: v128, w1: v128, w2: v128): v128 {
  acc = f32x4.add(acc, f32x4.mul(v128.and(v128.load(row), first), w0));
  acc = f32x4.add(acc, f32x4.mul(v128.load(row + 4), w1));
  return f32x4.add(acc, f32x4.mul(v128.and(v128.load(row + 8), third), w2));
}

/** 8 source columns into two phase runs at stride 2: lanes 0, 2, 4, 6 to `first`, 1, 3, 5, 7 to `second`. */
@inline function splitPair(from: usize, first: usize, second: usize): void {
  const a = v128.load(from);
  const b = v128.load(from, 16);
  v128.store(first, v128.shuffle<f32>(a, b, 0, 2, 4, 6));
  v128.store(second, v128.shuffle<f32>(a, b, 1, 3, 5, 7));
}

/**
 * One phase-split plane: bands of rows, and within a band one column group at a time down the
 * rows, so the kernel rows a group reads stay in L1 (a 15-row column filter on 1920-pixel rows
 * would otherwise read every input row from L2 fifteen times). The last group of a row has only
 * as many vectors as it needs: a 7-wide plane computes 8 columns, not 32.
 */
function planeBands(
  plane: usize, rowFloats: i32, phaseWidth: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32,
  outHeight: i32, outWidth: i32, weights: usize, bias: f32, activation: i32, alpha: f32, y: usize, outRowPixels: i32,
): void {
  for (let band = 0; band < outHeight; band += PLANE_ROW_BAND) {
    const bandEnd = min(outHeight, band + PLANE_ROW_BAND);
    for (let ow = 0; ow < outWidth; ow += PLANE_COLUMNS) {
      const vectors = min(PLANE_COLUMNS >> 2, (outWidth - ow + 3) >> 2);
      // One copy of the group per vector count, its accumulators in registers.
      switch (vectors) {
        case 8: planeGroup(8, plane, rowFloats, phaseWidth, kernelH, kernelW, strideH, strideW, dilationH, dilationW, band, bandEnd, ow, outWidth, weights, bias, activation, alpha, y, outRowPixels); break;
        case 7: planeGroup(7, plane, rowFloats, phaseWidth, kernelH, kernelW, strideH, strideW, dilationH, dilationW, band, bandEnd, ow, outWidth, weights, bias, activation, alpha, y, outRowPixels); break;
        case 6: planeGroup(6, plane, rowFloats, phaseWidth, kernelH, kernelW, strideH, strideW, dilationH, dilationW, band, bandEnd, ow, outWidth, weights, bias, activation, alpha, y, outRowPixels); break;
        case 5: planeGroup(5, plane, rowFloats, phaseWidth, kernelH, kernelW, strideH, strideW, dilationH, dilationW, band, bandEnd, ow, outWidth, weights, bias, activation, alpha, y, outRowPixels); break;
        case 4: planeGroup(4, plane, rowFloats, phaseWidth, kernelH, kernelW, strideH, strideW, dilationH, dilationW, band, bandEnd, ow, outWidth, weights, bias, activation, alpha, y, outRowPixels); break;
        case 3: planeGroup(3, plane, rowFloats, phaseWidth, kernelH, kernelW, strideH, strideW, dilationH, dilationW, band, bandEnd, ow, outWidth, weights, bias, activation, alpha, y, outRowPixels); break;
        case 2: planeGroup(2, plane, rowFloats, phaseWidth, kernelH, kernelW, strideH, strideW, dilationH, dilationW, band, bandEnd, ow, outWidth, weights, bias, activation, alpha, y, outRowPixels); break;
        default: planeGroup(1, plane, rowFloats, phaseWidth, kernelH, kernelW, strideH, strideW, dilationH, dilationW, band, bandEnd, ow, outWidth, weights, bias, activation, alpha, y, outRowPixels);
      }
    }
  }
}

/**
 * Output columns [ow, ow + 4·vectors) ∩ [0, outWidth) of rows [band, bandEnd), `vectors` a
 * constant after inlining. Sums bias, then the taps row by row, the same order at any band split.
 */
@inline function planeGroup(
  vectors: i32, plane: usize, rowFloats: i32, phaseWidth: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32,
  band: i32, bandEnd: i32, ow: i32, outWidth: i32, weights: usize, bias: f32, activation: i32, alpha: f32, y: usize, outRowPixels: i32,
): void {
  const rowBytes = <usize>rowFloats << 2;
  const phaseBytes = <usize>phaseWidth << 2;
  // From tap kw to kw + 1: dilationW further along the padded row, in phase-split terms.
  const phaseStep = dilationW % strideW;
  const columnStep = (<usize>(dilationW / strideW) << 2) + <usize>phaseStep * phaseBytes;
  const phaseWrap = <usize>strideW * phaseBytes - 4; // back strideW phases, one column on
  const biasVector = f32x4.splat(bias);
  for (let oh = band; oh < bandEnd; oh++) {
    const inRow = plane + <usize>(oh * strideH) * rowBytes + (<usize>ow << 2);
    let acc0 = biasVector, acc1 = biasVector, acc2 = biasVector, acc3 = biasVector;
    let acc4 = biasVector, acc5 = biasVector, acc6 = biasVector, acc7 = biasVector;
    let w = weights;
    for (let kh = 0; kh < kernelH; kh++) {
      let from = inRow + <usize>(kh * dilationH) * rowBytes;
      let phase = 0;
      for (let kw = 0; kw < kernelW; kw++) {
        const wv = v128.load32_splat(w);
        acc0 = f32x4.add(acc0, f32x4.mul(wv, v128.load(from)));
        if (vectors > 1) acc1 = f32x4.add(acc1, f32x4.mul(wv, v128.load(from, 16)));
        if (vectors > 2) acc2 = f32x4.add(acc2, f32x4.mul(wv, v128.load(from, 32)));
        if (vectors > 3) acc3 = f32x4.add(acc3, f32x4.mul(wv, v128.load(from, 48)));
        if (vectors > 4) acc4 = f32x4.add(acc4, f32x4.mul(wv, v128.load(from, 64)));
        if (vectors > 5) acc5 = f32x4.add(acc5, f32x4.mul(wv, v128.load(from, 80)));
        if (vectors > 6) acc6 = f32x4.add(acc6, f32x4.mul(wv, v128.load(from, 96)));
        if (vectors > 7) acc7 = f32x4.add(acc7, f32x4.mul(wv, v128.load(from, 112)));
        from += columnStep;
        phase += phaseStep;
        if (phase >= strideW) {
          phase -= strideW;
          from -= phaseWrap;
        }
        w += 4;
      }
    }
    const to = y + (<usize>(oh * outRowPixels + ow) << 2);
    const last = outWidth - ow - 4 * (vectors - 1); // lanes of the last vector to write
    storeGroupVector(vectors, 0, to, acc0, last, activation, alpha);
    storeGroupVector(vectors, 1, to, acc1, last, activation, alpha);
    storeGroupVector(vectors, 2, to, acc2, last, activation, alpha);
    storeGroupVector(vectors, 3, to, acc3, last, activation, alpha);
    storeGroupVector(vectors, 4, to, acc4, last, activation, alpha);
    storeGroupVector(vectors, 5, to, acc5, last, activation, alpha);
    storeGroupVector(vectors, 6, to, acc6, last, activation, alpha);
    storeGroupVector(vectors, 7, to, acc7, last, activation, alpha);
  }
}

/** Vector `j` of a group of `vectors` (constants after inlining): whole, or the ragged last one. */
@inline function storeGroupVector(vectors: i32, j: i32, to: usize, acc: v128, last: i32, activation: i32, alpha: f32): void {
  if (j == vectors - 1) storeLanes(to + (<usize>j << 4), applyActivation(acc, activation, alpha), last);
  else if (j < vectors) v128.store(to + (<usize>j << 4), applyActivation(acc, activation, alpha));
}
