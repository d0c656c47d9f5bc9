// Activation codes shared with src/kernels.ts (ACTIVATION_CODES). Applied in the output pass of
// every kernel so that a fused activation costs no extra sweep over memory.
export const ACT_NONE: i32 = 0;
export const ACT_RELU: i32 = 1;
export const ACT_RELU6: i32 = 2;

@inline export function applyActivation(v: v128, activation: i32): v128 {
  // f32x4.max/min propagate NaN, as Math.max/Math.min do in the reference.
  if (activation == ACT_RELU) return f32x4.max(v, f32x4.splat(0));
  if (activation == ACT_RELU6) return f32x4.min(f32x4.max(v, f32x4.splat(0)), f32x4.splat(6));
  return v;
}
