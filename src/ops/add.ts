// add: elementwise a + b of two tensors of one shape, then conv2d's activation (residual
// connections). The kernel (assembly/eltwise.ts) applies the activation with conv2d's code, so
// add(x, y, { activation }) equals the activation conv2d would fuse into x + y, bit for bit.

import { ACTIVATION_CODES } from '../algorithms/algorithm.js';
import { checkCallFits } from '../memory/arena.js';
import { Region } from '../memory/region.js';
import { READ_SLACK_BYTES, readFloats, writeFloats } from '../memory/staging.js';
import { getRuntime, type Runtime } from '../runtime.js';
import { ACTIVATIONS, checkChoice, checkOptions, checkTensor, namedChecks, resolveAlpha } from '../shape.js';
import type { Activation, AddOptions, Tensor } from '../types.js';

/** A tensor of any rank ≥ 1 (add does not care about layouts). */
function checkAnyRank(name: string, value: unknown): Tensor {
  const shape = typeof value === 'object' && value !== null ? (value as { shape?: unknown }).shape : undefined;
  if (Array.isArray(shape) && shape.length === 0) throw new RangeError(`${name}.shape must list at least one dimension, got []`);
  return checkTensor(name, value, Array.isArray(shape) ? shape.length : 1, '(any rank ≥ 1)');
}

/** y = activation(a + b) over `count` floats in memory (a and b with read slack). */
export function runAddInMemory(rt: Runtime, count: number, aPtr: number, bPtr: number, outPtr: number, activation: Activation, alpha: number): void {
  rt.kernels.addActivate(aPtr, bPtr, count, ACTIVATION_CODES[activation], alpha, outPtr);
}

/**
 * a + b elementwise (shapes equal, any rank), then `activation` (default 'none'; `alpha` for
 * 'leakyRelu', default 0.01). The sum is float32's, so NaN and ±Infinity propagate as IEEE says.
 */
export function add(a: Tensor, b: Tensor, options?: AddOptions): Tensor {
  const rt = getRuntime();
  const o = checkOptions(options, ['activation', 'alpha'], 'add') as AddOptions;
  const { x, y, activation, alpha } = namedChecks('add', () => {
    const x = checkAnyRank('a', a);
    const y = checkAnyRank('b', b);
    if (x.shape.length !== y.shape.length || x.shape.some((d, i) => d !== y.shape[i])) {
      throw new RangeError(`a and b must have the same shape, got a [${x.shape.join(', ')}] and b [${y.shape.join(', ')}]`);
    }
    const activation = o.activation === undefined ? 'none' : checkChoice('options.activation', o.activation, ACTIVATIONS);
    return { x, y, activation, alpha: resolveAlpha(o.alpha, activation) };
  });
  const count = x.data.length;
  const inBytes = count * 4 + READ_SLACK_BYTES;
  checkCallFits('add', { a: inBytes, b: inBytes, output: count * 4 });
  const regions = [new Region(), new Region(), new Region()] as const;
  try {
    const [aPtr, bPtr, outPtr] = [regions[0].ensure(rt, inBytes), regions[1].ensure(rt, inBytes), regions[2].ensure(rt, count * 4)];
    writeFloats(rt, aPtr, x.data);
    writeFloats(rt, bPtr, y.data);
    runAddInMemory(rt, count, aPtr, bPtr, outPtr, activation, alpha);
    return { data: readFloats(rt, outPtr, count), shape: [...x.shape] };
  } finally {
    for (const region of regions) region.free(rt);
  }
}

/** add on the calling thread, as a Promise that rejects (never throws) on a bad argument. */
export function addAsync(a: Tensor, b: Tensor, options?: AddOptions): Promise<Tensor> {
  return new Promise((resolve) => resolve(add(a, b, options)));
}
