// Packing into the panel formats that gemm4x8 reads.
//
// Reduction index k runs over (input channel, kernel row, kernel column). Its order follows the
// activation layout so that the gather from the input is as contiguous as it can be:
//   channels first (NCHW): k = (c·kH + kh)·kW + kw
//   channels last  (NHWC): k = (kh·kW + kw)·Cg + c
// Weights are packed with the same order, once, by packWeights.

import { loadColumns } from "./vector";

/**
 * Packs `count` filters of a group into panels of `panelWidth` (4: rows of A, 8: columns of B).
 * The source is addressed by element strides, so any weight layout (OIHW, HWIO, OHWI) packs
 * without a transposed copy. Lanes past `count` are zero.
 */
export function packWeights(
  src: usize, count: i32, channels: i32, kernelH: i32, kernelW: i32,
  strideFilter: i32, strideChannel: i32, strideRow: i32, strideCol: i32,
  channelsLast: bool, panelWidth: i32, dst: usize,
): void {
  const depth = channels * kernelH * kernelW;
  const panels = (count + panelWidth - 1) / panelWidth;
  memory.fill(dst, 0, <usize>panels * <usize>panelWidth * <usize>depth << 2);
  for (let f = 0; f < count; f++) {
    const panelBase = dst + ((<usize>(f / panelWidth) * <usize>depth * <usize>panelWidth + <usize>(f % panelWidth)) << 2);
    for (let c = 0; c < channels; c++) {
      for (let kh = 0; kh < kernelH; kh++) {
        for (let kw = 0; kw < kernelW; kw++) {
          const k = channelsLast ? (kh * kernelW + kw) * channels + c : (c * kernelH + kh) * kernelW + kw;
          const from = src + (<usize>(f * strideFilter + c * strideChannel + kh * strideRow + kw * strideCol) << 2);
          store<f32>(panelBase + ((<usize>k * <usize>panelWidth) << 2), load<f32>(from));
        }
      }
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

/**
 * Channels-first im2col for output pixels [p0, p0 + pixelCount) of one image and group, written
 * as B panels of 8 pixels ([depth][8]). Reads `padded`: the group's channel planes with zero
 * borders (padPlane), `rowBytes` and `planeBytes` apart, wide enough that no read leaves a
 * row. A panel inside one output row is two vector loads per reduction step.
 */
export function packInputColumnsNCHW(
  padded: usize, rowBytes: i32, planeBytes: i32, channels: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32,
  outWidth: i32, p0: i32, pixelCount: i32, dst: usize,
): void {
  const depth = channels * kernelH * kernelW;
  const columnStep = <usize>strideW << 4;
  for (let t0 = 0; t0 < pixelCount; t0 += 8) {
    const panel = dst + (<usize>(t0 >> 3) * <usize>depth << 5);
    const oh = (p0 + t0) / outWidth;
    const ow = (p0 + t0) % outWidth;
    if (ow + 8 <= outWidth && t0 + 8 <= pixelCount) {
      const origin = padded + <usize>(oh * strideH) * <usize>rowBytes + (<usize>(ow * strideW) << 2);
      let to = panel;
      for (let c = 0; c < channels; c++) {
        for (let kh = 0; kh < kernelH; kh++) {
          let from = origin + <usize>c * <usize>planeBytes + <usize>(kh * dilationH) * <usize>rowBytes;
          for (let kw = 0; kw < kernelW; kw++) {
            v128.store(to, loadColumns(from, strideW));
            v128.store(to, loadColumns(from + columnStep, strideW), 16);
            from += <usize>dilationW << 2;
            to += 32;
          }
        }
      }
    } else {
      // The panel wraps to the next output row or ends the block: one lane at a time.
      for (let lane = 0; lane < 8; lane++) {
        const t = t0 + lane;
        let to = panel + (<usize>lane << 2);
        if (t >= pixelCount) {
          for (let k = 0; k < depth; k++) { store<f32>(to, 0); to += 32; }
          continue;
        }
        const origin = padded + <usize>(((p0 + t) / outWidth) * strideH) * <usize>rowBytes + (<usize>(((p0 + t) % outWidth) * strideW) << 2);
        for (let c = 0; c < channels; c++) {
          for (let kh = 0; kh < kernelH; kh++) {
            let from = origin + <usize>c * <usize>planeBytes + <usize>(kh * dilationH) * <usize>rowBytes;
            for (let kw = 0; kw < kernelW; kw++) {
              store<f32>(to, load<f32>(from));
              from += <usize>dilationW << 2;
              to += 32;
            }
          }
        }
      }
    }
  }
}

/**
 * Channels-last im2col for output pixels [p0, p0 + pixelCount) of one image and group, written
 * as A panels of 4 pixels ([depth][4]). `x` points at the image's first pixel plus the group's
 * channel offset; `pixelStride` is the total channel count C.
 */
export function packInputRowsNHWC(
  x: usize, height: i32, width: i32, channels: i32, pixelStride: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32,
  padTop: i32, padLeft: i32, outWidth: i32,
  p0: i32, pixelCount: i32, dst: usize,
): void {
  const depth = channels * kernelH * kernelW;
  const panelBytes = <usize>depth << 4;
  if (pixelCount & 3) {
    memory.fill(dst + <usize>(pixelCount >> 2) * panelBytes, 0, panelBytes);
  }
  let oh = p0 / outWidth;
  let ow = p0 % outWidth;
  for (let t = 0; t < pixelCount; t++) {
    const laneBase = dst + <usize>(t >> 2) * panelBytes + (<usize>(t & 3) << 2);
    for (let kh = 0; kh < kernelH; kh++) {
      const ih = oh * strideH + kh * dilationH - padTop;
      for (let kw = 0; kw < kernelW; kw++) {
        const iw = ow * strideW + kw * dilationW - padLeft;
        let to = laneBase + (<usize>((kh * kernelW + kw) * channels) << 4);
        if (ih >= 0 && ih < height && iw >= 0 && iw < width) {
          let from = x + ((<usize>(ih * width + iw) * <usize>pixelStride) << 2);
          for (let c = 0; c < channels; c++) {
            store<f32>(to, load<f32>(from));
            to += 16;
            from += 4;
          }
        } else {
          for (let c = 0; c < channels; c++) {
            store<f32>(to, 0);
            to += 16;
          }
        }
      }
    }
    if (++ow == outWidth) { ow = 0; oh++; }
  }
}
