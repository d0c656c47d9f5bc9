// maxPool2d, avgPool2d, globalAvgPool2d: hand-worked pins run on the fast path and on the
// reference alike (every expected value below is worked out in the comment next to it), then the
// fast path against the reference on random calls over every option, then the exact messages.
//
// Max pooling is exact: the same float32 values compared, Math.max and f32x4.max agree on NaN
// (it wins) and zeros (+0 > −0), so results must be identical (Object.is; NaN payloads aside).
// Averages: float32 sums in the kernel, float64 in the reference, so within RELATIVE_TOLERANCE of
// the mean of the window's |x| (the sum of absolute terms, divided as the result is).
import { beforeAll, describe, expect, it } from 'vitest';
import {
  avgPool2d, avgPool2dAsync, globalAvgPool2d, globalAvgPool2dAsync, init, maxPool2d, maxPool2dAsync,
  type AvgPool2dOptions, type Padding, type Pool2dOptions, type TensorData,
} from 'simdconv';
import * as reference from 'simdconv/reference';
import { getRuntime } from '../dist/runtime.js';
import { expectSameValues, expectWithinTolerance, pick, poisonTensor, randomInt, randomTensor, RELATIVE_TOLERANCE, seededRandom, expectThrowsExactly, thrownBy } from './helpers.js';

beforeAll(async () => {
  await init({ threads: 1 });
});

const IMPLEMENTATIONS = [
  // The fast path on { data, shape } (its signatures also take Tensors: tests/tensor.test.ts).
  ['fast path', { maxPool2d, avgPool2d, globalAvgPool2d } as unknown as Pick<typeof reference, 'maxPool2d' | 'avgPool2d' | 'globalAvgPool2d'>],
  ['reference', { maxPool2d: reference.maxPool2d, avgPool2d: reference.avgPool2d, globalAvgPool2d: reference.globalAvgPool2d }],
] as const;

const tensor = (shape: number[], values: number[]): TensorData => ({ data: Float32Array.from(values), shape });
/** One row [1, 1, 1, W] (NCHW): the pins along the width. */
const row = (values: number[]): TensorData => tensor([1, 1, 1, values.length], values);

