// Max and average pooling (ONNX MaxPool / AveragePool semantics) and global average pooling.
// NHWC vectorises across channels (contiguous); NCHW across output columns of one plane, on a
// copy of the plane with its padding written out when there is any, so the window loop has no
// bounds tests. Only pointers and sizes come in: no per-call state in globals.

import { loadColumns, storeLanes } from "./vector";

/** Pool modes shared with src/ops/pool2d.ts (POOL_MODES). */
export const POOL_MAX: i32 = 0;
/** Average over the real input positions of the window. */
export const POOL_AVG_EXCLUDE_PAD: i32 = 1;
/** Average over the window's positions inside input + explicit padding (never past it). */
export const POOL_AVG_INCLUDE_PAD: i32 = 2;

@inline function ceilDiv(a: i32, b: i32): i32 {
  return (a + b - 1) / b;
}

/** First kernel tap of a window starting at `start` that lands at position ≥ 0. */
@inline function firstTap(start: i32, dilation: i32): i32 {
  return start < 0 ? ceilDiv(-start, dilation) : 0;
}

/** One past the last tap (at most `kernel`) that lands before `limit`. */
@inline function endTap(start: i32, dilation: i32, kernel: i32, limit: i32): i32 {
  return limit <= start ? 0 : min(kernel, ceilDiv(limit - start, dilation));
}

/**
 * How many of a window's taps along one axis the average divides by: the real ones, or with
 * `includePad` every tap before the end of the explicit padding (windows start inside it).
 */
@inline function tapCount(start: i32, dilation: i32, kernel: i32, size: i32, padEnd: i32, mode: i32): i32 {
  if (mode == POOL_AVG_INCLUDE_PAD) return endTap(start, dilation, kernel, size + padEnd);
  return max(0, endTap(start, dilation, kernel, size) - firstTap(start, dilation));
}

/** sum / count, and 0 for a window with no position to count (as onnxruntime). */
@inline function average(sum: v128, count: v128): v128 {
  return v128.bitselect(f32x4.splat(0), f32x4.div(sum, count), f32x4.eq(count, f32x4.splat(0)));
}

/**
 * NHWC pooling of `batch` images H×W×C into outH×outW×C. Per output pixel the window is
 * clipped to the image, so padding is never read: max starts at −Infinity (an empty window
 * stays −Infinity), f32x4.max propagates NaN. Channels run 4 at a time; the ragged last group
 * reads up to 3 floats past the pixel (the input's read slack) and stores only its lanes.
 */
export function poolNHWC(
  x: usize, batch: i32, height: i32, width: i32, channels: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32,
  padTop: i32, padLeft: i32, padBottom: i32, padRight: i32, outH: i32, outW: i32, mode: i32, y: usize,
): void {
  const pixelBytes = <usize>channels << 2;
  const isMax = mode == POOL_MAX;
  for (let n = 0; n < batch; n++) {
    const image = x + <usize>(n * height * width) * pixelBytes;
    for (let oh = 0; oh < outH; oh++) {
      const ih0 = oh * strideH - padTop;
      const khBegin = firstTap(ih0, dilationH);
      const khEnd = endTap(ih0, dilationH, kernelH, height);
      const countH = tapCount(ih0, dilationH, kernelH, height, padBottom, mode);
      // Max over a whole 3×3 window (ResNet's stem pool): one straight run of loads per channel
      // vector for the output columns whose window lies inside the image.
      let owFast = outW, owFastEnd = outW;
      if (isMax && kernelH == 3 && kernelW == 3 && dilationH == 1 && dilationW == 1 && khBegin == 0 && khEnd == 3) {
        owFast = min(outW, ceilDiv(padLeft, strideW));
        const lastStart = width - 3 + padLeft; // the last window start inside the row, times strideW
        owFastEnd = lastStart < 0 ? owFast : max(owFast, min(outW, lastStart / strideW + 1));
        const row = image + <usize>(ih0 * width) * pixelBytes;
        for (let ow = owFast; ow < owFastEnd; ow++) {
          maxWindow3x3(row + <usize>(ow * strideW - padLeft) * pixelBytes, <usize>width * pixelBytes, pixelBytes, channels,
            y + <usize>((n * outH + oh) * outW + ow) * pixelBytes);
        }
      }
      for (let ow = 0; ow < outW; ow++) {
        if (ow == owFast) ow = owFastEnd; // done above
        if (ow >= outW) break;
        const iw0 = ow * strideW - padLeft;
        const kwBegin = firstTap(iw0, dilationW);
        const kwEnd = endTap(iw0, dilationW, kernelW, width);
        const count = f32x4.splat(<f32>(countH * tapCount(iw0, dilationW, kernelW, width, padRight, mode)));
        const out = y + <usize>((n * outH + oh) * outW + ow) * pixelBytes;
        for (let c = 0; c < channels; c += 4) {
          let acc = f32x4.splat(isMax ? -Infinity : 0);
          for (let kh = khBegin; kh < khEnd; kh++) {
            const row = image + <usize>((ih0 + kh * dilationH) * width) * pixelBytes + (<usize>c << 2);
            for (let kw = kwBegin; kw < kwEnd; kw++) {
              const v = v128.load(row + <usize>(iw0 + kw * dilationW) * pixelBytes);
              acc = isMax ? f32x4.max(acc, v) : f32x4.add(acc, v);
            }
          }
          storeLanes(out + (<usize>c << 2), isMax ? acc : average(acc, count), channels - c);
        }
      }
    }
  }
}

