// Data movement that turns one op's input into the conv2d another op runs: conv3d's depth slices
// stacked as channels, convTranspose2d's stride-spread input, and planes put back in order. Done
// here so that ops on resident tensors never copy through JavaScript.

/**
 * conv3d as a batched conv2d: image n·outD + od has channel c·kD + kd = depth slice
 * od·strideD + kd·dilationD − padFront of channel c (zeros outside the input). NCDHW input
 * [N, C, D, plane] gives images [C·kD, plane]; NDHWC input [N, D, plane, C] gives [plane, C·kD].
 */
export function stackDepthSlices(
  x: usize, batch: i32, channels: i32, inD: i32, plane: i32, kernelD: i32, outD: i32,
  strideD: i32, dilationD: i32, padFront: i32, channelsLast: bool, dst: usize,
): void {
  const stacked = channels * kernelD;
  const imageFloats = <usize>stacked * <usize>plane;
  for (let n = 0; n < batch; n++) {
    for (let od = 0; od < outD; od++) {
      const image = dst + (<usize>(n * outD + od) * imageFloats << 2);
      for (let kd = 0; kd < kernelD; kd++) {
        const id = od * strideD + kd * dilationD - padFront;
        const inside = id >= 0 && id < inD;
        if (!channelsLast) {
          for (let c = 0; c < channels; c++) {
            const to = image + (<usize>(c * kernelD + kd) * <usize>plane << 2);
            if (inside) memory.copy(to, x + (<usize>((n * channels + c) * inD + id) * <usize>plane << 2), <usize>plane << 2);
            else memory.fill(to, 0, <usize>plane << 2);
          }
          continue;
        }
        const from = x + (<usize>(n * inD + id) * <usize>plane * <usize>channels << 2);
        for (let p = 0; p < plane; p++) {
          const to = image + ((<usize>p * <usize>stacked + <usize>kd) << 2);
          const source = from + (<usize>p * <usize>channels << 2);
          for (let c = 0; c < channels; c++) {
            store<f32>(to + (<usize>(c * kernelD) << 2), inside ? load<f32>(source + (<usize>c << 2)) : 0);
          }
        }
      }
    }
  }
}

/**
 * The transposed conv's spread input: zeros, with input pixel (ih, iw) at row ih·strideH +
 * borderTop, column iw·strideW + borderLeft of a height × width image (negative borders crop).
 */
export function spreadPixels(
  x: usize, batch: i32, channels: i32, inH: i32, inW: i32, strideH: i32, strideW: i32,
  borderTop: i32, borderLeft: i32, height: i32, width: i32, channelsLast: bool, dst: usize,
): void {
  memory.fill(dst, 0, <usize>batch * <usize>channels * <usize>height * <usize>width << 2);
  for (let n = 0; n < batch; n++) {
    for (let ih = 0; ih < inH; ih++) {
      const row = ih * strideH + borderTop;
      if (row < 0 || row >= height) continue;
      for (let iw = 0; iw < inW; iw++) {
        const col = iw * strideW + borderLeft;
        if (col < 0 || col >= width) continue;
        if (channelsLast) {
          const from = x + (<usize>((n * inH + ih) * inW + iw) * <usize>channels << 2);
          memory.copy(dst + (<usize>((n * height + row) * width + col) * <usize>channels << 2), from, <usize>channels << 2);
          continue;
        }
        for (let c = 0; c < channels; c++) {
          const from = x + (<usize>(((n * channels + c) * inH + ih) * inW + iw) << 2);
          store<f32>(dst + (<usize>(((n * channels + c) * height + row) * width + col) << 2), load<f32>(from));
        }
      }
    }
  }
}

/** Planes [outer, inner, plane] → [inner, outer, plane] per batch image (conv3d's NCDHW output). */
export function swapPlaneAxes(src: usize, batch: i32, outer: i32, inner: i32, plane: i32, dst: usize): void {
  const bytes = <usize>plane << 2;
  for (let n = 0; n < batch; n++) {
    const image = <usize>n * <usize>outer * <usize>inner;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        memory.copy(dst + ((image + <usize>(i * outer + o)) * bytes), src + ((image + <usize>(o * inner + i)) * bytes), bytes);
      }
    }
  }
}
