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

@inline export function applyActivation(v: v128, activation: i32, alpha: f32): v128 {
  if (activation == ACT_NONE) return v;
  // Math.max(x, 0) (then Math.min(·, 6)) of the reference, NaN kept and −0 made +0, with the
  // one-instruction pmax/pmin: f32x4.max/min cost about ten x64 instructions each for their NaN
  // and ±0 rules, a third of a depthwise NHWC output's time. Adding +0 turns −0 into +0; a NaN
  // fails both comparisons (pmax(a, b) = a < b ? b : a) and passes through.
  if (activation == ACT_RELU) return f32x4.pmax(f32x4.add(v, f32x4.splat(0)), f32x4.splat(0));
  if (activation == ACT_RELU6) return f32x4.pmin(f32x4.pmax(f32x4.add(v, f32x4.splat(0)), f32x4.splat(0)), f32x4.splat(6));
  if (activation == ACT_LEAKY_RELU) {
    // x ≥ 0 ? x : alpha·x, lane by lane (NaN fails the test and stays NaN through alpha·x).
    return v128.bitselect(v, f32x4.mul(v, f32x4.splat(alpha)), f32x4.ge(v, f32x4.splat(0)));
  }
  return mapLanes(v, activation);
}