/** Every channel's max over the 3×3 window at `from` (rows `rowBytes` apart), NaN propagating. */
@inline function maxWindow3x3(from: usize, rowBytes: usize, pixelBytes: usize, channels: i32, out: usize): void {
  const end = from + pixelBytes;
  for (let c = 0; from < end; c += 4) {
    const r1 = from + rowBytes, r2 = r1 + rowBytes;
    let m = f32x4.max(f32x4.max(v128.load(from), v128.load(from + pixelBytes)), v128.load(from + 2 * pixelBytes));
    m = f32x4.max(m, f32x4.max(f32x4.max(v128.load(r1), v128.load(r1 + pixelBytes)), v128.load(r1 + 2 * pixelBytes)));
    m = f32x4.max(m, f32x4.max(f32x4.max(v128.load(r2), v128.load(r2 + pixelBytes)), v128.load(r2 + 2 * pixelBytes)));
    storeLanes(out, m, channels - c);
    from += 16;
    out += 16;
  }
}

/**
 * Copies an H×W plane into a paddedH×paddedW one at (padTop, padLeft), the rest `fill`
 * (−Infinity for max, 0 for average): the padding of pooling, written out.
 */
function padPoolPlane(
  src: usize, height: i32, width: i32, padTop: i32, padLeft: i32, paddedH: i32, paddedW: i32, fill: f32, dst: usize,
): void {
  const rows = min(height, paddedH - padTop);
  const cols = min(width, paddedW - padLeft);
  // Only the padding is filled: the copy writes the rest (filling all of it first was a third
  // more writes per plane).
  fillFloats(dst, padTop * paddedW, fill);
  for (let r = 0; r < rows; r++) {
    const row = dst + (<usize>((r + padTop) * paddedW) << 2);
    fillFloats(row, padLeft, fill);
    memory.copy(row + (<usize>padLeft << 2), src + (<usize>(r * width) << 2), <usize>cols << 2);
    fillFloats(row + (<usize>(padLeft + cols) << 2), paddedW - padLeft - cols, fill);
  }
  fillFloats(dst + (<usize>((rows + padTop) * paddedW) << 2), (paddedH - padTop - rows) * paddedW, fill);
}

/** `count` copies of `value` from `dst` (none when count ≤ 0). */
@inline function fillFloats(dst: usize, count: i32, value: f32): void {
  const vector = f32x4.splat(value);
  let i = 0;
  for (; i + 4 <= count; i += 4) v128.store(dst + (<usize>i << 2), vector);
  for (; i < count; i++) store<f32>(dst + (<usize>i << 2), value);
}

/**
 * One output row of a 3×3, stride-2 max pool (ResNet's), NCHW: `top` is its first window row,
 * the others `rowBytes` on. Per 4 outputs (8 columns on) the rows' max is taken first, then
 * split into even and odd columns; the third tap column is the even one shifted by a lane, its
 * last lane from the next group's first column (which that group reuses). Reads up to 11
 * columns past the row's last window start: within the input's read slack or the plane scratch.
 */
@inline function maxRow3x3Stride2(top: usize, rowBytes: usize, outW: i32, out: usize): void {
  let left = max3Rows(top, rowBytes);
  for (let ow = 0; ow < outW; ow += 4) {
    const from = top + (<usize>ow << 3);
    const right = max3Rows(from + 16, rowBytes);
    const next = max3Rows(from + 32, rowBytes);
    const even = v128.shuffle<f32>(left, right, 0, 2, 4, 6);
    const odd = v128.shuffle<f32>(left, right, 1, 3, 5, 7);
    const third = v128.shuffle<f32>(even, next, 1, 2, 3, 4);
    storeLanes(out + (<usize>ow << 2), f32x4.max(f32x4.max(even, odd), third), outW - ow);
    left = next;
  }
}

/** Four columns' max down three rows `rowBytes` apart. */
@inline function max3Rows(from: usize, rowBytes: usize): v128 {
  return f32x4.max(f32x4.max(v128.load(from), v128.load(from + rowBytes)), v128.load(from + 2 * rowBytes));
}

