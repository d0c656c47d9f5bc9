// Packing into the panel formats that the gemm tile kernels read (assembly/gen/gemm-tiles.ts).
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

/**
 * Copies a height×width plane into a paddedHeight×paddedWidth plane at (padTop, padLeft) and
 * zeroes the border around it (only the border: the interior is written once).
 */
export function padPlane(
  src: usize, height: i32, width: i32, padTop: i32, padLeft: i32,
  paddedHeight: i32, paddedWidth: i32, dst: usize,
): void {
  const rowBytes = <usize>width << 2;
  const paddedRowBytes = <usize>paddedWidth << 2;
  const leftBytes = <usize>padLeft << 2;
  const rightBytes = <usize>(paddedWidth - padLeft - width) << 2;
  memory.fill(dst, 0, <usize>padTop * paddedRowBytes);
  for (let r = 0; r < height; r++) {
    const row = dst + <usize>(r + padTop) * paddedRowBytes;
    memory.fill(row, 0, leftBytes);
    memory.copy(row + leftBytes, src + <usize>r * rowBytes, rowBytes);
    memory.fill(row + leftBytes + rowBytes, 0, rightBytes);
  }
  memory.fill(dst + <usize>(padTop + height) * paddedRowBytes, 0, <usize>(paddedHeight - padTop - height) * paddedRowBytes);
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
  // A constant stride per copy of the loop: the column loads then compile without a branch.
  if (strideW == 1) packInputColumnsNCHWStrided(padded, rowBytes, planeBytes, channels, kernelH, kernelW, strideH, 1, dilationH, dilationW, outWidth, p0, pixelCount, dst);
  else if (strideW == 2) packInputColumnsNCHWStrided(padded, rowBytes, planeBytes, channels, kernelH, kernelW, strideH, 2, dilationH, dilationW, outWidth, p0, pixelCount, dst);
  else packInputColumnsNCHWStrided(padded, rowBytes, planeBytes, channels, kernelH, kernelW, strideH, strideW, dilationH, dilationW, outWidth, p0, pixelCount, dst);
}

