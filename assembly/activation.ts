// Activation codes shared with src/algorithms/algorithm.ts (ACTIVATION_CODES). Applied in the
// output pass of every kernel so that a fused activation costs no extra sweep over memory.
export const ACT_NONE: i32 = 0;
export const ACT_RELU: i32 = 1;
export const ACT_RELU6: i32 = 2;
export const ACT_LEAKY_RELU: i32 = 3;
export const ACT_SIGMOID: i32 = 4;
export const ACT_TANH: i32 = 5;

@inline function sigmoidOrTanh(x: f32, activation: i32): f32 {
  return activation == ACT_SIGMOID ? <f32>1 / (<f32>1 + Mathf.exp(-x)) : Mathf.tanh(x);
}

/**
 * Sigmoid and tanh lane by lane with Mathf's scalar functions: wasm SIMD has no vector exp.
 * Deliberately not @inline: four inlined exp/tanh bodies in every kernel's output pass made V8
 * spill the accumulators of the hot loops (depthwise NHWC 144@56²: 1.4 ms → 0.8 ms without).
 */
function mapLanes(v: v128, activation: i32): v128 {
  let r = f32x4.splat(sigmoidOrTanh(f32x4.extract_lane(v, 0), activation));
  r = f32x4.replace_lane(r, 1, sigmoidOrTanh(f32x4.extract_lane(v, 1), activation));
  r = f32x4.replace_lane(r, 2, sigmoidOrTanh(f32x4.extract_lane(v, 2), activation));
  return f32x4.replace_lane(r, 3, sigmoidOrTanh(f32x4.extract_lane(v, 3), activation));
}

/**
 * max(v, 0) with the reference's NaN and −0 (NaN stays NaN, −0 becomes +0), in two single
 * instructions: wasm's f32x4.max is NaN- and zero-sign-exact, which V8 lowers to ~8 x64
 * instructions, and relu6's max + min made a small-K GEMM's output pass cost as much as its
 * reduction (NHWC 1×1 16→96: 13.5 → 25 GFLOP/s). pmax(v, 0) = v < 0 ? 0 : v keeps NaN and −0;
 * adding +0 turns −0 into +0 and changes nothing else.
 */
@inline function reluLanes(v: v128): v128 {
  const zero = f32x4.splat(0);
  return f32x4.add(f32x4.pmax(v, zero), zero);
}

@inline export function applyActivation(v: v128, activation: i32, alpha: f32): v128 {
  if (activation == ACT_NONE) return v;
  if (activation == ACT_RELU) return reluLanes(v);
  if (activation == ACT_RELU6) return f32x4.pmin(reluLanes(v), f32x4.splat(6)); // 6 < x ? 6 : x keeps NaN
  if (activation == ACT_LEAKY_RELU) {
    // x ≥ 0 ? x : alpha·x, lane by lane (NaN fails the test and stays NaN through alpha·x).
    return v128.bitselect(v, f32x4.mul(v, f32x4.splat(alpha)), f32x4.ge(v, f32x4.splat(0)));
  }
  return mapLanes(v, activation);
}