describe.each(IMPLEMENTATIONS)('hand-worked pooling (%s)', (_, op) => {
  it('max 2×2 stride 2 on 1..16 (4×4) picks the bottom-right of each block: 6, 8, 14, 16', () => {
    const x = tensor([1, 1, 4, 4], Array.from({ length: 16 }, (_, i) => i + 1));
    const y = op.maxPool2d(x, { kernel: 2, stride: 2 });
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expectSameValues(y.data, [6, 8, 14, 16], 'max 2×2/2');
  });

  it('NHWC with 3 channels: channel 0 as NCHW, channel 1 negated, channel 2 constant', () => {
    // Pixel p (row-major over 4×4) holds [p+1, −(p+1), 7]: max of −(p+1) over a block is its top-left.
    const data: number[] = [];
    for (let p = 0; p < 16; p++) data.push(p + 1, -(p + 1), 7);
    const y = op.maxPool2d(tensor([1, 4, 4, 3], data), { kernel: 2, stride: 2, layout: 'NHWC' });
    expect(y.shape).toEqual([1, 2, 2, 3]);
    expectSameValues(y.data, [6, -1, 7, 8, -3, 7, 14, -9, 7, 16, -11, 7], 'max NHWC');
  });

  it("ResNet's max 3×3 stride 2 padding 1 on 1..9 (3×3): 5, 6, 8, 9", () => {
    // Window (0,0) covers rows/cols −1..1: {1, 2, 4, 5} → 5; (0,1) cols 1..3: {2, 3, 5, 6} → 6; (1,0) → 8; (1,1) → 9.
    const y = op.maxPool2d(tensor([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]), { kernel: 3, stride: 2, padding: 1 });
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expectSameValues(y.data, [5, 6, 8, 9], 'max 3×3/2 pad 1');
  });

  it('the stride defaults to 1 (ONNX), not to the kernel: [1, 3, 2] → [3, 3]', () => {
    expectSameValues(op.maxPool2d(row([1, 3, 2]), { kernel: [1, 2] }).data, [3, 3], 'default stride');
  });

  it("'same' (SAME_UPPER): [1..5], kernel 2, the odd pad at the right: [2, 3, 4, 5, 5]", () => {
    expectSameValues(op.maxPool2d(row([1, 2, 3, 4, 5]), { kernel: [1, 2], padding: 'same' }).data, [2, 3, 4, 5, 5], "'same'");
  });

  it('ceilMode on [1, 2, 3, 4], kernel 3, stride 2: floor has 1 window, ceil 2 (the last one clipped)', () => {
    const x = row([1, 2, 3, 4]);
    expectSameValues(op.maxPool2d(x, { kernel: [1, 3], stride: [1, 2] }).data, [3], 'floor');
    expectSameValues(op.maxPool2d(x, { kernel: [1, 3], stride: [1, 2], ceilMode: true }).data, [3, 4], 'ceil');
    // The second window holds 3, 4 and a position past the input and past any padding: it counts
    // for neither average. With one pad at the right it counts for countIncludePad: (3 + 4 + 0) / 3.
    expectSameValues(op.avgPool2d(x, { kernel: [1, 3], stride: [1, 2], ceilMode: true }).data, [2, 3.5], 'avg ceil');
    expectSameValues(op.avgPool2d(x, { kernel: [1, 3], stride: [1, 2], ceilMode: true, countIncludePad: true }).data, [2, 3.5], 'avg ceil, include pad, no pads');
    const padded = { kernel: [1, 3], stride: [1, 2], ceilMode: true, countIncludePad: true, padding: { top: 0, bottom: 0, left: 0, right: 1 } } as AvgPool2dOptions;
    expectSameValues(op.avgPool2d(x, padded).data, [2, 7 / 3], 'avg ceil, include pad, one right pad');
  });

  it('ceilMode drops a last window that would start in the end padding: [1, 2, 3], kernel 2, stride 2, pads 1 → 2 windows, not 3', () => {
    // ceil((3 + 2 − 2) / 2) + 1 = 3 windows, starting at −1, 1, 3; the one at 3 starts in the right pad.
    const options = { kernel: [1, 2], stride: [1, 2], padding: [0, 1], ceilMode: true } as Pool2dOptions;
    const y = op.maxPool2d(row([1, 2, 3]), options);
    expect(y.shape).toEqual([1, 1, 1, 2]);
    expectSameValues(y.data, [1, 3], 'max');
    expectSameValues(op.avgPool2d(row([1, 2, 3]), { ...options, countIncludePad: true }).data, [0.5, 2.5], 'avg, include pad: (0 + 1) / 2, (2 + 3) / 2');
  });

  it('ceilMode takes a window up to stride − 1 longer than the padded input: [1, 2, 3], kernel 4, stride 2 → one window', () => {
    // ceil((3 − 4) / 2) + 1 = 1: the window covers 0..3, position 3 past the input (and any pad).
    const options = { kernel: [1, 4], stride: [1, 2], ceilMode: true } as AvgPool2dOptions;
    expectSameValues(op.maxPool2d(row([1, 2, 3]), options).data, [3], 'max');
    expectSameValues(op.avgPool2d(row([1, 2, 3]), { ...options, countIncludePad: true }).data, [2], 'avg');
    expect(thrownBy(() => op.maxPool2d(row([1, 2, 3]), { kernel: [1, 4], stride: [1, 2] }))).toBeInstanceOf(RangeError);
  });

  it('countIncludePad: 2×2 [1, 2, 3, 4], kernel 2, stride 2, padding 1: each window has one real value of four', () => {
    const x = tensor([1, 1, 2, 2], [1, 2, 3, 4]);
    expectSameValues(op.avgPool2d(x, { kernel: 2, stride: 2, padding: 1 }).data, [1, 2, 3, 4], 'real positions only');
    expectSameValues(op.avgPool2d(x, { kernel: 2, stride: 2, padding: 1, countIncludePad: true }).data, [0.25, 0.5, 0.75, 1], 'with the pads');
  });

  it('dilation 2 on [1, 5, 2, 4, 3], kernel 2: taps (0, 2), (1, 3), (2, 4)', () => {
    const options = { kernel: [1, 2], dilation: [1, 2] } as Pool2dOptions;
    expectSameValues(op.maxPool2d(row([1, 5, 2, 4, 3]), options).data, [2, 5, 3], 'max');
    expectSameValues(op.avgPool2d(row([1, 5, 2, 4, 3]), options).data, [1.5, 4.5, 2.5], 'avg');
  });

  it('a window with no input position (dilation 3 over [1, 2] padded by 1: taps −1 and 2): max −Infinity, average 0', () => {
    const options = { kernel: [1, 2], dilation: [1, 3], padding: [0, 1] } as Pool2dOptions;
    expectSameValues(op.maxPool2d(row([1, 2]), options).data, [-Infinity], 'max');
    expectSameValues(op.avgPool2d(row([1, 2]), options).data, [0], 'avg');
    expectSameValues(op.avgPool2d(row([1, 2]), { ...options, countIncludePad: true }).data, [0], 'avg, include pad');
  });

  it('max: a NaN anywhere in a window gives NaN; −Infinity is a value like any other', () => {
    expectSameValues(op.maxPool2d(row([1, NaN, 3, 4, 0, 2]), { kernel: [1, 2] }).data, [NaN, NaN, 4, 4, 2], 'stride 1');
    expectSameValues(op.maxPool2d(row([1, 2, 3, 4, 0, NaN]), { kernel: [1, 2], stride: [1, 2] }).data, [2, 4, NaN], 'stride 2, NaN last');
    expectSameValues(op.maxPool2d(row([NaN, 0, 9, 5, 1, 0]), { kernel: [1, 2], stride: [1, 3] }).data, [NaN, 5], 'stride 3, NaN first');
    expectSameValues(op.maxPool2d(row([-Infinity, -Infinity, 1]), { kernel: [1, 2] }).data, [-Infinity, 1], '−Infinity');
  });

  it('max of −0 and +0 is +0; of −0 alone, −0', () => {
    expectSameValues(op.maxPool2d(row([-0, 0, -0, -0]), { kernel: [1, 2], stride: [1, 2] }).data, [0, -0], 'zeros');
  });

  it('average: ±Infinity and NaN propagate (Infinity − Infinity is NaN)', () => {
    expectSameValues(op.avgPool2d(row([Infinity, -Infinity, 1, NaN]), { kernel: [1, 2] }).data, [NaN, -Infinity, NaN], 'avg');
  });

  it('globalAvgPool2d keeps the spatial dims: [1, 2, 2, 2] → [1, 2, 1, 1] means 2.5 and 6.5; NHWC → [1, 1, 1, 2]', () => {
    const nchw = op.globalAvgPool2d(tensor([1, 2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]));
    expect(nchw.shape).toEqual([1, 2, 1, 1]);
    expectSameValues(nchw.data, [2.5, 6.5], 'NCHW');
    const nhwc = op.globalAvgPool2d(tensor([1, 2, 2, 2], [1, 5, 2, 6, 3, 7, 4, 8]), { layout: 'NHWC' });
    expect(nhwc.shape).toEqual([1, 1, 1, 2]);
    expectSameValues(nhwc.data, [2.5, 6.5], 'NHWC');
  });
});