/**
 * NCHW pooling of `planes` (N·C) planes H×W into outH×outW. With padding (or a ceil-mode
 * window past the input) each plane is first copied into `scratch` with its padding written
 * out, paddedH×paddedW covering every window; otherwise the plane is read in place. Four output
 * columns per step: one load at stride 1, two and a shuffle at stride 2 (2×2/s2), lane by lane
 * otherwise (vector.ts loadColumns); ResNet's 3×3/s2 max takes each row triple once
 * (maxRow3x3Stride2: 2.35× faster than nine strided taps on 64@112²). The average divides by the window's
 * count (per column, kept in scratch after the plane; per row, a scalar). The ragged last group
 * reads past the row: up to 9 floats at stride ≤ 2 (within the input's 16-float read slack, so
 * planes are read in place only then), 3·strideW beyond that (the scratch has room:
 * poolScratchFloats in src/ops/pool2d.ts).
 */
export function poolNCHW(
  x: usize, planes: i32, height: i32, width: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32,
  padTop: i32, padLeft: i32, padBottom: i32, padRight: i32, outH: i32, outW: i32, mode: i32,
  paddedH: i32, paddedW: i32, scratch: usize, y: usize,
): void {
  const isMax = mode == POOL_MAX;
  const inPlace = padTop == 0 && padLeft == 0 && paddedH <= height && paddedW <= width && strideW <= 2;
  const rowFloats = inPlace ? width : paddedW;
  const countsW = scratch + (<usize>(paddedH * paddedW) << 2);
  if (!isMax) {
    for (let ow = 0; ow < outW; ow++) {
      store<f32>(countsW + (<usize>ow << 2), <f32>tapCount(ow * strideW - padLeft, dilationW, kernelW, width, padRight, mode));
    }
  }
  const colStep = <usize>strideW << 4; // bytes from one group of 4 output columns to the next
  const max3x3Stride2 = isMax && kernelH == 3 && kernelW == 3 && strideW == 2 && dilationH == 1 && dilationW == 1;
  for (let p = 0; p < planes; p++) {
    const plane = x + (<usize>(p * height * width) << 2);
    let src = plane;
    if (!inPlace) {
      padPoolPlane(plane, height, width, padTop, padLeft, paddedH, paddedW, isMax ? -Infinity : 0, scratch);
      src = scratch;
    }
    const outPlane = y + (<usize>(p * outH * outW) << 2);
    for (let oh = 0; oh < outH; oh++) {
      const countH = f32x4.splat(<f32>tapCount(oh * strideH - padTop, dilationH, kernelH, height, padBottom, mode));
      const rowStart = src + (<usize>(oh * strideH * rowFloats) << 2);
      const out = outPlane + (<usize>(oh * outW) << 2);
      if (max3x3Stride2) {
        maxRow3x3Stride2(rowStart, <usize>rowFloats << 2, outW, out);
        continue;
      }
      let from = rowStart;
      for (let ow = 0; ow < outW; ow += 4, from += colStep) {
        let acc = f32x4.splat(isMax ? -Infinity : 0);
        for (let kh = 0; kh < kernelH; kh++) {
          const tapRow = from + (<usize>(kh * dilationH * rowFloats) << 2);
          for (let kw = 0; kw < kernelW; kw++) {
            const v = loadColumns(tapRow + (<usize>(kw * dilationW) << 2), strideW);
            acc = isMax ? f32x4.max(acc, v) : f32x4.add(acc, v);
          }
        }
        // Average: lanes past outW read counts past the array (scratch slack), never stored.
        if (!isMax) acc = average(acc, f32x4.mul(countH, v128.load(countsW + (<usize>ow << 2))));
        storeLanes(out + (<usize>ow << 2), acc, outW - ow);
      }
    }
  }
}

/** Mean of each of `planes` contiguous planes of `size` floats (NCHW global average pooling). */
export function globalAvgPoolNCHW(x: usize, planes: i32, size: i32, y: usize): void {
  const divisor = <f32>size;
  for (let p = 0; p < planes; p++) {
    const plane = x + (<usize>(p * size) << 2);
    let acc = f32x4.splat(0);
    let i = 0;
    for (; i + 4 <= size; i += 4) acc = f32x4.add(acc, v128.load(plane + (<usize>i << 2)));
    let sum = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
    for (; i < size; i++) sum += load<f32>(plane + (<usize>i << 2));
    store<f32>(y + (<usize>p << 2), sum / divisor);
  }
}

/** Mean over the `pixels` pixels of each of `batch` NHWC images, 4 channels at a time. */
export function globalAvgPoolNHWC(x: usize, batch: i32, pixels: i32, channels: i32, y: usize): void {
  const pixelBytes = <usize>channels << 2;
  const divisor = f32x4.splat(<f32>pixels);
  for (let n = 0; n < batch; n++) {
    const image = x + <usize>(n * pixels) * pixelBytes;
    for (let c = 0; c < channels; c += 4) {
      let acc = f32x4.splat(0);
      for (let i = 0; i < pixels; i++) acc = f32x4.add(acc, v128.load(image + <usize>i * pixelBytes + (<usize>c << 2)));
      storeLanes(y + <usize>n * pixelBytes + (<usize>c << 2), f32x4.div(acc, divisor), channels - c);
    }
  }
}
