// The examples of the article the project grew from (shared/seeds): single-channel convolution,
// a multi-channel filter summing its per-channel kernels, and M filters giving M channels.
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2d, createConv2d, init, type TensorData } from 'simdconv';
import { conv2d as referenceConv2d } from 'simdconv/reference';
import { expectMatchesReference, randomTensor, seededRandom } from './helpers.js';

const seedInput = [
  [3, 3, 2, 1, 0],
  [0, 0, 1, 3, 1],
  [3, 1, 2, 2, 3],
  [2, 0, 0, 2, 2],
  [2, 0, 0, 0, 1],
];
const seedKernel = [
  [0, 1, 2],
  [2, 2, 0],
  [0, 1, 2],
];
const seedOutput = [12, 12, 17, 10, 17, 19, 9, 6, 14];

beforeAll(async () => {
  await init();
});

describe('single-channel example of the seed', () => {
  it('gives [[12,12,17],[10,17,19],[9,6,14]] in NCHW/OIHW', () => {
    const y = conv2d({ data: Float32Array.from(seedInput.flat()), shape: [1, 1, 5, 5] }, { data: Float32Array.from(seedKernel.flat()), shape: [1, 1, 3, 3] }, { stride: 1, padding: 0 });
    expect(y.shape).toEqual([1, 1, 3, 3]);
    expect(Array.from(y.data)).toEqual(seedOutput);
  });

  it('gives the same exact values in NHWC with every weight layout', () => {
    for (const weightLayout of ['HWIO', 'OHWI', 'OIHW'] as const) {
      const weightShape = { HWIO: [3, 3, 1, 1], OHWI: [1, 3, 3, 1], OIHW: [1, 1, 3, 3] }[weightLayout];
      const y = conv2d(
        { data: Float32Array.from(seedInput.flat()), shape: [1, 5, 5, 1] },
        { data: Float32Array.from(seedKernel.flat()), shape: weightShape },
        { layout: 'NHWC', weightLayout },
      );
      expect(y.shape).toEqual([1, 3, 3, 1]);
      expect(Array.from(y.data)).toEqual(seedOutput);
    }
  });
});

describe('multi-channel example of the seed', () => {
  const random = seededRandom(5);
  // A 5×5×3 input with small integer values, so every sum is exact in float32.
  const ints = (n: number) => Float32Array.from({ length: n }, () => Math.floor(random() * 7) - 3);
  const input: TensorData = { data: ints(3 * 25), shape: [1, 3, 5, 5] };
  const filter: TensorData = { data: ints(3 * 9), shape: [1, 3, 3, 3] };

  function channel(t: TensorData, c: number, size: number, rows: number): TensorData {
    return { data: t.data.slice(c * size, (c + 1) * size), shape: [1, 1, rows, size / rows] };
  }

  it('one 3×3×3 filter gives one 3×3 channel: the sum of the three per-channel convolutions', () => {
    const y = conv2d(input, filter);
    expect(y.shape).toEqual([1, 1, 3, 3]);
    // The per-channel convolutions from the reference (small integers: every sum is exact).
    const perChannel = [0, 1, 2].map((c) => referenceConv2d(channel(input, c, 25, 5), channel(filter, c, 9, 3)).data);
    const summed = perChannel[0]!.map((v, i) => v + perChannel[1]![i]! + perChannel[2]![i]!);
    expect(Array.from(y.data)).toEqual(Array.from(summed));
  });

  it('M filters give M output channels, channel m from filter m alone', () => {
    const filters: TensorData = { data: ints(4 * 27), shape: [4, 3, 3, 3] };
    const y = conv2d(input, filters);
    expect(y.shape).toEqual([1, 4, 3, 3]);
    for (let m = 0; m < 4; m++) {
      const single = referenceConv2d(input, { data: filters.data.slice(m * 27, (m + 1) * 27), shape: [1, 3, 3, 3] });
      expect(Array.from(y.data.slice(m * 9, (m + 1) * 9))).toEqual(Array.from(single.data));
    }
  });

  it('the prepared form gives the same channels as the one-shot form and as the reference', () => {
    const filters: TensorData = randomTensor(random, [6, 3, 3, 3]);
    const conv = createConv2d(filters, { padding: 'same' });
    try {
      const prepared = conv.run(input);
      expect(Array.from(prepared.data)).toEqual(Array.from(conv2d(input, filters, { padding: 'same' }).data));
      expectMatchesReference(prepared, input, filters, { padding: 'same' }, 'prepared');
    } finally {
      conv.dispose();
    }
  });
});
