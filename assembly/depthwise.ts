// Depthwise convolution (one filter per channel: groups = C = M), any kernel size, stride and
// dilation. A GEMM wastes most of its tile here (one filter row per group), so these kernels
// vectorise across what is contiguous instead: channels in NHWC, output columns in NCHW.

import { applyActivation } from "./activation";
import { loadColumns, storeLanes } from "./vector";

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
        let from = window + <usize>(chunk * strideW - padLeft) * pixelBytes + cBytes;
        let out = outRow + <usize>chunk * pixelBytes + cBytes;
        for (let ow = chunk; ow < chunkEnd; ow++) {
          let acc = b;
          if (khBegin == 0) acc = tapRow(acc, from, pixelBytes, w0, w1, w2);
          acc = tapRow(acc, from + kernelRowBytes, pixelBytes, w3, w4, w5);
          if (khEnd == 3) acc = tapRow(acc, from + 2 * kernelRowBytes, pixelBytes, w6, w7, w8);
          storeLanes(out, applyActivation(acc, activation, alpha), remaining);
          from += step;
          out += pixelBytes;
        }
      }
    }
  }
}

/** acc + the three taps of one kernel row, left to right. */
@inline function tapRow(acc: v128, from: usize, pixelBytes: usize, w0: v128, w1: v128, w2: v128): v128 {
  acc = f32x4.add(acc, f32x4.mul(v128.load(from), w0));
  acc = f32x4.add(acc, f32x4.mul(v128.load(from + pixelBytes), w1));
  return f32x4.add(acc, f32x4.mul(v128.load(from + 2 * pixelBytes), w2));
}

/** Output columns per step of the NCHW plane kernel (src/algorithms/depthwise.ts pads for it). */
export const PLANE_COLUMNS: i32 = 32;
/** Output rows per band of the plane kernel: 4–16 measured alike, 32 and more 1.8× slower. */
const PLANE_ROW_BAND: i32 = 8;

/**
 * NCHW, one channel plane. The caller first copies the plane into `padded` with zero borders
 * (paddedWidth columns, enough rows and columns for whole PLANE_COLUMNS output groups), so the
 * inner loop has no bounds checks: output columns ow..ow+31 read padded columns
 * ow·s + kw·d, gathered with shuffles when the stride is 2. Output rows are `outRowPixels` apart.
 */
export function depthwisePlaneNCHW(
  padded: usize, paddedWidth: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32,
  outHeight: i32, outWidth: i32, weights: usize, bias: f32, activation: i32, alpha: f32, y: usize, outRowPixels: i32,
): void {
  // A constant stride per copy of the loop: the column loads then compile without a branch.
  if (strideW == 1) {
    planeRows(padded, paddedWidth, kernelH, kernelW, strideH, 1, dilationH, dilationW, outHeight, outWidth, weights, bias, activation, alpha, y, outRowPixels);
  } else if (strideW == 2) {
    planeRows(padded, paddedWidth, kernelH, kernelW, strideH, 2, dilationH, dilationW, outHeight, outWidth, weights, bias, activation, alpha, y, outRowPixels);
  } else {
    planeRows(padded, paddedWidth, kernelH, kernelW, strideH, strideW, dilationH, dilationW, outHeight, outWidth, weights, bias, activation, alpha, y, outRowPixels);
  }
}

@inline function planeRows(
  padded: usize, paddedWidth: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32,
  outHeight: i32, outWidth: i32, weights: usize, bias: f32, activation: i32, alpha: f32, y: usize, outRowPixels: i32,
): void {
  const rowBytes = <usize>paddedWidth << 2;
  const columnStep = <usize>strideW << 4; // 4 output columns further along the input row
  const biasVector = f32x4.splat(bias);
  // Bands of rows, and within a band one column group at a time down the rows: the kernel
  // rows a group reads stay in L1 (a 15-row column filter on 1920-pixel rows would otherwise
  // read every input row from L2 fifteen times).
  for (let band = 0; band < outHeight; band += PLANE_ROW_BAND) {
    const bandEnd = min(outHeight, band + PLANE_ROW_BAND);
    for (let ow = 0; ow < outWidth; ow += PLANE_COLUMNS) {
    for (let oh = band; oh < bandEnd; oh++) {
      const inRow = padded + <usize>(oh * strideH) * rowBytes;
      const outRow = y + ((<usize>(oh * outRowPixels)) << 2);
      let acc0 = biasVector, acc1 = biasVector, acc2 = biasVector, acc3 = biasVector;
      let acc4 = biasVector, acc5 = biasVector, acc6 = biasVector, acc7 = biasVector;
      let w = weights;
      for (let kh = 0; kh < kernelH; kh++) {
        let from = inRow + <usize>(kh * dilationH) * rowBytes + (<usize>(ow * strideW) << 2);
        for (let kw = 0; kw < kernelW; kw++) {
          const wv = v128.load32_splat(w);
          acc0 = f32x4.add(acc0, f32x4.mul(wv, loadColumns(from, strideW)));
          acc1 = f32x4.add(acc1, f32x4.mul(wv, loadColumns(from + columnStep, strideW)));
          acc2 = f32x4.add(acc2, f32x4.mul(wv, loadColumns(from + 2 * columnStep, strideW)));
          acc3 = f32x4.add(acc3, f32x4.mul(wv, loadColumns(from + 3 * columnStep, strideW)));
          acc4 = f32x4.add(acc4, f32x4.mul(wv, loadColumns(from + 4 * columnStep, strideW)));
          acc5 = f32x4.add(acc5, f32x4.mul(wv, loadColumns(from + 5 * columnStep, strideW)));
          acc6 = f32x4.add(acc6, f32x4.mul(wv, loadColumns(from + 6 * columnStep, strideW)));
          acc7 = f32x4.add(acc7, f32x4.mul(wv, loadColumns(from + 7 * columnStep, strideW)));
          from += <usize>dilationW << 2;
          w += 4;
        }
      }
      const remaining = outWidth - ow;
      const to = outRow + (<usize>ow << 2);
      if (remaining >= PLANE_COLUMNS) {
        v128.store(to, applyActivation(acc0, activation, alpha));
        v128.store(to, applyActivation(acc1, activation, alpha), 16);
        v128.store(to, applyActivation(acc2, activation, alpha), 32);
        v128.store(to, applyActivation(acc3, activation, alpha), 48);
        v128.store(to, applyActivation(acc4, activation, alpha), 64);
        v128.store(to, applyActivation(acc5, activation, alpha), 80);
        v128.store(to, applyActivation(acc6, activation, alpha), 96);
        v128.store(to, applyActivation(acc7, activation, alpha), 112);
        continue;
      }
      storeLanes(to, applyActivation(acc0, activation, alpha), remaining);
      if (remaining > 4) storeLanes(to + 16, applyActivation(acc1, activation, alpha), remaining - 4);
      if (remaining > 8) storeLanes(to + 32, applyActivation(acc2, activation, alpha), remaining - 8);
      if (remaining > 12) storeLanes(to + 48, applyActivation(acc3, activation, alpha), remaining - 12);
      if (remaining > 16) storeLanes(to + 64, applyActivation(acc4, activation, alpha), remaining - 16);
      if (remaining > 20) storeLanes(to + 80, applyActivation(acc5, activation, alpha), remaining - 20);
      if (remaining > 24) storeLanes(to + 96, applyActivation(acc6, activation, alpha), remaining - 24);
      if (remaining > 28) storeLanes(to + 112, applyActivation(acc7, activation, alpha), remaining - 28);
    }
    }
  }
}
