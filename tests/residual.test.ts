// conv2d's residual: activation(conv(x) + bias + residual) in one call, on every path and in both
// layouts, as a Tensor or { data, shape }, per run of a prepared conv or as a one-shot option,
// against the reference (which adds it in float64 before the activation).
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2d, conv2dAsync, createConv2d, depthwiseConv2d, info, init, memory, tensor, type Conv2dOptions, type TensorData } from 'simdconv';
import { conv2d as referenceConv2d } from 'simdconv/reference';
import {
  expectWithinTolerance, pick, randomInt, randomTensor, referenceMagnitude, RELATIVE_TOLERANCE, saturatingAllowance, seededRandom, WINOGRAD_TOLERANCE,
} from './helpers.js';

beforeAll(async () => {
  await init({ threads: 2 });
});

const same = (a: Float32Array, b: Float32Array): boolean => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
const data = (shape: number[], values: number[]): TensorData => ({ data: Float32Array.from(values), shape });

describe('conv2d residual (hand-worked)', () => {
  // x [1, 1, 1, 3] = [1, −2, 3], w = [2], bias 0.5: conv + bias = [2.5, −3.5, 6.5];
  // + residual [1, 5, −10] = [3.5, 1.5, −3.5]; relu → [3.5, 1.5, 0].
  const x = data([1, 1, 1, 3], [1, -2, 3]);
  const w = data([1, 1, 1, 1], [2]);
  const residual = data([1, 1, 1, 3], [1, 5, -10]);
  const options: Conv2dOptions = { bias: new Float32Array([0.5]), activation: 'relu', residual };
  it('fast path and reference', () => {
    expect(Array.from(conv2d(x, w, options).data)).toEqual([3.5, 1.5, 0]);
    expect(Array.from(referenceConv2d(x, w, options).data)).toEqual([3.5, 1.5, 0]);
  });
  it('the activation applies after the residual: without it, [3.5, 1.5, −3.5]', () => {
    expect(Array.from(conv2d(x, w, { ...options, activation: 'none' }).data)).toEqual([3.5, 1.5, -3.5]);
    expect(Array.from(referenceConv2d(x, w, { ...options, activation: 'none' }).data)).toEqual([3.5, 1.5, -3.5]);
  });
});

describe('conv2d residual against the reference', () => {
  for (const layout of ['NCHW', 'NHWC'] as const) {
    it(`every path, Tensor and { data, shape }, prepared, one-shot and async (${layout})`, async () => {
      const random = seededRandom(layout === 'NCHW' ? 41 : 42);
      const start = memory().numTensors;
      for (let round = 0; round < 60; round++) {
        const depthwise = random() < 0.2;
        const C = randomInt(random, 1, 12);
        const M = depthwise ? C : randomInt(random, 1, 12);
        const k = pick(random, [1, 3, 5]);
        const [H, W] = [randomInt(random, k, 16), randomInt(random, k, 16)];
        const x = randomTensor(random, layout === 'NCHW' ? [pick(random, [1, 2]), C, H, W] : [pick(random, [1, 2]), H, W, C]);
        const cg = depthwise ? 1 : C;
        const w = randomTensor(random, layout === 'NCHW' ? [M, cg, k, k] : [k, k, cg, M]);
        const stride = pick(random, [1, 1, 2]);
        const algorithm = depthwise ? pick(random, ['auto', 'depthwise', 'gemm'] as const)
          : k === 3 && stride === 1 ? pick(random, ['auto', 'gemm', 'direct', 'winograd'] as const) : pick(random, ['auto', 'gemm', 'direct'] as const);
        const base: Conv2dOptions = {
          layout, padding: pick(random, ['same', 'valid', 1] as const), stride, groups: depthwise ? C : 1, algorithm,
          activation: pick(random, ['none', 'relu', 'relu6', 'leakyRelu', 'tanh'] as const), bias: Float32Array.from({ length: M }, () => random() - 0.5),
        };
        const shape = conv2d(x, w, base).shape as number[];
        const residual = randomTensor(random, shape);
        if (round % 5 === 0) residual.data[0] = NaN;
        const options = { ...base, residual };
        const label = `round ${round} ${JSON.stringify({ ...base, bias: undefined })} x [${x.shape}]`;
        const expected = referenceConv2d(x, w, options);
        const magnitude = referenceMagnitude(referenceConv2d, x, w, base).map((v, i) => v + (Number.isFinite(residual.data[i]!) ? Math.abs(residual.data[i]!) : 0));
        const winograd = algorithm === 'winograd' || (algorithm === 'auto' && k === 3 && stride === 1 && !depthwise && C >= 8 && M >= 8);
        const tolerance = winograd ? WINOGRAD_TOLERANCE.relative : RELATIVE_TOLERANCE;
        const oneShot = conv2d(x, w, options);
        expectWithinTolerance(oneShot.data, expected.data, winograd ? magnitude.map(() => Math.max(...magnitude)) : magnitude, tolerance, saturatingAllowance(base), label);
        // The same result every way it is given.
        const conv = createConv2d(w, base);
        const [tx, tr] = [tensor(x.data, x.shape), tensor(residual.data, residual.shape)];
        const [t1, t2] = [conv.run(tx, { residual: tr }), await conv.runAsync(tx, { residual: tr })];
        const results = [
          conv.run(x, { residual }).data, t1.dataSync(), t2.dataSync(),
          (await conv.runAsync(x, { residual })).data, (await conv2dAsync(x, w, options)).data,
        ];
        t1.dispose();
        t2.dispose();
        for (const [i, y] of results.entries()) expect(same(y, oneShot.data), `${label}: form ${i}`).toBe(true);
        // Without a residual the prepared conv is as before.
        expect(same(conv.run(x).data, conv2d(x, w, base).data), label).toBe(true);
        conv.dispose();
        tx.dispose();
        tr.dispose();
      }
      expect(memory().numTensors).toBe(start);
    });
  }
});

