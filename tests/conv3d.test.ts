// conv3d (stacked depth slices through conv2d) against its own 3-D reference loop, and against
// conv2d on degenerate shapes (depth 1).
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2d, conv3d, createConv3d, init, type Conv3dOptions } from 'simdconv';
import { conv3d as referenceConv3d } from 'simdconv/reference';
import { expectWithinTolerance, pick, randomInt, randomTensor, RELATIVE_TOLERANCE, referenceMagnitude, saturatingAllowance, seededRandom } from './helpers.js';

const SEED = 3303;

beforeAll(async () => {
  await init();
});

describe(`conv3d (seed ${SEED})`, () => {
  it('matches the 3-D reference on 120 random cases: layouts, weight layouts, strides, dilations, every padding form, groups, bias, activations', () => {
    const random = seededRandom(SEED);
    let ran = 0;
    while (ran < 120) {
      const layout = pick(random, ['NCDHW', 'NDHWC'] as const);
      const weightLayout = pick(random, ['OIDHW', 'DHWIO'] as const);
      const groups = pick(random, [1, 1, 2]);
      const [C, M] = [groups * randomInt(random, 1, 3), groups * randomInt(random, 1, 6)];
      const [D, H, W] = [randomInt(random, 1, 6), randomInt(random, 1, 7), randomInt(random, 1, 7)];
      const k = [randomInt(random, 1, 3), randomInt(random, 1, 3), randomInt(random, 1, 3)];
      const options: Conv3dOptions = {
        layout, weightLayout, groups,
        stride: random() < 0.5 ? randomInt(random, 1, 2) : [randomInt(random, 1, 2), randomInt(random, 1, 2), randomInt(random, 1, 2)],
        dilation: random() < 0.7 ? 1 : [randomInt(random, 1, 2), 1, randomInt(random, 1, 2)],
        padding: pick(random, [
          'valid', 'same', 1, [1, 0, 2],
          { front: randomInt(random, 0, 1), back: randomInt(random, 0, 2), top: randomInt(random, 0, 1), bottom: 0, left: randomInt(random, 0, 2), right: 1 },
        ] as const),
        activation: pick(random, ['none', 'relu6', 'leakyRelu', 'tanh'] as const),
      };
      if (random() < 0.5) options.bias = randomTensor(random, [M]).data;
      const input = randomTensor(random, layout === 'NCDHW' ? [1 + (ran % 2), C, D, H, W] : [1 + (ran % 2), D, H, W, C]);
      const weight = randomTensor(random, weightLayout === 'OIDHW' ? [M, C / groups, k[0]!, k[1]!, k[2]!] : [k[0]!, k[1]!, k[2]!, C / groups, M]);
      let expected;
      try {
        expected = referenceConv3d(input, weight, options);
      } catch (error) {
        if (error instanceof RangeError && /no output/.test(error.message)) continue;
        throw error;
      }
      ran++;
      const label = `case ${ran}: x [${input.shape}] w [${weight.shape}] ${JSON.stringify({ ...options, bias: !!options.bias })}`;
      const actual = conv3d(input, weight, options);
      expect(actual.shape, label).toEqual(expected.shape);
      const magnitude = referenceMagnitude(referenceConv3d, input, weight, options);
      expectWithinTolerance(actual.data, expected.data, magnitude, RELATIVE_TOLERANCE, saturatingAllowance(options), label);
    }
  });

  it('on depth 1 with a depth-1 kernel equals conv2d, both layouts', () => {
    const random = seededRandom(SEED + 1);
    const x = randomTensor(random, [2, 3, 1, 9, 8]);
    const w = randomTensor(random, [5, 3, 1, 3, 3]);
    const y3 = conv3d(x, w, { padding: [0, 1, 1], stride: [1, 2, 1] });
    const y2 = conv2d({ data: x.data, shape: [2, 3, 9, 8] }, { data: w.data, shape: [5, 3, 3, 3] }, { padding: 1, stride: [2, 1] });
    expect(y3.shape).toEqual([2, 5, 1, 5, 8]);
    expect(Array.from(y3.data)).toEqual(Array.from(y2.data));
    const xl = randomTensor(random, [1, 1, 6, 7, 4]);
    const wl = randomTensor(random, [1, 3, 3, 4, 6]);
    const z3 = conv3d(xl, wl, { layout: 'NDHWC', padding: 'same' });
    const z2 = conv2d({ data: xl.data, shape: [1, 6, 7, 4] }, { data: wl.data, shape: [3, 3, 4, 6] }, { layout: 'NHWC', padding: 'same' });
    expect(z3.shape).toEqual([1, 1, 6, 7, 6]);
    expect(Array.from(z3.data)).toEqual(Array.from(z2.data));
  });

  it('prepared form across input sizes; errors in 3-D terms', () => {
    const random = seededRandom(SEED + 2);
    const w = randomTensor(random, [4, 2, 3, 3, 3]);
    const conv = createConv3d(w, { padding: 'same' });
    try {
      for (const [D, H, W] of [[4, 5, 6], [2, 9, 3], [4, 5, 6]]) {
        const x = randomTensor(random, [1, 2, D!, H!, W!]);
        const expected = referenceConv3d(x, w, { padding: 'same' });
        const actual = conv.run(x);
        expect(actual.shape).toEqual([1, 4, D, H, W]);
        for (let i = 0; i < expected.data.length; i++) expect(Math.abs(actual.data[i]! - expected.data[i]!)).toBeLessThan(1e-5);
      }
    } finally {
      conv.dispose();
    }
    const x = randomTensor(random, [1, 2, 4, 4, 4]);
    expect(() => conv3d(randomTensor(random, [1, 2, 4, 4]), w)).toThrowError(/input\.shape must have 5 dimensions NCDHW/);
    expect(() => conv3d(x, w, { stride: [1, 2] as never })).toThrowError(/options\.stride must be a number or \[d, h, w\]/);
    expect(() => conv3d(x, w, { padding: { front: 1, depth: 2 } as never })).toThrowError(/unknown option 'depth'/);
    expect(() => conv3d(randomTensor(random, [1, 3, 4, 4, 4]), w)).toThrowError(/input has 3 channels/);
  });
});
