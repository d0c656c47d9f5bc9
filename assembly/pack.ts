// Packing into the panel formats that gemm4x8 reads.
//
// Reduction index k runs over (input channel, kernel row, kernel column). Its order follows the
// activation layout so that the gather from the input is as contiguous as it can be:
//   channels first (NCHW): k = (c·kH + kh)·kW + kw
//   channels last  (NHWC): k = (kh·kW + kw)·Cg + c
// Weights are packed with the same order, once, by packWeights.

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
 * Channels-first im2col for output pixels [p0, p0 + pixelCount) of one image and group,
 * written as B panels of 8 pixels ([depth][8]). `x` points at the group's first channel plane.
 */
export function packInputColumnsNCHW(
  x: usize, height: i32, width: i32, channels: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32,
  padTop: i32, padLeft: i32, outWidth: i32,
  p0: i32, pixelCount: i32, dst: usize,
): void {
  const depth = channels * kernelH * kernelW;
  const panelBytes = <usize>depth << 5;
  if (pixelCount & 7) {
    memory.fill(dst + <usize>(pixelCount >> 3) * panelBytes, 0, panelBytes);
  }
  const plane = <usize>height * <usize>width;
  const oh0 = p0 / outWidth;
  const ow0 = p0 % outWidth;
  let k = 0;
  for (let c = 0; c < channels; c++) {
    const channelBase = x + ((<usize>c * plane) << 2);
    for (let kh = 0; kh < kernelH; kh++) {
      const rowOffset = kh * dilationH - padTop;
      for (let kw = 0; kw < kernelW; kw++) {
        const colOffset = kw * dilationW - padLeft;
        const kBase = dst + (<usize>k << 5);
        let oh = oh0, ow = ow0;
        let ih = oh * strideH + rowOffset;
        let rowValid = ih >= 0 && ih < height;
        let rowBase = channelBase + ((<usize>ih * <usize>width) << 2);
        for (let t = 0; t < pixelCount; t++) {
          const iw = ow * strideW + colOffset;
          let v: f32 = 0;
          if (rowValid && iw >= 0 && iw < width) v = load<f32>(rowBase + (<usize>iw << 2));
          store<f32>(kBase + <usize>(t >> 3) * panelBytes + (<usize>(t & 7) << 2), v);
          if (++ow == outWidth) {
            ow = 0;
            oh++;
            ih = oh * strideH + rowOffset;
            rowValid = ih >= 0 && ih < height;
            rowBase = channelBase + ((<usize>ih * <usize>width) << 2);
          }
        }
        k++;
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
