// add: elementwise a + b of two tensors of one shape, then conv2d's activation (residual
// connections). The kernel (assembly/eltwise.ts) applies the activation with conv2d's code, so
// add(x, y, { activation }) equals the activation conv2d would fuse into x + y, bit for bit.

import { ACTIVATION_CODES } from '../algorithms/algorithm.js';
import { checkCallFits } from '../memory/arena.js';
import { READ_SLACK_BYTES, readFloats, writeFloats } from '../memory/staging.js';
import { allocTensor, isTensor, tensorPointer, type Tensor } from '../memory/tensor.js';
import { readOptions, type TensorInput } from '../core/prepared.js';
import { getRuntime, startedPool, type Runtime } from '../runtime.js';
import { ACTIVATIONS, checkChoice, checkOptions, checkTensor, namedChecks, OPTION_KEYS, resolveAlpha } from '../shape.js';
import type { Activation, AddOptions, TensorData } from '../types.js';

/** A tensor of any rank ≥ 1 (add does not care about layouts). */
function checkAnyRank(name: string, value: unknown): TensorData {
  const shape = typeof value === 'object' && value !== null ? (value as { shape?: unknown }).shape : undefined;
  if (Array.isArray(shape) && shape.length === 0) throw new RangeError(`${name}.shape must list at least one dimension, got []`);
  return checkTensor(name, value, Array.isArray(shape) ? shape.length : 1, '(any rank ≥ 1)');
}

/** y = activation(a + b) over `count` floats in memory (a and b with read slack). */
export function runAddInMemory(rt: Runtime, count: number, aPtr: number, bPtr: number, outPtr: number, activation: Activation, alpha: number): void {
  startedPool()?.rest();
  rt.kernels.addActivate(aPtr, bPtr, count, ACTIVATION_CODES[activation], alpha, outPtr);
}

/** Where one operand is: a Tensor's own bytes, or a `{ data, shape }` copied into memory (then freed by release). */
function operand(name: string, value: TensorInput): { ptr: number; shape: readonly number[]; release(): void } {
  const rt = getRuntime();
  if (isTensor(value)) {
    const ptr = tensorPointer(value, name);
    if (value.shape.length === 0) throw new RangeError(`${name}.shape must list at least one dimension, got []`);
    return { ptr, shape: value.shape, release: () => {} };
  }
  const x = checkAnyRank(name, value);
  const count = x.data.length;
  checkCallFits('add', { [name]: count * 4 + READ_SLACK_BYTES });
  const ptr = rt.arena.alloc(count * 4 + READ_SLACK_BYTES, true);
  try {
    writeFloats(rt, ptr, x.data, count);
  } catch (error) {
    rt.arena.release(ptr);
    throw error;
  }
  return { ptr, shape: x.shape, release: () => rt.arena.release(ptr) };
}

/** A Tensor when either operand is one, else a caller-owned `{ data, shape }`. */
export type AddOutput<A, B> = A extends Tensor ? Tensor : B extends Tensor ? Tensor : TensorData;

/**
 * a + b elementwise (shapes equal, any rank), then `activation` (default 'none'; `alpha` for
 * 'leakyRelu', default 0.01). The sum is float32's, so NaN and ±Infinity propagate as IEEE says.
 * Tensors in give a Tensor out (nothing copied); `{ data, shape }` in gives a fresh array.
 */
export function add<A extends TensorInput, B extends TensorInput>(a: A, b: B, options?: AddOptions): AddOutput<A, B> {
  const rt = getRuntime();
  const o = checkOptions(readOptions(options), OPTION_KEYS.add, 'add') as AddOptions;
  const operands: Array<ReturnType<typeof operand>> = [];
  try {
    return namedChecks('add', () => {
      const activation = o.activation === undefined ? 'none' : checkChoice('options.activation', o.activation, ACTIVATIONS);
      const alpha = resolveAlpha(o.alpha, activation);
      const x = operand('a', a);
      operands.push(x);
      const y = operand('b', b);
      operands.push(y);
      if (x.shape.length !== y.shape.length || x.shape.some((d, i) => d !== y.shape[i])) {
        throw new RangeError(`a and b must have the same shape, got a [${x.shape.join(', ')}] and b [${y.shape.join(', ')}]`);
      }
      const count = x.shape.reduce((p, d) => p * d, 1);
      if (isTensor(a) || isTensor(b)) {
        const out = allocTensor(x.shape);
        runAddInMemory(rt, count, x.ptr, y.ptr, tensorPointer(out, 'output'), activation, alpha);
        return out as AddOutput<A, B>;
      }
      checkCallFits('add', { output: count * 4 });
      const outPtr = rt.arena.alloc(count * 4 + READ_SLACK_BYTES, true);
      try {
        runAddInMemory(rt, count, x.ptr, y.ptr, outPtr, activation, alpha);
        return { data: readFloats(rt, outPtr, count), shape: [...x.shape] } as unknown as AddOutput<A, B>;
      } finally {
        rt.arena.release(outPtr);
      }
    });
  } finally {
    for (const x of operands) x.release();
  }
}

/** add on the calling thread, as a Promise that rejects (never throws) on a bad argument; inputs are read at the call. */
export function addAsync<A extends TensorInput, B extends TensorInput>(a: A, b: B, options?: AddOptions): Promise<AddOutput<A, B>> {
  return new Promise((resolve) => resolve(add(a, b, options)));
}
