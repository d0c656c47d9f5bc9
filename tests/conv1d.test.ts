// conv1d (WebAssembly, mapped onto conv2d of height 1) against its own 1-D reference loop, and
// against conv2d on the same data with a height-1 shape.
import { beforeAll, describe, expect, it } from 'vitest';
import { conv1d, conv2d, createConv1d, init, type Conv1dOptions } from 'simdconv';
import { conv1d as referenceConv1d } from 'simdconv/reference';
import { expectWithinTolerance, pick, randomInt, randomTensor, RELATIVE_TOLERANCE, referenceMagnitude, saturatingAllowance, seededRandom } from './helpers.js';

const SEED = 1101;

beforeAll(async () => {
  await init();
});


describe(`conv1d against the 1-D reference (seed ${SEED})`, () => {
  it('300 random cases over layouts, weight layouts, stride, dilation, every padding form, groups, bias and activations', () => {
    const random = seededRandom(SEED);
    for (let i = 0; i < 300; i++) {
      const groups = pick(random, [1, 1, 2, 3]);
      const layout = pick(random, ['NCW', 'NWC'] as const);
      const weightLayout = pick(random, ['OIW', 'WIO'] as const);
      const [batch, channels, width, outChannels, kernel] = [
        randomInt(random, 1, 3), groups * randomInt(random, 1, 5), randomInt(random, 1, 40), groups * randomInt(random, 1, 12), randomInt(random, 1, 7),
      ];
      const options: Conv1dOptions = {
        layout, weightLayout, groups,
        stride: randomInt(random, 1, 3),
        dilation: random() < 0.7 ? 1 : randomInt(random, 2, 3),
        padding: pick(random, ['valid', 'same', randomInt(random, 0, 3), [randomInt(random, 0, 3), randomInt(random, 0, 3)]] as const),
        activation: pick(random, ['none', 'relu', 'leakyRelu', 'tanh'] as const),
      };
      if (random() < 0.5) options.bias = randomTensor(random, [outChannels]).data;
      const pad = options.padding === 'same' ? Infinity : options.padding === 'valid' ? 0
        : typeof options.padding === 'number' ? 2 * options.padding : options.padding![0] + options.padding![1];
      if (width + pad < options.dilation! * (kernel - 1) + 1) continue;
      const input = randomTensor(random, layout === 'NCW' ? [batch, channels, width] : [batch, width, channels]);
      const weight = randomTensor(random, weightLayout === 'OIW' ? [outChannels, channels / groups, kernel] : [kernel, channels / groups, outChannels]);
      const label = `case ${i}: x [${input.shape}] w [${weight.shape}] ${JSON.stringify({ ...options, bias: !!options.bias })}`;
      const expected = referenceConv1d(input, weight, options);
      const magnitude = referenceMagnitude(referenceConv1d, input, weight, options);
      const actual = conv1d(input, weight, options);
      expect(actual.shape, label).toEqual(expected.shape);
      expectWithinTolerance(actual.data, expected.data, magnitude, RELATIVE_TOLERANCE, saturatingAllowance(options), label);
    }
  });

  it('equals conv2d on the same data shaped with height 1, both layouts', () => {
    const random = seededRandom(SEED + 1);
    const x = randomTensor(random, [2, 4, 33]);
    const w = randomTensor(random, [6, 4, 5]);
    const y1 = conv1d(x, w, { stride: 2, padding: [1, 3], dilation: 2 });
    const y2 = conv2d({ data: x.data, shape: [2, 4, 1, 33] }, { data: w.data, shape: [6, 4, 1, 5] }, { stride: [1, 2], padding: { top: 0, bottom: 0, left: 1, right: 3 }, dilation: [1, 2] });
    expect(y1.shape).toEqual([2, 6, y2.shape[3]]);
    expect(Array.from(y1.data)).toEqual(Array.from(y2.data));
    const xNWC = randomTensor(random, [1, 20, 3]);
    const wWIO = randomTensor(random, [3, 3, 8]);
    const z1 = conv1d(xNWC, wWIO, { layout: 'NWC', padding: 'same' });
    const z2 = conv2d({ data: xNWC.data, shape: [1, 1, 20, 3] }, { data: wWIO.data, shape: [1, 3, 3, 8] }, { layout: 'NHWC', padding: 'same' });
    expect(z1.shape).toEqual([1, 20, 8]);
    expect(Array.from(z1.data)).toEqual(Array.from(z2.data));
  });

  it('prepared form reuses its weights across input lengths', () => {
    const random = seededRandom(SEED + 2);
    const w = randomTensor(random, [5, 3, 3]);
    const conv = createConv1d(w, { padding: 'same', activation: 'relu' });
    try {
      for (const width of [7, 100, 1, 7]) {
        const x = randomTensor(random, [1, 3, width]);
        const expected = referenceConv1d(x, w, { padding: 'same', activation: 'relu' });
        const actual = conv.run(x);
        expect(actual.shape).toEqual([1, 5, width]);
        for (let i = 0; i < expected.data.length; i++) expect(Math.abs(actual.data[i]! - expected.data[i]!)).toBeLessThan(1e-5);
      }
    } finally {
      conv.dispose();
    }
  });

  it('gives conv1d errors in conv1d terms', () => {
    const x = { data: new Float32Array(20), shape: [1, 2, 10] };
    const w = { data: new Float32Array(18), shape: [3, 2, 3] };
    expect(() => conv1d({ data: new Float32Array(20), shape: [1, 2, 1, 10] }, w)).toThrowError(/input\.shape must have 3 dimensions NCW \[N, C, W\]/);
    expect(() => conv1d(x, w, { layout: 'NCHW' as never })).toThrowError(/options\.layout must be one of 'NCW', 'NWC'/);
    expect(() => conv1d(x, w, { stride: [1, 2] as never })).toThrowError(/options\.stride must be an integer/);
    expect(() => conv1d(x, w, { padding: { left: 1 } as never })).toThrowError(/options\.padding must be 'valid', 'same', a number or \[left, right\]/);
    expect(() => conv1d(x, w, { strides: 2 } as never)).toThrowError(/unknown option 'strides'; did you mean 'stride'\?/);
  });
});
