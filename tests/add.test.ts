// add(a, b, { activation }): hand-worked pins on the fast path and the reference, the fast path
// against the reference on random shapes, bit for bit against conv2d's fused activation, and
// the exact messages. Exactness: the kernel's f32 sum and leakyRelu product are what the
// reference gets by rounding its float64 sum / product of float32 values once to float32, so
// 'none', 'relu', 'relu6' and 'leakyRelu' must be identical. Sigmoid and tanh run in float32
// (Mathf) in the kernel and float64 in the reference: SATURATING_ABSOLUTE_TOLERANCE.
import { beforeAll, describe, expect, it } from 'vitest';
import { add, addAsync, conv2d, init, type Activation, type TensorData } from 'simdconv';
import { add as referenceAdd } from 'simdconv/reference';
import { getRuntime } from '../dist/runtime.js';
import { expectSameValues, expectWithinTolerance, pick, poisonTensor, randomInt, randomTensor, SATURATING_ABSOLUTE_TOLERANCE, seededRandom, expectThrowsExactly, thrownBy } from './helpers.js';

beforeAll(async () => {
  await init({ threads: 1 });
});

const tensor = (shape: number[], values: number[]): TensorData => ({ data: Float32Array.from(values), shape });
const ACTIVATIONS: readonly Activation[] = ['none', 'relu', 'relu6', 'leakyRelu', 'sigmoid', 'tanh'];

describe.each([['fast path', add as unknown as typeof referenceAdd], ['reference', referenceAdd]] as const)('hand-worked add (%s)', (_, op) => {
  // 7 values (not a multiple of 4: the kernel's ragged last group). a + b:
  const a = tensor([7], [1, -2, 3.5, 5, -1, 0.25, -8]);
  const b = tensor([7], [0.5, 1, -4, 2, 1, 0.5, 3]);
  // = [1.5, −1, −0.5, 7, 0, 0.75, −5]
  it('none, relu, relu6, leakyRelu (alpha 0.5 and the default 0.01)', () => {
    expectSameValues(op(a, b).data, [1.5, -1, -0.5, 7, 0, 0.75, -5], 'none');
    expectSameValues(op(a, b, { activation: 'relu' }).data, [1.5, 0, 0, 7, 0, 0.75, 0], 'relu');
    expectSameValues(op(a, b, { activation: 'relu6' }).data, [1.5, 0, 0, 6, 0, 0.75, 0], 'relu6');
    expectSameValues(op(a, b, { activation: 'leakyRelu', alpha: 0.5 }).data, [1.5, -0.5, -0.25, 7, 0, 0.75, -2.5], 'leakyRelu 0.5');
    // The kernel takes alpha as a float32: the slope is f = float32(0.01), and each product of a
    // float32 by f is rounded once to float32 (expectSameValues rounds the expected values).
    const f = Math.fround(0.01);
    expectSameValues(op(a, b, { activation: 'leakyRelu' }).data, [1.5, -1 * f, -0.5 * f, 7, 0, 0.75, -5 * f], 'leakyRelu default');
  });

  it('sigmoid(0) = 0.5 and tanh(0) = 0 exactly', () => {
    const zero = op(tensor([2], [1, -1]), tensor([2], [-1, 1]), { activation: 'sigmoid' });
    expectSameValues(zero.data, [0.5, 0.5], 'sigmoid');
    expectSameValues(op(tensor([2], [1, -1]), tensor([2], [-1, 1]), { activation: 'tanh' }).data, [0, 0], 'tanh');
  });

  it('NaN and ±Infinity propagate as IEEE says; relu maps −Infinity to 0 and keeps NaN', () => {
    const x = tensor([5], [Infinity, Infinity, NaN, -Infinity, 1]);
    const y = tensor([5], [-Infinity, 1, 2, 3, NaN]);
    expectSameValues(op(x, y).data, [NaN, Infinity, NaN, -Infinity, NaN], 'none');
    expectSameValues(op(x, y, { activation: 'relu' }).data, [NaN, Infinity, NaN, 0, NaN], 'relu');
  });

  it('any rank keeps its shape: [2, 1, 3] and [1, 1, 1, 1, 2]', () => {
    const r3 = op(tensor([2, 1, 3], [1, 2, 3, 4, 5, 6]), tensor([2, 1, 3], [6, 5, 4, 3, 2, 1]));
    expect(r3.shape).toEqual([2, 1, 3]);
    expectSameValues(r3.data, [7, 7, 7, 7, 7, 7], 'rank 3');
    expect(op(tensor([1, 1, 1, 1, 2], [1, 2]), tensor([1, 1, 1, 1, 2], [3, 4])).shape).toEqual([1, 1, 1, 1, 2]);
  });
});

const SEED = 7_320_000;
const CASES = 240;