// --- random calls: the fast path against the reference -------------------------------------------

const SEED = 7_310_000;
const CASES_PER_OP = 240;

interface PoolCase {
  input: TensorData;
  options: AvgPool2dOptions;
  label: string;
}

const pair = (random: () => number, max: number): number | [number, number] =>
  random() < 0.5 ? randomInt(random, 1, max) : [randomInt(random, 1, max), randomInt(random, 1, max)];

/** Total padding per axis of a non-'same' padding form, to keep the window inside the padded input. */
function padTotals(padding: Padding): [number, number] {
  if (padding === 'valid') return [0, 0];
  if (padding === 'same') return [Infinity, Infinity];
  if (typeof padding === 'number') return [2 * padding, 2 * padding];
  if (Array.isArray(padding)) return [2 * padding[0]!, 2 * padding[1]!];
  const p = padding as { top: number; bottom: number; left: number; right: number };
  return [p.top + p.bottom, p.left + p.right];
}

/**
 * A random pooling call: batch 1–3, 1–9 channels (most not a multiple of 4), 1×1 to 12×12 images
 * and every 6th up to 40 wide (several 4-column groups), kernels 1–4, strides 1–4, dilation 1–3,
 * every padding form, ceilMode, countIncludePad, both layouts; a third of the inputs poisoned
 * with NaN / ±Infinity.
 */
