// Image filtering around the convolution kernels: 8-bit RGBA pixels to a float32 channels-last
// image with the border filled by the edge mode, and back with rounding and clamping. Kept in
// wasm so that a 1080p frame never goes through a JavaScript per-pixel loop.

// Channel modes (src/image/filter.ts CHANNEL_MODES): which channels are filtered.
const RGB: i32 = 0; // R, G, B; alpha copied through
const RGBA: i32 = 1;
const LUMA: i32 = 2; // one channel 0.299 R + 0.587 G + 0.114 B, written back to R, G, B

// Edge modes (src/image/filter.ts EDGE_MODES): what lies outside the image.
const ZERO: i32 = 0;
const CLAMP: i32 = 1;
const REFLECT: i32 = 2; // mirror without repeating the edge: d c b | a b c d | c b a
const WRAP: i32 = 3;

/** Source index for a coordinate outside [0, size), or -1 for zero. */
@inline function edgeIndex(i: i32, size: i32, edge: i32): i32 {
  if (i >= 0 && i < size) return i;
  if (edge == ZERO) return -1;
  if (edge == CLAMP) return i < 0 ? 0 : size - 1;
  if (edge == WRAP) return ((i % size) + size) % size;
  // REFLECT, repeated for borders wider than the image.
  if (size == 1) return 0;
  const period = 2 * size - 2;
  let j = ((i % period) + period) % period;
  return j < size ? j : period - j;
}

@inline function channelsOf(mode: i32): i32 {
  return mode == RGBA ? 4 : mode == LUMA ? 1 : 3;
}

/**
 * RGBA bytes (width × height) to a float32 [height + padTop + padBottom][width + padLeft +
 * padRight][C] image, the border filled by `edge`.
 */
export function imageToFloat(
  src: usize, width: i32, height: i32, mode: i32,
  padTop: i32, padBottom: i32, padLeft: i32, padRight: i32, edge: i32, dst: usize,
): void {
  const channels = channelsOf(mode);
  const outWidth = width + padLeft + padRight;
  const outHeight = height + padTop + padBottom;
  let to = dst;
  for (let r = 0; r < outHeight; r++) {
    const sr = edgeIndex(r - padTop, height, edge);
    for (let c = 0; c < outWidth; c++) {
      const sc = sr < 0 ? -1 : edgeIndex(c - padLeft, width, edge);
      if (sc < 0) {
        for (let k = 0; k < channels; k++) store<f32>(to + (<usize>k << 2), 0);
      } else {
        const p = src + (<usize>(sr * width + sc) << 2);
        if (mode == LUMA) {
          const y: f32 = <f32>0.299 * <f32>load<u8>(p) + <f32>0.587 * <f32>load<u8>(p, 1) + <f32>0.114 * <f32>load<u8>(p, 2);
          store<f32>(to, y);
        } else {
          for (let k = 0; k < channels; k++) store<f32>(to + (<usize>k << 2), <f32>load<u8>(p + <usize>k));
        }
      }
      to += <usize>channels << 2;
    }
  }
}

/** Rounds half up and clamps to 0–255 (NaN to 0). */
@inline function toByte(v: f32): u8 {
  const r = Mathf.floor(v + <f32>0.5);
  return r >= 255 ? 255 : r > 0 ? <u8>r : 0;
}

/**
 * Float32 [height][width][C] back to RGBA bytes: plus bias, optional absolute value, rounding,
 * clamping. `second` (or 0) is a second filtered image: then each value is first the gradient
 * magnitude sqrt(a² + b²). Alpha comes from `original` unless every channel was filtered.
 */
export function floatToImage(
  src: usize, second: usize, width: i32, height: i32, mode: i32, bias: f32, absolute: bool, original: usize, dst: usize,
): void {
  const channels = channelsOf(mode);
  const pixels = width * height;
  for (let i = 0; i < pixels; i++) {
    const from = (<usize>(i * channels)) << 2;
    const to = dst + (<usize>i << 2);
    for (let k = 0; k < channels; k++) {
      let v = load<f32>(src + from + (<usize>k << 2));
      if (second != 0) {
        const b = load<f32>(second + from + (<usize>k << 2));
        v = Mathf.sqrt(v * v + b * b);
      }
      v += bias;
      if (absolute) v = Mathf.abs(v);
      const byte = toByte(v);
      if (mode == LUMA) {
        store<u8>(to, byte);
        store<u8>(to, byte, 1);
        store<u8>(to, byte, 2);
      } else {
        store<u8>(to + <usize>k, byte);
      }
    }
    if (mode != RGBA) store<u8>(to, load<u8>(original + (<usize>i << 2), 3), 3);
  }
}
