/** Stores the first `count` lanes of `v` (all four when count ≥ 4): the ragged edge of a tile. */
@inline export function storeLanes(ptr: usize, v: v128, count: i32): void {
  if (count >= 4) { v128.store(ptr, v); return; }
  if (count > 0) store<f32>(ptr, f32x4.extract_lane(v, 0));
  if (count > 1) store<f32>(ptr, f32x4.extract_lane(v, 1), 4);
  if (count > 2) store<f32>(ptr, f32x4.extract_lane(v, 2), 8);
}