function randomPoolCase(random: () => number, index: number): PoolCase {
  for (;;) {
    const layout = pick(random, ['NCHW', 'NHWC'] as const);
    const [batch, channels] = [randomInt(random, 1, 3), randomInt(random, 1, 9)];
    const height = randomInt(random, 1, 12);
    const width = index % 6 === 0 ? randomInt(random, 13, 40) : randomInt(random, 1, 12);
    const kernel = pair(random, 4);
    const paddingForms: Array<() => Padding> = [
      () => 'valid', () => 'same', () => randomInt(random, 0, 3),
      () => [randomInt(random, 0, 3), randomInt(random, 0, 3)],
      () => ({ top: randomInt(random, 0, 3), bottom: randomInt(random, 0, 3), left: randomInt(random, 0, 3), right: randomInt(random, 0, 3) }),
    ];
    const options: AvgPool2dOptions = {
      kernel, layout, padding: pick(random, paddingForms)(), stride: pair(random, 4),
      ...(random() < 0.3 ? { dilation: pair(random, 3) } : {}),
      ...(random() < 0.5 ? { ceilMode: true } : {}),
    };
    const [kh, kw] = typeof kernel === 'number' ? [kernel, kernel] : kernel;
    const d = options.dilation ?? 1;
    const [dh, dw] = typeof d === 'number' ? [d, d] : d;
    const [padH, padW] = padTotals(options.padding!);
    const [sh, sw] = typeof options.stride === 'number' ? [options.stride, options.stride] : options.stride!;
    // ceilMode: a window up to stride − 1 longer than the padded input still gives one output.
    const [slackH, slackW] = options.ceilMode ? [sh - 1, sw - 1] : [0, 0];
    if (height + padH + slackH < dh * (kh - 1) + 1 || width + padW + slackW < dw * (kw - 1) + 1) continue;
    const input = randomTensor(random, layout === 'NCHW' ? [batch, channels, height, width] : [batch, height, width, channels]);
    if (random() < 0.33) poisonTensor(random, input);
    return { input, options, label: `case ${index}: x [${input.shape}] ${JSON.stringify(options)}` };
  }
}

/** The tolerance scale of an average: the same average over |x|. */
const absolute = (t: TensorData): TensorData => ({ data: t.data.map(Math.abs), shape: t.shape });

describe(`pooling: the fast path against the reference (seed ${SEED}, ${CASES_PER_OP} calls per op)`, () => {
  it('maxPool2d is identical to the reference', () => {
    const random = seededRandom(SEED);
    for (let i = 0; i < CASES_PER_OP; i++) {
      const c = randomPoolCase(random, i);
      const { countIncludePad: _, ...options } = c.options;
      const expected = reference.maxPool2d(c.input, options);
      const actual = maxPool2d(c.input, options);
      expect(actual.shape, c.label).toEqual(expected.shape);
      expectSameValues(actual.data, expected.data, c.label);
    }
  });

  it('avgPool2d is within RELATIVE_TOLERANCE of the mean |x| of the window (countIncludePad either way)', () => {
    const random = seededRandom(SEED + 1);
    for (let i = 0; i < CASES_PER_OP; i++) {
      const c = randomPoolCase(random, i);
      const options = { ...c.options, countIncludePad: random() < 0.5 };
      const expected = reference.avgPool2d(c.input, options);
      const actual = avgPool2d(c.input, options);
      expect(actual.shape, c.label).toEqual(expected.shape);
      expectWithinTolerance(actual.data, expected.data, reference.avgPool2d(absolute(c.input), options).data, RELATIVE_TOLERANCE, 0, `${c.label} include pad ${options.countIncludePad}`);
    }
  });

  it('globalAvgPool2d, and avgPool2d with the whole image as its window, match the reference', () => {
    const random = seededRandom(SEED + 2);
    for (let i = 0; i < CASES_PER_OP; i++) {
      const { input, options: { layout } } = randomPoolCase(random, i);
      const label = `case ${i}: x [${input.shape}] ${layout}`;
      const expected = reference.globalAvgPool2d(input, { layout });
      const magnitude = reference.globalAvgPool2d(absolute(input), { layout }).data;
      expectWithinTolerance(globalAvgPool2d(input, { layout }).data, expected.data, magnitude, RELATIVE_TOLERANCE, 0, label);
      const [h, w] = layout === 'NCHW' ? input.shape.slice(2) : input.shape.slice(1, 3);
      const whole = avgPool2d(input, { kernel: [h!, w!], layout });
      expect(whole.shape, label).toEqual(expected.shape);
      expectWithinTolerance(whole.data, expected.data, magnitude, RELATIVE_TOLERANCE, 0, `${label}, as avgPool2d`);
    }
  });
});

