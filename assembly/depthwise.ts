// Depthwise convolution (one filter per channel: groups = C = M), any kernel size, stride and
// dilation. A GEMM wastes most of its tile here (one filter row per group), so these kernels
// vectorise across what is contiguous instead: channels in NHWC, output columns in NCHW.

import { applyActivation } from "./activation";
import { storeLanes } from "./store";

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
 * NHWC, one image: for every output pixel the window's valid taps are found once, then each
 * tap adds x[ih, iw, c..c+7] · w[tap, c..c+7] for all channels. `bias` is padded to a multiple
 * of 8 floats (or 0 for none); the input must be readable 28 bytes past its end.
 */
export function depthwiseNHWC(
  x: usize, height: i32, width: i32, channels: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32,
  padTop: i32, padLeft: i32, outHeight: i32, outWidth: i32,
  weights: usize, bias: usize, activation: i32, y: usize,
): void {
  const paddedChannels = (channels + 7) & ~7;
  const pixelBytes = <usize>channels << 2;
  const tapBytes = <usize>paddedChannels << 2;
  const zero = f32x4.splat(0);
  let out = y;
  for (let oh = 0; oh < outHeight; oh++) {
    const ih0 = oh * strideH - padTop;
    // Valid kernel rows: 0 ≤ ih0 + kh·d < height (divisions only at the borders).
    let khBegin = 0, khEnd = kernelH;
    if (ih0 < 0) khBegin = (-ih0 + dilationH - 1) / dilationH;
    if (ih0 + (kernelH - 1) * dilationH >= height) khEnd = min(kernelH, (height - ih0 + dilationH - 1) / dilationH);
    for (let ow = 0; ow < outWidth; ow++) {
      const iw0 = ow * strideW - padLeft;
      let kwBegin = 0, kwEnd = kernelW;
      if (iw0 < 0) kwBegin = (-iw0 + dilationW - 1) / dilationW;
      if (iw0 + (kernelW - 1) * dilationW >= width) kwEnd = min(kernelW, (width - iw0 + dilationW - 1) / dilationW);
      for (let c = 0; c < channels; c += 8) {
        const cBytes = <usize>c << 2;
        let acc0 = zero, acc1 = zero;
        if (bias != 0) {
          acc0 = v128.load(bias + cBytes);
          acc1 = v128.load(bias + cBytes, 16);
        }
        for (let kh = khBegin; kh < khEnd; kh++) {
          const row = x + <usize>((ih0 + kh * dilationH) * width) * pixelBytes + cBytes;
          const wRow = weights + <usize>(kh * kernelW) * tapBytes + cBytes;
          for (let kw = kwBegin; kw < kwEnd; kw++) {
            const from = row + <usize>(iw0 + kw * dilationW) * pixelBytes;
            const w = wRow + <usize>kw * tapBytes;
            acc0 = f32x4.add(acc0, f32x4.mul(v128.load(from), v128.load(w)));
            acc1 = f32x4.add(acc1, f32x4.mul(v128.load(from, 16), v128.load(w, 16)));
          }
        }
        const remaining = channels - c;
        storeLanes(out + cBytes, applyActivation(acc0, activation), remaining);
        if (remaining > 4) storeLanes(out + cBytes + 16, applyActivation(acc1, activation), remaining - 4);
      }
      out += pixelBytes;
    }
  }
}

/**
 * NCHW, one channel plane. The caller first copies the plane into `padded` with zero borders
 * (paddedWidth columns, enough rows and columns for whole 8-column output groups), so the
 * inner loop has no bounds checks: output columns ow..ow+7 read padded columns
 * ow·s + kw·d, gathered with shuffles when the stride is 2.
 */
export function depthwisePlaneNCHW(
  padded: usize, paddedWidth: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32,
  outHeight: i32, outWidth: i32, weights: usize, bias: f32, activation: i32, y: usize,
): void {
  const rowBytes = <usize>paddedWidth << 2;
  const biasVector = f32x4.splat(bias);
  for (let oh = 0; oh < outHeight; oh++) {
    const inRow = padded + <usize>(oh * strideH) * rowBytes;
    const outRow = y + ((<usize>(oh * outWidth)) << 2);
    for (let ow = 0; ow < outWidth; ow += 8) {
      let acc0 = biasVector, acc1 = biasVector;
      let w = weights;
      for (let kh = 0; kh < kernelH; kh++) {
        const tapRow = inRow + <usize>(kh * dilationH) * rowBytes;
        for (let kw = 0; kw < kernelW; kw++) {
          const wv = v128.load32_splat(w);
          const from = tapRow + (<usize>(ow * strideW + kw * dilationW) << 2);
          let x0: v128, x1: v128;
          if (strideW == 1) {
            x0 = v128.load(from);
            x1 = v128.load(from, 16);
          } else if (strideW == 2) {
            x0 = v128.shuffle<f32>(v128.load(from), v128.load(from, 16), 0, 2, 4, 6);
            x1 = v128.shuffle<f32>(v128.load(from, 32), v128.load(from, 48), 0, 2, 4, 6);
          } else {
            const step = <usize>strideW << 2;
            x0 = f32x4.replace_lane(f32x4.splat(load<f32>(from)), 1, load<f32>(from + step));
            x0 = f32x4.replace_lane(x0, 2, load<f32>(from + 2 * step));
            x0 = f32x4.replace_lane(x0, 3, load<f32>(from + 3 * step));
            const from1 = from + 4 * step;
            x1 = f32x4.replace_lane(f32x4.splat(load<f32>(from1)), 1, load<f32>(from1 + step));
            x1 = f32x4.replace_lane(x1, 2, load<f32>(from1 + 2 * step));
            x1 = f32x4.replace_lane(x1, 3, load<f32>(from1 + 3 * step));
          }
          acc0 = f32x4.add(acc0, f32x4.mul(wv, x0));
          acc1 = f32x4.add(acc1, f32x4.mul(wv, x1));
          w += 4;
        }
      }
      const remaining = outWidth - ow;
      const to = outRow + (<usize>ow << 2);
      storeLanes(to, applyActivation(acc0, activation), remaining);
      if (remaining > 4) storeLanes(to + 16, applyActivation(acc1, activation), remaining - 4);
    }
  }
}

/** Copies a height×width plane into the middle of a zeroed paddedHeight×paddedWidth plane. */
export function padPlane(
  src: usize, height: i32, width: i32, padTop: i32, padLeft: i32,
  paddedHeight: i32, paddedWidth: i32, dst: usize,
): void {
  memory.fill(dst, 0, <usize>(paddedHeight * paddedWidth) << 2);
  const rowBytes = <usize>width << 2;
  for (let r = 0; r < height; r++) {
    memory.copy(dst + (<usize>((r + padTop) * paddedWidth + padLeft) << 2), src + <usize>r * rowBytes, rowBytes);
  }
}
