// Every op rejects bad input with a TypeError or RangeError that names the argument, what was
// expected and what was given; misuse of prepared ops is refused; and after thousands of mixed
// valid and invalid calls the library gives correct results and holds no memory it should not.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  conv1d, conv2d, conv3d, convTranspose2d, createConv1d, createConv2d, createConv3d, createConvTranspose2d,
  createDepthwiseConv2d, createSeparableConv2d, depthwiseConv2d, filterImage, init, OPS as REGISTRY, separableConv2d, type Conv2dOptions, type TensorData,
} from 'simdconv';
import {
  conv1d as referenceConv1d, conv2d as referenceConv2d, conv3d as referenceConv3d, convTranspose2d as referenceConvTranspose2d,
  filterImage as referenceFilterImage,
} from 'simdconv/reference';
import { getRuntime } from '../dist/runtime.js';
import { DEFAULT_TOLERANCE, expectMatchesReference, randomTensor, seededRandom } from './helpers.js';

beforeAll(async () => {
  await init();
});

const tensor = (shape: number[], value = 0.5): TensorData => ({ data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(value), shape });

interface OpUnderTest {
  name: string;
  /** A valid call's input and weight; the input's channel axis is 1 (first layout). */
  input: number[];
  weight: number[];
  /** Output channels (the bias length). */
  filters: number;
  call(input: unknown, weight: unknown, options?: unknown): TensorData;
  create(weight: unknown, options?: unknown): { run(input: TensorData): TensorData; dispose(): void };
  /** An input too small for the kernel without padding. */
  tooSmall: number[];
  /** Input with a different channel count, for the prepared form. */
  otherChannels: number[];
  /** A groups option the channels do not allow (0 when the op has no groups option). */
  badGroups: number;
}

const pointwise = tensor([4, 2, 1, 1]);
const OPS: OpUnderTest[] = [
  {
    name: 'conv2d', input: [1, 2, 6, 6], weight: [3, 2, 3, 3], filters: 3, tooSmall: [1, 2, 2, 2], otherChannels: [1, 3, 6, 6], badGroups: 2,
    call: (x, w, o) => conv2d(x as TensorData, w as TensorData, o as never), create: (w, o) => createConv2d(w as TensorData, o as never),
  },
  {
    name: 'conv1d', input: [1, 2, 9], weight: [3, 2, 3], filters: 3, tooSmall: [1, 2, 2], otherChannels: [1, 3, 9], badGroups: 2,
    call: (x, w, o) => conv1d(x as TensorData, w as TensorData, o as never), create: (w, o) => createConv1d(w as TensorData, o as never),
  },
  {
    name: 'conv3d', input: [1, 2, 4, 5, 5], weight: [3, 2, 3, 3, 3], filters: 3, tooSmall: [1, 2, 2, 5, 5], otherChannels: [1, 3, 4, 5, 5], badGroups: 2,
    call: (x, w, o) => conv3d(x as TensorData, w as TensorData, o as never), create: (w, o) => createConv3d(w as TensorData, o as never),
  },
  {
    // IOHW [C, M, kH, kW]; a transposed conv never has too small an input, only too much padding.
    name: 'convTranspose2d', input: [1, 2, 4, 4], weight: [2, 3, 3, 3], filters: 3, tooSmall: [], otherChannels: [1, 3, 4, 4], badGroups: 3,
    call: (x, w, o) => convTranspose2d(x as TensorData, w as TensorData, o as never), create: (w, o) => createConvTranspose2d(w as TensorData, o as never),
  },
  {
    name: 'depthwiseConv2d', input: [1, 2, 6, 6], weight: [2, 1, 3, 3], filters: 2, tooSmall: [1, 2, 2, 2], otherChannels: [1, 3, 6, 6], badGroups: 0,
    call: (x, w, o) => depthwiseConv2d(x as TensorData, w as TensorData, o as never), create: (w, o) => createDepthwiseConv2d(w as TensorData, o as never),
  },
  {
    name: 'separableConv2d', input: [1, 2, 6, 6], weight: [2, 1, 3, 3], filters: 4, tooSmall: [1, 2, 2, 2], otherChannels: [1, 3, 6, 6], badGroups: 0,
    call: (x, w, o) => separableConv2d(x as TensorData, w as TensorData, pointwise, o as never),
    create: (w, o) => createSeparableConv2d(w as TensorData, pointwise, o as never),
  },
];

