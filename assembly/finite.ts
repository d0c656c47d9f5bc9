// A scan for NaN and ±Infinity: the paths that mix several inputs into one intermediate
// (Winograd's tile transforms) would spread one non-finite input over a whole tile, so their
// callers check the input first.

/** Whether all `count` floats at `ptr` are finite. */
export function allFinite(ptr: usize, count: i32): bool {
  // x − x is 0 for a finite x and NaN for NaN and ±Infinity; NaN then sticks in the sum.
  let sum = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const v = v128.load(ptr + (<usize>i << 2));
    sum = f32x4.add(sum, f32x4.sub(v, v));
  }
  let tail: f32 = 0;
  for (; i < count; i++) {
    const x = load<f32>(ptr + (<usize>i << 2));
    tail += x - x;
  }
  return i32x4.all_true(f32x4.eq(sum, sum)) && tail == tail;
}