@inline function packInputColumnsNCHWStrided(
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
 * as A panels of 4 pixels ([depth][4]). Reads `padded`: the image with zero borders (padPlane
 * over rows of W·C floats), `rowBytes` per row and `pixelBytes` (C floats) per pixel, starting
 * at the group's first channel. Four channels of the four pixels are moved at once with a 4×4
 * transpose. Lanes past the block repeat its last pixel: they only feed output rows that are
 * never stored.
 */
export function packInputRowsNHWC(
  padded: usize, rowBytes: i32, pixelBytes: i32, channels: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32,
  outWidth: i32, p0: i32, pixelCount: i32, dst: usize,
): void {
  const depth = channels * kernelH * kernelW;
  // Undilated and with one group, a window row's kW taps of C channels are one contiguous run of
  // kW·C floats, in depth order: transpose it whole (a 7×7 RGB stem moved 3-float runs one float
  // at a time). A group's channels are only part of each pixel.
  const wholeRows = dilationW == 1 && channels << 2 == pixelBytes;
  const runFloats = wholeRows ? kernelW * channels : channels;
  const runsPerRow = wholeRows ? 1 : kernelW;
  const vectorFloats = runFloats & ~3;
  for (let t0 = 0; t0 < pixelCount; t0 += 4) {
    const last = min(t0 + 3, pixelCount - 1);
    const o0 = windowOrigin(padded, rowBytes, pixelBytes, strideH, strideW, outWidth, p0 + t0);
    const o1 = windowOrigin(padded, rowBytes, pixelBytes, strideH, strideW, outWidth, p0 + min(t0 + 1, last));
    const o2 = windowOrigin(padded, rowBytes, pixelBytes, strideH, strideW, outWidth, p0 + min(t0 + 2, last));
    const o3 = windowOrigin(padded, rowBytes, pixelBytes, strideH, strideW, outWidth, p0 + last);
    let to = dst + (<usize>(t0 >> 2) * <usize>depth << 4);
    for (let kh = 0; kh < kernelH; kh++) {
      for (let run = 0; run < runsPerRow; run++) {
        const tap = <usize>(kh * dilationH) * <usize>rowBytes + <usize>(run * dilationW) * <usize>pixelBytes;
        let c = 0;
        for (; c < vectorFloats; c += 4) {
          const offset = tap + (<usize>c << 2);
          const r0 = v128.load(o0 + offset);
          const r1 = v128.load(o1 + offset);
          const r2 = v128.load(o2 + offset);
          const r3 = v128.load(o3 + offset);
          const lo01 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
          const lo23 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
          const hi01 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
          const hi23 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
          v128.store(to, v128.shuffle<f32>(lo01, lo23, 0, 1, 4, 5));
          v128.store(to, v128.shuffle<f32>(lo01, lo23, 2, 3, 6, 7), 16);
          v128.store(to, v128.shuffle<f32>(hi01, hi23, 0, 1, 4, 5), 32);
          v128.store(to, v128.shuffle<f32>(hi01, hi23, 2, 3, 6, 7), 48);
          to += 64;
        }
        for (; c < runFloats; c++) {
          const offset = tap + (<usize>c << 2);
          store<f32>(to, load<f32>(o0 + offset));
          store<f32>(to, load<f32>(o1 + offset), 4);
          store<f32>(to, load<f32>(o2 + offset), 8);
          store<f32>(to, load<f32>(o3 + offset), 12);
          to += 16;
        }
      }
    }
  }
}

/** Where output pixel p's window starts in a zero-bordered channels-last image. */
@inline function windowOrigin(
  padded: usize, rowBytes: i32, pixelBytes: i32, strideH: i32, strideW: i32, outWidth: i32, p: i32,
): usize {
  return padded + <usize>((p / outWidth) * strideH) * <usize>rowBytes + <usize>((p % outWidth) * strideW) * <usize>pixelBytes;
}

/**
 * Copies a grid of `rows × cols` elements of `element` floats per plane from dense `src` to every
 * rowStep-th row and colStep-th column of `dst`, starting at (row0, col0): writes one phase of an
 * interleaved output (a transposed convolution's stride phases). Strides are in floats.
 */
export function scatterPhase(
  src: usize, srcPlane: i32, srcRow: i32,
  dst: usize, dstPlane: i32, dstRow: i32,
  planes: i32, rows: i32, cols: i32, element: i32,
  row0: i32, rowStep: i32, col0: i32, colStep: i32,
): void {
  const elementBytes = <usize>element << 2;
  for (let p = 0; p < planes; p++) {
    for (let j = 0; j < rows; j++) {
      let from = src + ((<usize>p * <usize>srcPlane + <usize>j * <usize>srcRow) << 2);
      let to = dst + ((<usize>p * <usize>dstPlane + <usize>(row0 + j * rowStep) * <usize>dstRow + <usize>col0 * <usize>element) << 2);
      const toStep = <usize>colStep * elementBytes;
      if (element == 1) {
        for (let i = 0; i < cols; i++) {
          store<f32>(to, load<f32>(from));
          from += 4;
          to += toStep;
        }
      } else {
        for (let i = 0; i < cols; i++) {
          memory.copy(to, from, elementBytes);
          from += elementBytes;
          to += toStep;
        }
      }
    }
  }
}

/**
 * Rows [i0, i0 + 4) of a row-major A (`aRowStride` floats per row; past `rows` the last row is
 * repeated, as a ragged tile expects) into one packed GEMM panel, [depth][4] floats: four
 * values at a time through a 4×4 transpose. Only copies, so the GEMM's sums are unchanged.
 */
export function packRowGroup(a: usize, aRowStride: i32, i0: i32, rows: i32, depth: i32, panel: usize): void {
  const rowBytes = <usize>aRowStride << 2;
  const last = rows - 1;
  const r0 = a + <usize>i0 * rowBytes;
  const r1 = a + <usize>min(i0 + 1, last) * rowBytes;
  const r2 = a + <usize>min(i0 + 2, last) * rowBytes;
  const r3 = a + <usize>min(i0 + 3, last) * rowBytes;
  let k = 0;
  for (; k + 4 <= depth; k += 4) {
    const at = <usize>k << 2;
    const v0 = v128.load(r0 + at), v1 = v128.load(r1 + at), v2 = v128.load(r2 + at), v3 = v128.load(r3 + at);
    const t0 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
    const t2 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
    const to = panel + (<usize>k << 4);
    v128.store(to, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
    v128.store(to, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 16);
    v128.store(to, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 32);
    v128.store(to, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 48);
  }
  for (; k < depth; k++) {
    const at = <usize>k << 2;
    const to = panel + (<usize>k << 4);
    store<f32>(to, load<f32>(r0 + at));
    store<f32>(to, load<f32>(r1 + at), 4);
    store<f32>(to, load<f32>(r2 + at), 8);
    store<f32>(to, load<f32>(r3 + at), 12);
  }
}