describe('the op table of these tests', () => {
  it('covers every op of the registry with a prepared form (add and the pools: tests/add, tests/pool2d; filterImage below)', () => {
    expect(OPS.map((op) => op.name).sort()).toEqual(Object.keys(REGISTRY).filter((name) => 'create' in REGISTRY[name as keyof typeof REGISTRY]).sort());
  });
});

type Case = [string, (op: OpUnderTest) => unknown, ErrorConstructor, (op: OpUnderTest) => RegExp];

const withDim = (shape: number[], axis: number, value: number) => shape.map((d, i) => (i === axis ? value : d));
const CASES: Case[] = [
  ['input not an object', (op) => op.call(42, tensor(op.weight)), TypeError, () => /input must be a tensor \{ data: Float32Array, shape: number\[\] \}, got number 42/],
  ['input.data a plain array', (op) => op.call({ data: [1, 2], shape: op.input }, tensor(op.weight)), TypeError, () => /input\.data must be a Float32Array \(other arrays are not converted; use Float32Array\.from\), got an array/],
  ['input.data a Float64Array', (op) => op.call({ data: new Float64Array(2), shape: op.input }, tensor(op.weight)), TypeError, () => /input\.data must be a Float32Array .*got a Float64Array/],
  ['input.shape not an array', (op) => op.call({ data: new Float32Array(4), shape: 'NCHW' }, tensor(op.weight)), TypeError, () => /input\.shape must be an array of \d dimensions/],
  ['input of the wrong rank', (op) => op.call(tensor([2, 2]), tensor(op.weight)), RangeError, (op) => new RegExp(`input\\.shape must have ${op.input.length} dimensions .*got \\[2, 2\\]`)],
  ['data shorter than the shape', (op) => op.call({ data: new Float32Array(3), shape: op.input }, tensor(op.weight)), RangeError, () => /input\.data has 3 elements but input\.shape \[.*\] needs \d+/],
  ...([0, -2, 1.5, Number.NaN, Infinity] as const).map((bad): Case => [
    `a dimension of ${bad}`, (op) => op.call({ data: new Float32Array(8), shape: withDim(op.input, 1, bad) }, tensor(op.weight)), RangeError,
    () => new RegExp(`input\\.shape\\[1\\] must be a positive integer, got .*${Number.isNaN(bad) ? 'NaN' : String(bad).replace('.', '\\.')}`),
  ]),
  ['a weight of the wrong rank', (op) => op.call(tensor(op.input), tensor([3, 3])), RangeError, (op) => new RegExp(`weight\\.shape must have ${op.weight.length} dimensions`)],
  ['a NaN weight', (op) => op.call(tensor(op.input), { data: tensor(op.weight).data.fill(Number.NaN, 4, 5), shape: op.weight }), RangeError, () => /weight\.data\[4\] is NaN: weights and bias must be finite/],
  ['an infinite weight', (op) => op.call(tensor(op.input), { data: tensor(op.weight).data.fill(-Infinity, 0, 1), shape: op.weight }), RangeError, () => /weight\.data\[0\] is -Infinity/],
  ['options not an object', (op) => op.call(tensor(op.input), tensor(op.weight), 5), TypeError, () => /options must be an object/],
  ['a misspelt option (strides)', (op) => op.call(tensor(op.input), tensor(op.weight), { strides: 2 }), TypeError, () => /unknown option 'strides'; did you mean 'stride'\?/],
  ['pad instead of padding', (op) => op.call(tensor(op.input), tensor(op.weight), { pad: 1 }), TypeError, () => /unknown option 'pad'; did you mean 'padding'\?/],
  ['stride 0', (op) => op.call(tensor(op.input), tensor(op.weight), { stride: 0 }), RangeError, () => /options\.stride.* must be >= 1, got 0/],
  ['dilation 0', (op) => op.call(tensor(op.input), tensor(op.weight), { dilation: 0 }), RangeError, () => /options\.dilation.* must be >= 1, got 0/],
  ['negative padding', (op) => op.call(tensor(op.input), tensor(op.weight), { padding: -1 }), RangeError, () => /options\.padding.* must be >= 0, got -1/],
  ['an unknown layout', (op) => op.call(tensor(op.input), tensor(op.weight), { layout: 'XYZ' }), RangeError, () => /options\.layout must be one of '.*', got the string "XYZ"/],
  ['an unknown activation', (op) => op.call(tensor(op.input), tensor(op.weight), { activation: 'gelu' }), RangeError, () => /options\.activation must be one of 'none', 'relu', .*got the string "gelu"/],
  ['a bias of the wrong length', (op) => op.call(tensor(op.input), tensor(op.weight), { bias: new Float32Array(op.filters + 1) }), RangeError, (op) => new RegExp(`options\\.bias must have one value per output channel \\(${op.filters}\\), got ${op.filters + 1}`)],
  ['a bias not a Float32Array', (op) => op.call(tensor(op.input), tensor(op.weight), { bias: [1, 2, 3] }), TypeError, () => /options\.bias must be a Float32Array/],
  ['an infinite bias', (op) => op.call(tensor(op.input), tensor(op.weight), { bias: new Float32Array(op.filters).fill(Infinity, 1) }), RangeError, () => /options\.bias\[1\] is Infinity: weights and bias must be finite/],
];