// --- errors -------------------------------------------------------------------------------------

const loose = { maxPool2d, avgPool2d, globalAvgPool2d } as unknown as Record<'maxPool2d' | 'avgPool2d' | 'globalAvgPool2d', (...args: unknown[]) => unknown>;
const x = tensor([1, 2, 3, 3], new Array(18).fill(0));

// [the call, as a label; the call; the error type; its exact message]
const ERROR_CASES: Array<[string, () => unknown, ErrorConstructor, string]> = [
  ['maxPool2d(x)', () => loose.maxPool2d(x), TypeError, 'maxPool2d: options.kernel is required (a positive integer or [h, w])'],
  ['maxPool2d(x, {})', () => loose.maxPool2d(x, {}), TypeError, 'maxPool2d: options.kernel is required (a positive integer or [h, w])'],
  ['maxPool2d(x, null)', () => loose.maxPool2d(x, null), TypeError, 'maxPool2d: options must be an object, got null'],
  ['maxPool2d(x, { kernel: 0 })', () => loose.maxPool2d(x, { kernel: 0 }), RangeError, 'maxPool2d: options.kernel must be a positive integer or [h, w], got 0'],
  ['maxPool2d(x, { kernel: 1.5 })', () => loose.maxPool2d(x, { kernel: 1.5 }), RangeError, 'maxPool2d: options.kernel must be a positive integer or [h, w], got 1.5'],
  ['maxPool2d(x, { kernel: [2, 0] })', () => loose.maxPool2d(x, { kernel: [2, 0] }), RangeError, 'maxPool2d: options.kernel must be a positive integer or [h, w], got [number 2, number 0]'],
  ["maxPool2d(x, { kernel: '2' })", () => loose.maxPool2d(x, { kernel: '2' }), TypeError, 'maxPool2d: options.kernel must be a positive integer or [h, w], got the string "2"'],
  ['maxPool2d(x, { kernel: [2, 2, 2] })', () => loose.maxPool2d(x, { kernel: [2, 2, 2] }), TypeError, 'maxPool2d: options.kernel must be a positive integer or [h, w], got an array of length 3'],
  ['maxPool2d(x, { kernel: 2, stride: 0 })', () => loose.maxPool2d(x, { kernel: 2, stride: 0 }), RangeError, 'maxPool2d: options.stride must be >= 1, got 0'],
  ['maxPool2d(x, { kernel: 2, dilation: [1, 0] })', () => loose.maxPool2d(x, { kernel: 2, dilation: [1, 0] }), RangeError, 'maxPool2d: options.dilation[1] must be >= 1, got 0'],
  ["maxPool2d(x, { kernel: 2, padding: 'full' })", () => loose.maxPool2d(x, { kernel: 2, padding: 'full' }), TypeError, "maxPool2d: options.padding must be 'valid', 'same', a number, [h, w] or { top, bottom, left, right }, got the string \"full\""],
  ['maxPool2d(x, { kernel: 2, padding: -1 })', () => loose.maxPool2d(x, { kernel: 2, padding: -1 }), RangeError, 'maxPool2d: options.padding must be >= 0, got -1'],
  ["maxPool2d(x, { kernel: 2, layout: 'nhwc' })", () => loose.maxPool2d(x, { kernel: 2, layout: 'nhwc' }), RangeError, "maxPool2d: options.layout must be one of 'NCHW', 'NHWC', got the string \"nhwc\""],
  ['maxPool2d(x, { kernel: 2, ceilMode: 1 })', () => loose.maxPool2d(x, { kernel: 2, ceilMode: 1 }), TypeError, 'maxPool2d: options.ceilMode must be a boolean, got number 1'],
  ['maxPool2d(x, { kernel: 2, countIncludePad: true })', () => loose.maxPool2d(x, { kernel: 2, countIncludePad: true }), TypeError, "maxPool2d: unknown option 'countIncludePad' Known options: kernel, stride, dilation, padding, layout, ceilMode."],
  ['maxPool2d(x, { kernel: 2, strides: 2 })', () => loose.maxPool2d(x, { kernel: 2, strides: 2 }), TypeError, "maxPool2d: unknown option 'strides'; did you mean 'stride'? Known options: kernel, stride, dilation, padding, layout, ceilMode."],
  ['maxPool2d(x, { kernel: 4 }) on 3×3', () => loose.maxPool2d(x, { kernel: 4 }), RangeError, 'maxPool2d: input 3×3 with padding (0, 0, 0, 0) is smaller than the dilated window 4×4: no output'],
  ['maxPool2d(x, { kernel: 2, dilation: 3 }) on 3×3', () => loose.maxPool2d(x, { kernel: 2, dilation: 3 }), RangeError, 'maxPool2d: input 3×3 with padding (0, 0, 0, 0) is smaller than the dilated window 4×4: no output'],
  ['maxPool2d(null, { kernel: 2 })', () => loose.maxPool2d(null, { kernel: 2 }), TypeError, 'maxPool2d: input must be a tensor { data: Float32Array, shape: number[] }, got null'],
  ['maxPool2d(3-D input, { kernel: 2 })', () => loose.maxPool2d(tensor([2, 3, 3], new Array(18).fill(0)), { kernel: 2 }), RangeError, 'maxPool2d: input.shape must have 4 dimensions NCHW [N, C, H, W], got [2, 3, 3]'],
  ['avgPool2d(x, { kernel: 2, countIncludePad: 1 })', () => loose.avgPool2d(x, { kernel: 2, countIncludePad: 1 }), TypeError, 'avgPool2d: options.countIncludePad must be a boolean, got number 1'],
  ['avgPool2d(x, { kernel: 2, count_include_pad: true })', () => loose.avgPool2d(x, { kernel: 2, count_include_pad: true }), TypeError, "avgPool2d: unknown option 'count_include_pad'; did you mean 'countIncludePad'? Known options: kernel, stride, dilation, padding, layout, ceilMode, countIncludePad."],
  ['avgPool2d(x, { kernel: -1 })', () => loose.avgPool2d(x, { kernel: -1 }), RangeError, 'avgPool2d: options.kernel must be a positive integer or [h, w], got -1'],
  ['globalAvgPool2d(x, { kernel: 2 })', () => loose.globalAvgPool2d(x, { kernel: 2 }), TypeError, "globalAvgPool2d: unknown option 'kernel' Known options: layout."],
  ['globalAvgPool2d({ data: new Float32Array(3), shape: [1, 1, 2, 2] })', () => loose.globalAvgPool2d({ data: new Float32Array(3), shape: [1, 1, 2, 2] }), RangeError, 'globalAvgPool2d: input.data has 3 elements but input.shape [1, 1, 2, 2] needs 4'],
];

