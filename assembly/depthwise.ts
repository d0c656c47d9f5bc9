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
 * NHWC, one image. Output pixels whose window lies inside the image columns run four at a time
 * (one weight vector feeds four accumulators); the rest go through depthwisePixelNHWC. Kernel
 * rows outside the image are skipped for the whole output row. `bias` is padded to a multiple
 * of 8 floats (or 0 for none); the input must be readable 12 bytes past its end. Output rows are
 * `outRowPixels` pixels apart (outWidth, or wider to write a zero-bordered layout in place).
 */
export function depthwiseNHWC(
  x: usize, height: i32, width: i32, channels: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32,
  padTop: i32, padLeft: i32, outHeight: i32, outWidth: i32,
  weights: usize, bias: usize, activation: i32, alpha: f32, y: usize, outRowPixels: i32,
): void {
  const pixelBytes = <usize>channels << 2;
  const tapBytes = <usize>((channels + 7) & ~7) << 2;
  const step = <usize>strideW * pixelBytes; // from one output pixel's window to the next
  const slides = strideW == 1 && dilationW == 1;
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
    let ow = 0;
    for (; ow < interiorBegin; ow++) {
      depthwisePixelNHWC(x, width, channels, kernelW, dilationH, dilationW, ih0, ow * strideW - padLeft,
        khBegin, khEnd, weights, bias, activation, alpha, outRow + <usize>ow * pixelBytes);
    }
    for (; ow + 4 <= interiorEnd; ow += 4) {
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
    for (; ow < outWidth; ow++) {
      depthwisePixelNHWC(x, width, channels, kernelW, dilationH, dilationW, ih0, ow * strideW - padLeft,
        khBegin, khEnd, weights, bias, activation, alpha, outRow + <usize>ow * pixelBytes);
    }
  }
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