describe('bad input: every op names the argument, what was expected and what was given', () => {
  for (const op of OPS) {
    for (const [name, call, type, message] of CASES) {
      it(`${op.name}: ${name}`, () => {
        let thrown: unknown = null;
        try {
          call(op);
        } catch (error) {
          thrown = error;
        }
        expect(thrown, 'no error was thrown').toBeInstanceOf(type);
        expect((thrown as Error).message).toMatch(message(op));
      });
    }
    it(`${op.name}: an unknown algorithm`, () => {
      const call = () => op.call(tensor(op.input), tensor(op.weight), { algorithm: 'fft' });
      // separableConv2d chooses the path of each step itself: it has no algorithm option.
      const [type, message] = op.name === 'separableConv2d'
        ? [TypeError, /unknown option 'algorithm'/]
        : [RangeError, /options\.algorithm must be one of 'auto', 'gemm', 'direct', 'depthwise', 'winograd', got the string "fft"/];
      expect(call).toThrowError(type);
      expect(call).toThrowError(message);
    });
    if (op.badGroups > 0) {
      it(`${op.name}: groups that do not divide the channels`, () => {
        const call = () => op.call(tensor(op.input), tensor(op.weight), { groups: op.badGroups });
        expect(call).toThrowError(RangeError);
        expect(call).toThrowError(new RegExp(`options\\.groups \\(${op.badGroups}\\) must divide`));
      });
    }
    it(`${op.name}: padding that leaves no output`, () => {
      const call = op.tooSmall.length > 0
        ? () => op.call(tensor(op.tooSmall), tensor(op.weight))
        : () => op.call(tensor(op.input), tensor(op.weight), { padding: 9 });
      expect(call).toThrowError(RangeError);
      expect(call).toThrowError(/no output/);
    });
    it(`${op.name}: the prepared form refuses another channel count and runs after dispose; dispose twice is harmless`, () => {
      const conv = op.create(tensor(op.weight));
      expect(() => conv.run(tensor(op.otherChannels))).toThrowError(RangeError);
      expect(() => conv.run(tensor(op.otherChannels))).toThrowError(/channels/);
      expect(conv.run(tensor(op.input)).data.length).toBeGreaterThan(0);
      conv.dispose();
      conv.dispose();
      expect(() => conv.run(tensor(op.input))).toThrowError(/disposed/);
    });
  }

  it('a call too large for WebAssembly memory fails up front with the sizes, allocating nothing', () => {
    const rt = getRuntime();
    const [live, memory] = [rt.arena.liveBytes, rt.memory.buffer.byteLength];
    const huge: Array<[() => unknown, RegExp]> = [
      [() => conv2d(tensor([1, 1, 1, 1]), tensor([1, 1, 1, 1]), { padding: 40000 }), /conv2d: this call needs 47\.7 GiB of WebAssembly memory \(input 4 bytes, output 23\.8 GiB, .*more than the 4 GiB/],
      [() => convTranspose2d(tensor([1, 1, 2, 2]), tensor([1, 1, 1, 1]), { stride: 50000 }), /convTranspose2d: this call needs .* GiB .*output 9\.3 GiB/],
      [() => conv3d(tensor([1, 1, 1, 1, 1]), tensor([1, 1, 1, 1, 1]), { padding: 1200 }), /conv3d: this call needs 51\.6 GiB/],
      [() => separableConv2d(tensor([1, 2, 1, 1]), tensor([2, 1, 1, 1]), pointwise, { padding: 30000 }), /separableConv2d: this call needs .* GiB/],
    ];
    for (const [call, message] of huge) {
      expect(call).toThrowError(RangeError);
      expect(call).toThrowError(message);
    }
    expect(rt.arena.liveBytes).toBe(live);
    expect(rt.memory.buffer.byteLength).toBe(memory);
  });
});

describe('special values', () => {
  // Per op: the reference's answer for the same call (depthwise and separable through conv2d).
  const reference = (op: OpUnderTest, x: TensorData, w: TensorData): TensorData => {
    switch (op.name) {
      case 'conv2d': return referenceConv2d(x, w);
      case 'conv1d': return referenceConv1d(x, w);
      case 'conv3d': return referenceConv3d(x, w);
      case 'convTranspose2d': return referenceConvTranspose2d(x, w);
      case 'depthwiseConv2d': return referenceConv2d(x, w, { groups: 2 });
      case 'separableConv2d': return referenceConv2d(referenceConv2d(x, w, { groups: 2 }), pointwise);
      default: throw new Error(`no reference for ${op.name}`);
    }
  };
  const fill = (shape: number[], values: number[]): TensorData => {
    const t = tensor(shape);
    for (let i = 0; i < t.data.length; i++) t.data[i] = values[i % values.length]!;
    return t;
  };

  it('-0 and subnormals compute like the reference; huge values neither crash nor hang', () => {
    const tiny = [-0, 1e-40, -3e-42, 1.4e-45, 0.75, -0, 2e-39];
    const huge = [3e38, -3e38, 1e38, -0, 1];
    for (const op of OPS) {
      const x = fill(op.input, tiny);
      const w = fill(op.weight, [0.5, -0.25, 1e-39, -0]);
      const y = op.call(x, w);
      expect(y.data.every(Number.isFinite), op.name).toBe(true);
      const expected = reference(op, x, w);
      expect(y.shape, op.name).toEqual(expected.shape);
      for (let i = 0; i < expected.data.length; i++) expect(Math.abs(y.data[i]! - expected.data[i]!), `${op.name} ${i}`).toBeLessThanOrEqual(1e-6 * Math.abs(expected.data[i]!) + 1e-44);
      const big = op.call(fill(op.input, huge), fill(op.weight, [1e38, -2, 0.5]));
      expect(big.data.length, op.name).toBe(y.data.length);
    }
  });
});

describe('state after errors', () => {
  it('3,000 mixed valid and invalid calls: every valid one gives the reference result, every invalid one the right error; no live allocation behind', () => {
    const rt = getRuntime();
    const random = seededRandom(606);
    const live = rt.arena.liveBytes;
    const weight = randomTensor(random, [4, 3, 3, 3]);
    const preparedOptions = { padding: 'same', activation: 'relu' } as const;
    const prepared = createConv2d(weight, preparedOptions);
    prepared.run(randomTensor(random, [1, 3, 12, 12])); // its workspace at the largest size below
    const preparedLive = rt.arena.liveBytes;
    /** A call that must succeed with the reference's values. */
    const valid = (label: string, call: () => TensorData, options: Conv2dOptions, x: TensorData) => {
      expectMatchesReference(call(), x, weight, options, label, DEFAULT_TOLERANCE);
      counts.valid++;
    };
    /** A call that must throw `type` with a message naming the argument. */
    const invalid = (label: string, call: () => unknown, type: ErrorConstructor, message: RegExp) => {
      expect(call, label).toThrowError(type);
      expect(call, label).toThrowError(message);
      counts.invalid++;
    };
    const counts = { valid: 0, invalid: 0 };
    for (let i = 0; i < 3000; i++) {
      const size = 1 + Math.floor(random() * 12);
      const x = randomTensor(random, [1, 3, size, size]);
      const label = `call ${i} (size ${size})`;
      switch (i % 6) {
        case 0: valid(label, () => conv2d(x, weight, { padding: 'same' }), { padding: 'same' }, x); break;
        case 1: invalid(label, () => conv2d(randomTensor(random, [1, 2, size, size]), weight), RangeError, /input has 2 channels .* but the weight expects/); break;
        case 2:
          if (size % 2 === 0) invalid(label, () => conv2d(x, weight, { padding: -1 }), RangeError, /options\.padding must be >= 0, got -1/);
          else if (size < 3) invalid(label, () => conv2d(x, weight, { padding: 'valid' }), RangeError, /no output/);
          else valid(label, () => conv2d(x, weight, { padding: 'valid' }), { padding: 'valid' }, x);
          break;
        case 3: valid(label, () => prepared.run(x), preparedOptions, x); break;
        case 4: invalid(label, () => prepared.run({ data: x.data.subarray(1), shape: x.shape }), RangeError, /input\.data has \d+ elements but input\.shape/); break;
        default: {
          // Every other image is one row short of its data.
          const image = { data: Uint8ClampedArray.from({ length: size * size * 4 }, () => Math.floor(random() * 256)), width: size, height: size };
          if (i % 12 === 5) {
            expect(Array.from(filterImage(image, 'sobel').data), label).toEqual(Array.from(referenceFilterImage(image, 'sobel').data));
            counts.valid++;
          } else {
            invalid(label, () => filterImage({ ...image, height: size + 1 }, 'sobel'), RangeError, /image\.data has \d+ bytes but/);
          }
        }
      }
    }
    expect(counts.valid + counts.invalid).toBe(3000);
    expect(counts.valid).toBeGreaterThan(1000);
    expect(counts.invalid).toBeGreaterThan(1000);
    expect(rt.arena.liveBytes).toBe(preparedLive);
    const x = randomTensor(random, [2, 3, 17, 13]);
    expectMatchesReference(prepared.run(x), x, weight, preparedOptions, 'prepared conv after the errors', DEFAULT_TOLERANCE);
    expectMatchesReference(conv2d(x, weight, { stride: 2 }), x, weight, { stride: 2 }, 'one-shot conv after the errors', DEFAULT_TOLERANCE);
    prepared.dispose();
    expect(rt.arena.liveBytes).toBe(live);
  });

  it('a large call after many small ones grows memory; earlier results and later calls stay correct', () => {
    const rt = getRuntime();
    const random = seededRandom(607);
    const weight = randomTensor(random, [8, 4, 3, 3]);
    const small = randomTensor(random, [1, 4, 9, 9]);
    const before = conv2d(small, weight);
    for (let i = 0; i < 200; i++) conv2d(randomTensor(random, [1, 4, 5 + (i % 7), 9]), weight);
    const memory = rt.memory.buffer.byteLength;
    // Bigger than everything so far: memory grows, detaching every earlier view of it.
    const big = randomTensor(random, [1, 4, 520, 520]);
    const bigResult = conv2d(big, weight, { padding: 1 });
    expect(rt.memory.buffer.byteLength).toBeGreaterThan(memory);
    expect(bigResult.data[123]).toBeCloseTo(referenceConv2d(big, weight, { padding: 1 }).data[123]!, 4);
    // Results handed out before the grow are the caller's own arrays, unchanged.
    expect(Array.from(before.data)).toEqual(Array.from(conv2d(small, weight).data));
  });
});