describe('pooling errors', () => {
  it.each(ERROR_CASES)('%s', (_, call, type, message) => expectThrowsExactly(call, type, message));

  it('the async forms reject (never throw) with the same error', async () => {
    await expect(maxPool2dAsync(x, { kernel: 0 })).rejects.toThrow('maxPool2d: options.kernel must be a positive integer or [h, w], got 0');
    await expect(avgPool2dAsync(x, { kernel: 5 })).rejects.toThrow(RangeError);
    await expect((globalAvgPool2dAsync as (...args: unknown[]) => Promise<TensorData>)(x, { layout: 'HWC' })).rejects.toThrow(RangeError);
    const y = await maxPool2dAsync(tensor([1, 1, 2, 2], [1, 4, 3, 2]), { kernel: 2 });
    expectSameValues(y.data, [4], 'async max');
  });

  it('leaves no WebAssembly memory allocated, after a result or an error', () => {
    const rt = getRuntime();
    const before = rt.arena.liveBytes;
    maxPool2d(tensor([2, 3, 9, 9], new Array(486).fill(1)), { kernel: 3, stride: 2, padding: 1 });
    avgPool2d(tensor([2, 9, 9, 3], new Array(486).fill(1)), { kernel: 3, layout: 'NHWC', ceilMode: true, stride: 2 });
    globalAvgPool2d(x);
    for (const [, call] of ERROR_CASES) thrownBy(call);
    expect(rt.arena.liveBytes).toBe(before);
  });
});
