// convTranspose2d against its scatter-form reference, as the exact adjoint of conv2d, and on the
// output-size formula.
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2d, convTranspose2d, createConvTranspose2d, init, type ConvTranspose2dOptions } from 'simdconv';
import { convTranspose2d as referenceConvTranspose2d } from 'simdconv/reference';
import { expectWithinTolerance, pick, randomInt, randomTensor, RELATIVE_TOLERANCE, referenceMagnitude, saturatingAllowance, seededRandom } from './helpers.js';

const SEED = 2202;

beforeAll(async () => {
  await init();
});

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

describe(`convTranspose2d (seed ${SEED})`, () => {
  it('matches the scatter reference on 200 random cases: layouts, weight layouts, stride, dilation, padding, outputPadding, groups, bias, activations', () => {
    const random = seededRandom(SEED);
    let ran = 0;
    while (ran < 200) {
      const layout = pick(random, ['NCHW', 'NHWC'] as const);
      const weightLayout = random() < 0.7 ? pick(random, ['IOHW', 'HWOI'] as const) : undefined;
      const groups = weightLayout === 'HWOI' || (weightLayout === undefined && layout === 'NHWC') ? 1 : pick(random, [1, 1, 2, 3]);
      const C = groups * randomInt(random, 1, 5);
      const Mg = randomInt(random, 1, 9);
      const [kH, kW] = [randomInt(random, 1, 4), randomInt(random, 1, 4)];
      const stride = [randomInt(random, 1, 3), randomInt(random, 1, 3)] as [number, number];
      const dilation = random() < 0.7 ? 1 : randomInt(random, 2, 3);
      const options: ConvTranspose2dOptions = {
        layout, groups, stride, dilation,
        activation: pick(random, ['none', 'relu', 'leakyRelu', 'sigmoid'] as const),
      };
      if (weightLayout) options.weightLayout = weightLayout;
      if (random() < 0.3) options.padding = 'same';
      else {
        options.padding = { top: randomInt(random, 0, 2), bottom: randomInt(random, 0, 2), left: randomInt(random, 0, 2), right: randomInt(random, 0, 2) };
        const maxPad = (s: number) => Math.max(s, dilation) - 1;
        options.outputPadding = [randomInt(random, 0, maxPad(stride[0])), randomInt(random, 0, maxPad(stride[1]))];
      }
      if (random() < 0.5) options.bias = randomTensor(random, [groups * Mg]).data;
      const [N, H, W] = [randomInt(random, 1, 2), randomInt(random, 1, 7), randomInt(random, 1, 7)];
      const input = randomTensor(random, layout === 'NCHW' ? [N, C, H, W] : [N, H, W, C]);
      const wl = options.weightLayout ?? (layout === 'NCHW' ? 'IOHW' : 'HWOI');
      const weight = randomTensor(random, wl === 'IOHW' ? [C, Mg, kH, kW] : [kH, kW, Mg, C]);
      let expected;
      try {
        expected = referenceConvTranspose2d(input, weight, options);
      } catch (error) {
        if (error instanceof RangeError && /no output/.test(error.message)) continue;
        throw error;
      }
      ran++;
      const label = `case ${ran}: x [${input.shape}] w [${weight.shape}] ${JSON.stringify({ ...options, bias: !!options.bias })}`;
      const actual = convTranspose2d(input, weight, options);
      expect(actual.shape, label).toEqual(expected.shape);
      const magnitude = referenceMagnitude(referenceConvTranspose2d, input, weight, options);
      expectWithinTolerance(actual.data, expected.data, magnitude, RELATIVE_TOLERANCE, saturatingAllowance(options), label);
    }
  });

  it('is the exact adjoint of conv2d: <conv2d(x), y> = <x, convTranspose2d(y)> with the same weights', () => {
    const random = seededRandom(SEED + 1);
    for (const layout of ['NCHW', 'NHWC'] as const) {
      for (const [stride, padding, dilation, groups] of [[1, 1, 1, 1], [2, 1, 1, 1], [3, [0, 2], 2, 1], [2, 0, 1, 2]] as const) {
        const [C, M, H, W, k] = [4, 6, 11, 9, 3];
        const weightOIHW = randomTensor(random, [M, C / groups, k, k]); // conv2d: C → M
        const x = randomTensor(random, layout === 'NCHW' ? [2, C, H, W] : [2, H, W, C]);
        const forward = conv2d(x, weightOIHW, { layout, weightLayout: 'OIHW', stride, padding, dilation, groups });
        const y = randomTensor(random, forward.shape as number[]);
        // Transposed weight IOHW [M, C/groups, k, k] is the same array; outputPadding restores H × W.
        const [Hy, Wy] = layout === 'NCHW' ? [forward.shape[2]!, forward.shape[3]!] : [forward.shape[1]!, forward.shape[2]!];
        const [ph, pw] = typeof padding === 'number' ? [padding, padding] : padding;
        const outputPadding: [number, number] = [
          H - ((Hy - 1) * stride - 2 * ph + dilation * (k - 1) + 1),
          W - ((Wy - 1) * stride - 2 * pw + dilation * (k - 1) + 1),
        ];
        const backward = convTranspose2d(y, weightOIHW, { layout, weightLayout: 'IOHW', stride, padding, dilation, groups, outputPadding });
        expect(backward.shape).toEqual(x.shape);
        const left = dot(forward.data, y.data);
        const right = dot(x.data, backward.data);
        expect(Math.abs(left - right), `${layout} stride ${stride} padding ${padding} dilation ${dilation} groups ${groups}`).toBeLessThan(1e-4 * (Math.abs(left) + 1));
      }
    }
  });

  it('output size (in − 1)·stride − pads + dilation·(k − 1) + outputPadding + 1, and same = in·stride', () => {
    const x = { data: new Float32Array(2 * 5 * 7), shape: [1, 2, 5, 7] };
    const w = { data: new Float32Array(2 * 3 * 4 * 4), shape: [2, 3, 4, 4] };
    expect(convTranspose2d(x, w, { stride: 2, padding: 1, outputPadding: 1 }).shape).toEqual([1, 3, 4 * 2 - 2 + 3 + 1 + 1, 6 * 2 - 2 + 3 + 1 + 1]);
    expect(convTranspose2d(x, w, { stride: 2, padding: 'same' }).shape).toEqual([1, 3, 10, 14]);
    expect(convTranspose2d(x, w, { stride: 3, padding: 'same' }).shape).toEqual([1, 3, 15, 21]);
  });

  it('prepared form, and errors in transposed terms', () => {
    const random = seededRandom(SEED + 2);
    const w = randomTensor(random, [3, 2, 3, 3]);
    const conv = createConvTranspose2d(w, { stride: 2, padding: 1, outputPadding: 1 });
    try {
      for (const size of [4, 9, 4]) {
        const x = randomTensor(random, [1, 3, size, size]);
        const expected = referenceConvTranspose2d(x, w, { stride: 2, padding: 1, outputPadding: 1 });
        const actual = conv.run(x);
        expect(actual.shape).toEqual(expected.shape);
        for (let i = 0; i < expected.data.length; i++) expect(Math.abs(actual.data[i]! - expected.data[i]!)).toBeLessThan(1e-5);
      }
    } finally {
      conv.dispose();
    }
    const x = randomTensor(random, [1, 3, 4, 4]);
    expect(() => convTranspose2d(x, w, { outputPadding: 1 })).toThrowError(/options\.outputPadding \(h: 1\) must be smaller than the stride or the dilation \(1\)/);
    expect(() => convTranspose2d(randomTensor(random, [1, 2, 4, 4]), w)).toThrowError(/input has 2 channels .* but the weight expects 3/);
    expect(() => convTranspose2d(x, w, { weightLayout: 'HWOI', groups: 3 } as never)).toThrowError(/groups must be 1 with weight layout 'HWOI'/);
    expect(() => convTranspose2d(x, w, { padding: 'same', outputPadding: 1, stride: 2 })).toThrowError(/cannot be combined with padding 'same'/);
    expect(() => convTranspose2d(x, w, { output_padding: 1 } as never)).toThrowError(/unknown option 'output_padding'; did you mean 'outputPadding'\?/);
  });
});
