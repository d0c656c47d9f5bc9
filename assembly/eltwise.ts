// Elementwise ops between convolutions: add (residual connections) with the activation conv2d
// fuses, applied by the same code (activation.ts) so the two agree bit for bit.

import { applyActivation } from "./activation";
import { storeLanes } from "./vector";

/**
 * y = activation(a + b) over `count` floats, 4 at a time. The last group reads up to 3 floats
 * past a and b (their read slack) and stores only its lanes.
 */
export function addActivate(a: usize, b: usize, count: i32, activation: i32, alpha: f32, y: usize): void {
  for (let i = 0; i < count; i += 4) {
    const offset = <usize>i << 2;
    const sum = f32x4.add(v128.load(a + offset), v128.load(b + offset));
    storeLanes(y + offset, applyActivation(sum, activation, alpha), count - i);
  }
}