describe('conv2d residual on the worker pool', () => {
  it('a layer large enough for the pool gives bitwise the single-thread result, its residual pass split over the workers', async () => {
    const random = seededRandom(43);
    for (const layout of ['NCHW', 'NHWC'] as const) {
      const x = randomTensor(random, layout === 'NCHW' ? [1, 32, 61, 67] : [1, 61, 67, 32]);
      const w = randomTensor(random, layout === 'NCHW' ? [32, 32, 3, 3] : [3, 3, 32, 32]);
      const residual = randomTensor(random, x.shape as number[]);
      const conv = createConv2d(w, { layout, padding: 1, activation: 'relu' });
      const [tx, tr] = [tensor(x.data, x.shape), tensor(residual.data, residual.shape)];
      const single = conv.run(x, { residual }).data;
      const tasksBefore = info().poolTasks;
      const pooled = await conv.runAsync(tx, { residual: tr });
      // The conv's bands and the residual pass's slices: at least two tasks each.
      expect(info().poolTasks - tasksBefore, layout).toBeGreaterThanOrEqual(4);
      expect(same(pooled.dataSync(), single), layout).toBe(true);
      expect(same((await conv.runAsync(x, { residual })).data, single), layout).toBe(true);
      for (const t of [pooled, tx, tr]) t.dispose();
      conv.dispose();
    }
  });
});

describe('conv2d residual errors', () => {
  const x = data([1, 2, 4, 4], new Array(32).fill(1));
  const w = data([3, 2, 3, 3], new Array(54).fill(1));
  it('a residual of another shape, or of another type', async () => {
    expect(() => conv2d(x, w, { residual: data([1, 3, 4, 4], new Array(48).fill(0)) })).toThrowError(
      new RangeError("options.residual must have the output's shape [1, 3, 2, 2], got [1, 3, 4, 4]"),
    );
    await expect(conv2dAsync(x, w, { residual: data([1, 3, 4, 4], new Array(48).fill(0)) })).rejects.toThrowError(RangeError);
    expect(() => conv2d(x, w, { residual: new Float32Array(12) as never })).toThrowError(TypeError);
    const conv = createConv2d(w);
    expect(() => conv.run(x, { residula: x } as never)).toThrowError(new TypeError("conv2d: unknown run option 'residula' (run takes { residual })"));
    expect(() => conv.run(x, 5 as never)).toThrowError(TypeError);
    conv.dispose();
  });
  it('ops other than conv2d take none', () => {
    expect(() => depthwiseConv2d(x, data([2, 1, 3, 3], new Array(18).fill(1)), { residual: x } as never)).toThrowError(TypeError);
    const start = memory().allocatedBytes;
    expect(() => conv2d(x, w, { residual: data([1, 3, 1, 1], [0, 0, 0]) })).toThrowError(RangeError);
    expect(memory().allocatedBytes).toBe(start);
  });
});
