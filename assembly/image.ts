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
 * RGBA bytes (width × height) to C float32 planes of the padded image, (height + padTop +
 * padBottom) × (width + padLeft + padRight), the border filled by `edge`: padded rows
 * [rowBegin, rowBegin + rowCount) only, rows `rowPitch` floats apart and planes rowCount rows
 * apart (the columns past the border are left as they are). Planes, in the depthwise plane
 * kernel's own row pitch, so that it filters whole column groups without another copy; a band
 * of rows at a time, so that a frame is filtered band by band inside the cache.
 */
export function imageToFloat(
  src: usize, width: i32, height: i32, mode: i32,
  padTop: i32, padLeft: i32, padRight: i32, edge: i32, dst: usize, rowPitch: i32, rowBegin: i32, rowCount: i32,
): void {
  const channels = channelsOf(mode);
  const outWidth = width + padLeft + padRight;
  const planeBytes = (<usize>rowPitch * <usize>rowCount) << 2;
  for (let r = rowBegin; r < rowBegin + rowCount; r++) {
    const sr = edgeIndex(r - padTop, height, edge);
    const rowTo = dst + ((<usize>(r - rowBegin) * <usize>rowPitch) << 2);
    let c = 0;
    if (sr >= 0) {
      // Columns inside the image, four pixels (16 bytes) at a time.
      const rowFrom = src + ((<usize>sr * <usize>width) << 2);
      c = padLeft;
      for (; c + 4 <= padLeft + width; c += 4) {
        const pixels = v128.load(rowFrom + (<usize>(c - padLeft) << 2));
        const red = f32x4.convert_i32x4_u(v128.and(pixels, i32x4.splat(0xff)));
        const green = f32x4.convert_i32x4_u(v128.and(i32x4.shr_u(pixels, 8), i32x4.splat(0xff)));
        const blue = f32x4.convert_i32x4_u(v128.and(i32x4.shr_u(pixels, 16), i32x4.splat(0xff)));
        const to = rowTo + (<usize>c << 2);
        if (mode == LUMA) {
          // The scalar order: (0.299 R + 0.587 G) + 0.114 B, every step rounded to float32.
          const y = f32x4.add(f32x4.add(f32x4.mul(f32x4.splat(<f32>0.299), red), f32x4.mul(f32x4.splat(<f32>0.587), green)),
            f32x4.mul(f32x4.splat(<f32>0.114), blue));
          v128.store(to, y);
        } else {
          v128.store(to, red);
          v128.store(to + planeBytes, green);
          v128.store(to + 2 * planeBytes, blue);
          if (mode == RGBA) v128.store(to + 3 * planeBytes, f32x4.convert_i32x4_u(i32x4.shr_u(pixels, 24)));
        }
      }
    }
    // The border, and what is left of the row, one pixel at a time (columns [padLeft, c) are
    // done: skip them, not test them, or this loop costs as much as the vector one).
    for (let col = 0; col < outWidth; col++) {
      if (col == padLeft && sr >= 0) col = c;
      if (col >= outWidth) break;
      const sc = sr < 0 ? -1 : edgeIndex(col - padLeft, width, edge);
      const to = rowTo + (<usize>col << 2);
      if (sc < 0) {
        for (let k = 0; k < channels; k++) store<f32>(to + <usize>k * planeBytes, 0);
      } else {
        const p = src + (<usize>(sr * width + sc) << 2);
        if (mode == LUMA) {
          const y: f32 = <f32>0.299 * <f32>load<u8>(p) + <f32>0.587 * <f32>load<u8>(p, 1) + <f32>0.114 * <f32>load<u8>(p, 2);
          store<f32>(to, y);
        } else {
          for (let k = 0; k < channels; k++) store<f32>(to + <usize>k * planeBytes, <f32>load<u8>(p + <usize>k));
        }
      }
    }
  }
}

/** Rounds half up and clamps to 0–255 (NaN to 0). */
@inline function toByte(v: f32): u8 {
  const r = Mathf.floor(v + <f32>0.5);
  return r >= 255 ? 255 : r > 0 ? <u8>r : 0;
}

/**
 * C float32 planes of height × width back to RGBA bytes: plus bias, optional absolute value, rounding,
 * clamping. `second` (or 0) is a second filtered image: then each value is first the gradient
 * magnitude sqrt(a² + b²). Alpha comes from `original` unless every channel was filtered.
 */
export function floatToImage(
  src: usize, second: usize, width: i32, height: i32, mode: i32, bias: f32, absolute: bool, original: usize, dst: usize,
): void {
  const channels = channelsOf(mode);
  const pixels = width * height;
  const planeBytes = <usize>pixels << 2;
  let i = 0;
  // Four pixels at a time: each channel plane gives one vector, packed into four RGBA words.
  for (; i + 4 <= pixels; i += 4) {
    const at = <usize>i << 2;
    const red = vectorByte(src, second, at, bias, absolute);
    let word: v128;
    if (mode == LUMA) {
      word = v128.or(v128.or(red, i32x4.shl(red, 8)), i32x4.shl(red, 16));
    } else {
      const green = vectorByte(src + planeBytes, second == 0 ? 0 : second + planeBytes, at, bias, absolute);
      const blue = vectorByte(src + 2 * planeBytes, second == 0 ? 0 : second + 2 * planeBytes, at, bias, absolute);
      word = v128.or(v128.or(red, i32x4.shl(green, 8)), i32x4.shl(blue, 16));
    }
    const alpha = mode == RGBA
      ? i32x4.shl(vectorByte(src + 3 * planeBytes, second == 0 ? 0 : second + 3 * planeBytes, at, bias, absolute), 24)
      : v128.and(v128.load(original + at), i32x4.splat(0xff000000));
    v128.store(dst + at, v128.or(word, alpha));
  }
  for (; i < pixels; i++) {
    const to = dst + (<usize>i << 2);
    for (let k = 0; k < channels; k++) {
      const from = <usize>k * planeBytes + (<usize>i << 2);
      let v = load<f32>(src + from);
      if (second != 0) {
        const b = load<f32>(second + from);
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

/** toByte on four values of a plane (and the magnitude with `second`), as i32 lanes 0–255. */
@inline function vectorByte(plane: usize, second: usize, at: usize, bias: f32, absolute: bool): v128 {
  let v = v128.load(plane + at);
  if (second != 0) {
    const b = v128.load(second + at);
    v = f32x4.sqrt(f32x4.add(f32x4.mul(v, v), f32x4.mul(b, b)));
  }
  v = f32x4.add(v, f32x4.splat(bias));
  if (absolute) v = f32x4.abs(v);
  // floor(v + 0.5), then 0–255. pmin/pmax are single x86 instructions (min/max with NaN
  // propagation are several); they keep a NaN in the first operand, and the signed saturating
  // conversion (cheaper than the unsigned one) turns NaN into 0, as the reference does.
  const rounded = f32x4.floor(f32x4.add(v, f32x4.splat(0.5)));
  return i32x4.trunc_sat_f32x4_s(f32x4.pmax(f32x4.pmin(rounded, f32x4.splat(255)), f32x4.splat(0)));
}

