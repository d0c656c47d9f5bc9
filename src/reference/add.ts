// Plain TypeScript add with activation: the oracle of src/ops/add.ts. The sum and leakyRelu's
// product are rounded to float32 as the kernel's f32 arithmetic rounds them (a float64 sum or
// product of two float32 values, rounded once, is the float32 result), so add with 'none',
// 'relu', 'relu6' and 'leakyRelu' is exact; sigmoid and tanh are float64 here, float32 there.

import type { AddOptions, TensorData } from '../types.js';
import { activate, readActivation, readOptions, readTensor } from './semantics.js';

function anyRank(name: string, value: unknown): TensorData {
  const shape = typeof value === 'object' && value !== null ? (value as { shape?: unknown }).shape : undefined;
  if (!Array.isArray(shape) || shape.length < 1) throw new RangeError(`${name}.shape must list at least one dimension`);
  return readTensor(name, value, shape.length);
}

export function add(a: TensorData, b: TensorData, options: AddOptions = {}): TensorData {
  const o = readOptions('reference.add', options, ['activation', 'alpha']);
  const x = anyRank('a', a);
  const y = anyRank('b', b);
  if (x.shape.join() !== y.shape.join() || x.shape.length !== y.shape.length) {
    throw new RangeError(`reference.add: shapes differ, a [${x.shape.join(', ')}] and b [${y.shape.join(', ')}]`);
  }
  const { activation, slope } = readActivation(o);
  const slope32 = Math.fround(slope); // the kernel takes alpha as an f32
  const out = new Float32Array(x.data.length);
  for (let i = 0; i < out.length; i++) out[i] = activate(Math.fround(x.data[i]! + y.data[i]!), activation, slope32);
  return { data: out, shape: [...x.shape] };
}
