// What each activation does to one value: the definition the kernels implement lane by lane
// (assembly/activation.ts) and that the references and scalar fallbacks call.

import type { Activation } from './types.js';

export function applyActivation(value: number, activation: Activation, alpha: number): number {
  switch (activation) {
    case 'relu':
      return Math.max(value, 0);
    case 'relu6':
      return Math.min(Math.max(value, 0), 6);
    case 'leakyRelu':
      return value >= 0 ? value : alpha * value;
    case 'sigmoid':
      return 1 / (1 + Math.exp(-value));
    case 'tanh':
      return Math.tanh(value);
    default:
      return value;
  }
}