describe(`add: the fast path against the reference (seed ${SEED}, ${CASES} calls)`, () => {
  it('identical for none, relu, relu6, leakyRelu; sigmoid and tanh within SATURATING_ABSOLUTE_TOLERANCE', () => {
    const random = seededRandom(SEED);
    for (let i = 0; i < CASES; i++) {
      const shape = Array.from({ length: randomInt(random, 1, 5) }, () => randomInt(random, 1, i % 10 === 0 ? 40 : 7));
      const a = randomTensor(random, shape);
      const b = randomTensor(random, shape);
      if (random() < 0.3) poisonTensor(random, pick(random, [a, b]));
      const activation = pick(random, ACTIVATIONS);
      const options = activation === 'leakyRelu' && random() < 0.6 ? { activation, alpha: pick(random, [0.1, 0.2, -0.5, 1.5, 0.3]) } : { activation };
      const label = `case ${i}: [${shape}] ${JSON.stringify(options)}`;
      const actual = add(a, b, options);
      const expected = referenceAdd(a, b, options);
      expect(actual.shape, label).toEqual(shape);
      if (activation === 'sigmoid' || activation === 'tanh') {
        expectWithinTolerance(actual.data, expected.data, new Float32Array(a.data.length), 0, SATURATING_ABSOLUTE_TOLERANCE, label);
      } else {
        expectSameValues(actual.data, expected.data, label);
      }
    }
  });
});

describe("add's activation is conv2d's fused activation, bit for bit", () => {
  // conv2d of the channels [a; b] by a 1×1 weight with ones at (m, m) and (m, C + m): each output
  // is 1·a + 1·b plus zero products, i.e. the float32 a + b, through conv2d's output pass.
  it.each(ACTIVATIONS)('%s, on the gemm and direct paths', (activation) => {
    const random = seededRandom(SEED + 1);
    const [C, H, W] = [5, 3, 7];
    const a = randomTensor(random, [1, C, H, W]);
    const b = randomTensor(random, [1, C, H, W]);
    const both = { data: new Float32Array([...a.data, ...b.data]), shape: [1, 2 * C, H, W] };
    const weight = { data: new Float32Array(C * 2 * C), shape: [C, 2 * C, 1, 1] };
    for (let m = 0; m < C; m++) weight.data[m * 2 * C + m] = weight.data[m * 2 * C + C + m] = 1;
    const options = activation === 'leakyRelu' ? { activation, alpha: 0.3 } : { activation };
    const sum = add(a, b, options);
    for (const algorithm of ['gemm', 'direct'] as const) {
      expectSameValues(sum.data, conv2d(both, weight, { ...options, algorithm }).data, `${activation}, ${algorithm}`);
    }
  });
});

const loose = add as unknown as (...args: unknown[]) => unknown;
const v = tensor([2, 3], [1, 2, 3, 4, 5, 6]);
const ERROR_CASES: Array<[string, () => unknown, ErrorConstructor, string]> = [
  ['add(v, [2, 3] vs [3, 2])', () => loose(v, tensor([3, 2], [1, 2, 3, 4, 5, 6])), RangeError, 'add: a and b must have the same shape, got a [2, 3] and b [3, 2]'],
  ['add(v, rank 3)', () => loose(v, tensor([2, 3, 1], [1, 2, 3, 4, 5, 6])), RangeError, 'add: a and b must have the same shape, got a [2, 3] and b [2, 3, 1]'],
  ['add(null, v)', () => loose(null, v), TypeError, 'add: a must be a tensor { data: Float32Array, shape: number[] }, got null'],
  ['add(v, { data: [1], shape: [1] })', () => loose(v, { data: [1], shape: [1] }), TypeError, 'add: b.data must be a Float32Array (other arrays are not converted; use Float32Array.from), got an array of length 1'],
  ['add(scalar shape [])', () => loose({ data: new Float32Array(1), shape: [] }, v), RangeError, 'add: a.shape must list at least one dimension, got []'],
  ['add(v, length mismatch)', () => loose(v, { data: new Float32Array(5), shape: [2, 3] }), RangeError, 'add: b.data has 5 elements but b.shape [2, 3] needs 6'],
  ["add(v, v, { activation: 'gelu' })", () => loose(v, v, { activation: 'gelu' }), RangeError, "add: options.activation must be one of 'none', 'relu', 'relu6', 'leakyRelu', 'sigmoid', 'tanh', got the string \"gelu\""],
  ["add(v, v, { alpha: 0.2 })", () => loose(v, v, { alpha: 0.2 }), RangeError, "add: options.alpha only applies to activation 'leakyRelu', got activation 'none'"],
  ["add(v, v, { activation: 'leakyRelu', alpha: NaN })", () => loose(v, v, { activation: 'leakyRelu', alpha: NaN }), TypeError, 'add: options.alpha must be a finite number, got number NaN'],
  ['add(v, v, { bias: 1 })', () => loose(v, v, { bias: 1 }), TypeError, "add: unknown option 'bias' Known options: activation, alpha."],
  ['add(v, v, 3)', () => loose(v, v, 3), TypeError, 'add: options must be an object, got number 3'],
];

describe('add errors', () => {
  it.each(ERROR_CASES)('%s', (_, call, type, message) => expectThrowsExactly(call, type, message));

  it('addAsync rejects (never throws) and resolves to the sum', async () => {
    await expect((addAsync as (...args: unknown[]) => Promise<TensorData>)(v, tensor([6], [1, 2, 3, 4, 5, 6]))).rejects.toThrow('add: a and b must have the same shape, got a [2, 3] and b [6]');
    expectSameValues((await addAsync(v, v)).data, [2, 4, 6, 8, 10, 12], 'addAsync');
  });

  it('leaves no WebAssembly memory allocated, after a result or an error', () => {
    const rt = getRuntime();
    const before = rt.arena.liveBytes;
    add(v, v, { activation: 'relu' });
    for (const [, call] of ERROR_CASES) thrownBy(call);
    expect(rt.arena.liveBytes).toBe(before);
  });
});
