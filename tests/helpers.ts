// Shared test helpers: a seeded generator (so every random case can be replayed) and the
// tolerance check against the float64 reference.
import { expect } from 'vitest';
import { conv2d as referenceConv2d } from 'simdconv/reference';
import type { Conv2dOptions, TensorData } from 'simdconv';

/** mulberry32: small, fast, good enough to pick shapes and values. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

export function randomTensor(random: () => number, shape: number[]): TensorData {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = random() * 2 - 1;
  return { data, shape };
}

/**
 * The stated tolerance: every output element y must satisfy
 *   |y − y_ref| ≤ RELATIVE_TOLERANCE · (Σ|w·x| + |b|)
 * where y_ref is the float64 reference and the right side is the magnitude of the terms summed
 * into that element (the natural scale of float32 rounding in a dot product).
 */
export const RELATIVE_TOLERANCE = 1e-5;

/**
 * A tolerance: `relative` times the magnitude (Σ|w·x| + |b|), taken as the largest magnitude
 * among the outputs of the same image and channel within `neighbourhood` pixels (rows and
 * columns) of the element; 0 is the element's own magnitude.
 */
export interface Tolerance {
  relative: number;
  neighbourhood: number;
}

/**
 * Sigmoid and tanh have slopes ≤ 1, so the sum's error passes through them unamplified, but the
 * kernels evaluate them in float32 (Mathf.exp, Mathf.tanh) against the reference's float64: about
 * 2 ulp of a result in (−1, 1). Allowed on top of the relative bound: 2⁻²¹ ≈ 4.8e-7.
 */
export const SATURATING_ABSOLUTE_TOLERANCE = 2 ** -21;

export const DEFAULT_TOLERANCE: Tolerance = { relative: RELATIVE_TOLERANCE, neighbourhood: 0 };

/**
 * Winograd F(4×4, 3×3) computes each 4×4 output tile from one 6×6 input patch, so an output's
 * rounding error scales with the magnitudes of its whole tile, not with its own receptive field
 * (an output whose receptive field is all padding or zeros gets rounding noise from its tile,
 * so its own Σ|w·x| can be 0). Hence the neighbourhood of 3 pixels: it covers the output's tile.
 * Measured: max |y − y_ref| / (neighbourhood magnitude) = 5.0e-6 over 1,500 random cases
 * (NCHW and NHWC, groups 1–3, 1–64 channels and 1–40 filters per group, 1×1 to 20×20 images,
 * every padding form, with and without bias, inputs and weights uniform in ±1 and in ±100).
 * The property suite later found 3.1e-5 (FUZZ_SEED=1751281542: dilation [2, 3] on a 2×3 image,
 * tiles with a single non-zero product, where the transforms' rounding is all there is). The
 * bound allows 3× that.
 */
export const WINOGRAD_TOLERANCE: Tolerance = { relative: 1e-4, neighbourhood: 3 };

/** A Winograd tile of a dilated convolution holds outputs one dilation apart: scale the radius. */
function maxDilation(options: Conv2dOptions): number {
  const d = options.dilation ?? 1;
  return typeof d === 'number' ? d : Math.max(d[0], d[1]);
}

/** Largest value among the outputs within `radius` rows and columns, per image and channel. */
export function neighbourhoodMax(values: Float32Array, shape: readonly number[], layout: 'NCHW' | 'NHWC', radius: number): Float32Array {
  if (radius === 0) return values;
  const [batch, a, b, c] = shape as [number, number, number, number];
  const [channels, height, width] = layout === 'NCHW' ? [a, b, c] : [c, a, b];
  const index = layout === 'NCHW'
    ? (n: number, m: number, y: number, x: number) => ((n * channels + m) * height + y) * width + x
    : (n: number, m: number, y: number, x: number) => ((n * height + y) * width + x) * channels + m;
  const rows = new Float32Array(values.length);
  const out = new Float32Array(values.length);
  for (let n = 0; n < batch; n++) {
    for (let m = 0; m < channels; m++) {
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          let v = 0;
          for (let d = Math.max(0, x - radius); d <= Math.min(width - 1, x + radius); d++) v = Math.max(v, values[index(n, m, y, d)]!);
          rows[index(n, m, y, x)] = v;
        }
      }
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          let v = 0;
          for (let d = Math.max(0, y - radius); d <= Math.min(height - 1, y + radius); d++) v = Math.max(v, rows[index(n, m, d, x)]!);
          out[index(n, m, y, x)] = v;
        }
      }
    }
  }
  return out;
}

export function expectMatchesReference(
  actual: TensorData, input: TensorData, weight: TensorData, options: Conv2dOptions, label: string,
  tolerance: Tolerance = DEFAULT_TOLERANCE,
): void {
  const expected = referenceConv2d(input, weight, options);
  expect(actual.shape, label).toEqual(expected.shape);
  const magnitude = neighbourhoodMax(
    referenceMagnitude(referenceConv2d, input, weight, options), expected.shape, options.layout ?? 'NCHW',
    tolerance.neighbourhood * maxDilation(options),
  );
  expectWithinTolerance(actual.data, expected.data, magnitude, tolerance.relative, saturatingAllowance(options), label);
}

interface ActivationOptions {
  activation?: string;
  alpha?: number;
  bias?: unknown;
}

/**
 * Σ|w·x| + |b| for every output element: any op's reference run on absolute values, without its
 * activation. The scale the relative tolerance applies to.
 */
export function referenceMagnitude<O extends ActivationOptions>(
  reference: (input: TensorData, weight: TensorData, options: O) => TensorData, input: TensorData, weight: TensorData, options: O,
): Float32Array {
  const abs = (t: TensorData): TensorData => ({ data: t.data.map(Math.abs), shape: t.shape });
  return reference(abs(input), abs(weight), {
    ...options,
    activation: 'none',
    alpha: undefined,
    ...(options.bias ? { bias: (options.bias as Float32Array).map(Math.abs) } : {}),
  }).data;
}

/**
 * A separableConv2d result against the reference's two steps (depthwise as conv2d with `groups`,
 * then the 1×1 with bias and activation); Σ|w·x| is taken through both steps.
 */
export function expectSeparableMatchesReference(
  actual: TensorData, input: TensorData, depthwise: TensorData, pointwise: TensorData, spatial: Conv2dOptions, groups: number,
  tail: ActivationOptions, label: string,
): void {
  const abs = (t: TensorData): TensorData => ({ data: t.data.map(Math.abs), shape: t.shape });
  const pointwiseOptions = { layout: spatial.layout, weightLayout: spatial.weightLayout, ...tail } as Conv2dOptions;
  const expected = referenceConv2d(referenceConv2d(input, depthwise, { ...spatial, groups }), pointwise, pointwiseOptions);
  const magnitude = referenceMagnitude(referenceConv2d, referenceConv2d(abs(input), abs(depthwise), { ...spatial, groups }), pointwise, pointwiseOptions);
  expect(actual.shape, label).toEqual(expected.shape);
  expectWithinTolerance(actual.data, expected.data, magnitude, RELATIVE_TOLERANCE, saturatingAllowance(tail), label);
}

/** The absolute allowance on top of the relative bound: float32 sigmoid and tanh only. */
export function saturatingAllowance(options: ActivationOptions): number {
  return options.activation === 'sigmoid' || options.activation === 'tanh' ? SATURATING_ABSOLUTE_TOLERANCE : 0;
}

/**
 * Every element within `relative · magnitude + absolute` of the reference, and NaN or ±Infinity
 * exactly where the reference has them (a NaN result is never within a finite bound); the
 * failure names the worst element. The check every op's conformance test ends with.
 */
export function expectWithinTolerance(
  actual: Float32Array, expected: Float32Array, magnitude: Float32Array, relative: number, absolute: number, label: string,
): void {
  expect(actual.length, label).toBe(expected.length);
  let worst = -1;
  let worstIndex = -1;
  for (let i = 0; i < expected.length; i++) {
    // A NaN or ±Infinity in the reference must be the same in the result (NaN sign aside).
    const excess = Number.isFinite(expected[i]!)
      ? Math.abs(actual[i]! - expected[i]!) - relative * magnitude[i]! - absolute
      : Object.is(actual[i], expected[i]) ? 0 : Infinity;
    if (!(excess <= 0) && (worstIndex < 0 || excess > worst)) {
      worst = excess;
      worstIndex = i;
    }
  }
  if (worstIndex >= 0) {
    expect.fail(
      `${label}: element ${worstIndex} is ${actual[worstIndex]}, reference ${expected[worstIndex]} ` +
        `(allowed ±${relative * magnitude[worstIndex]! + absolute})`,
    );
  }
}

export interface Conv2dCase {
  input: TensorData;
  weight: TensorData;
  options: Conv2dOptions;
  label: string;
}

export interface CaseShape {
  layout: 'NCHW' | 'NHWC';
  weightLayout: 'OIHW' | 'HWIO' | 'OHWI';
  batch: number;
  channels: number;
  height: number;
  width: number;
  outChannels: number;
  kernelH: number;
  kernelW: number;
  groups: number;
}

/** Replaces 1–3 random elements by NaN, +Infinity or -Infinity (in place); returns the tensor. */
export function poisonTensor(random: () => number, tensor: TensorData): TensorData {
  const count = 1 + Math.floor(random() * 3);
  for (let i = 0; i < count; i++) {
    tensor.data[Math.floor(random() * tensor.data.length)] = pick(random, [NaN, Infinity, -Infinity]);
  }
  return tensor;
}

/** Builds random input and weight tensors of a shape in the given layouts. */
export function makeCase(random: () => number, s: CaseShape, options: Conv2dOptions): Conv2dCase {
  const inputShape = s.layout === 'NCHW' ? [s.batch, s.channels, s.height, s.width] : [s.batch, s.height, s.width, s.channels];
  const cg = s.channels / s.groups;
  const weightShape = {
    OIHW: [s.outChannels, cg, s.kernelH, s.kernelW],
    HWIO: [s.kernelH, s.kernelW, cg, s.outChannels],
    OHWI: [s.outChannels, s.kernelH, s.kernelW, cg],
  }[s.weightLayout];
  const fullOptions: Conv2dOptions = { ...options, layout: s.layout, weightLayout: s.weightLayout, groups: s.groups };
  const label = `x [${inputShape}] ${s.layout}, w [${weightShape}] ${s.weightLayout}, options ${JSON.stringify(
    { ...fullOptions, bias: fullOptions.bias ? `[${(fullOptions.bias as Float32Array).length}]` : undefined },
  )}`;
  return { input: randomTensor(random, inputShape), weight: randomTensor(random, weightShape), options: fullOptions, label };
}

/** Restricts random cases to what one kernel path computes. */
export interface CaseConstraints {
  /** Square kernel of this size. */
  kernel?: number;
  stride?: number;
  dilation?: number;
  /** groups = C = M (one filter per channel). */
  depthwise?: boolean;
  maxInChannels?: number;
  /** Height and width in [min, max] (default [1, 13]). */
  size?: [number, number];
  /** At most this many channels and filters per group (default 6 and 19). */
  maxChannels?: number;
}

/** A random convolution over every option; its output has at least one pixel. */
export function randomConv2dCase(random: () => number, constraints: CaseConstraints = {}): Conv2dCase {
  for (;;) {
    const groups = pick(random, [1, 1, 1, 2, 3, 4]);
    const shape: CaseShape = {
      layout: pick(random, ['NCHW', 'NHWC'] as const),
      weightLayout: pick(random, ['OIHW', 'HWIO', 'OHWI'] as const),
      batch: randomInt(random, 1, 3),
      channels: groups * randomInt(random, 1, constraints.maxChannels ?? 6),
      height: randomInt(random, ...(constraints.size ?? [1, 13])),
      width: randomInt(random, ...(constraints.size ?? [1, 13])),
      outChannels: groups * randomInt(random, 1, constraints.maxChannels ?? 19),
      kernelH: randomInt(random, 1, 5),
      kernelW: randomInt(random, 1, 5),
      groups,
    };
    const pair = (max: number): number | [number, number] =>
      random() < 0.5 ? randomInt(random, 1, max) : [randomInt(random, 1, max), randomInt(random, 1, max)];
    const paddingForms = [
      () => 'valid' as const,
      () => 'same' as const,
      () => randomInt(random, 0, 3),
      () => [randomInt(random, 0, 3), randomInt(random, 0, 3)] as [number, number],
      () => ({ top: randomInt(random, 0, 3), bottom: randomInt(random, 0, 3), left: randomInt(random, 0, 3), right: randomInt(random, 0, 3) }),
    ];
    const options: Conv2dOptions = {
      stride: pair(3),
      dilation: random() < 0.7 ? 1 : pair(3),
      padding: pick(random, paddingForms)(),
      activation: pick(random, ['none', 'relu', 'relu6', 'leakyRelu', 'sigmoid', 'tanh'] as const),
    };
    if (options.activation === 'leakyRelu' && random() < 0.7) options.alpha = pick(random, [0.1, 0.2, -0.5, 1.5]);
    if (constraints.kernel !== undefined) shape.kernelH = shape.kernelW = constraints.kernel;
    if (constraints.stride !== undefined) options.stride = constraints.stride;
    if (constraints.dilation !== undefined) options.dilation = constraints.dilation;
    if (constraints.depthwise) shape.channels = shape.outChannels = shape.groups = randomInt(random, 1, constraints.maxChannels ?? 13);
    if (constraints.maxInChannels !== undefined) {
      shape.groups = 1;
      shape.channels = randomInt(random, 1, constraints.maxInChannels);
    }
    if (random() < 0.5) options.bias = randomTensor(random, [shape.outChannels]).data;
    const dilation = typeof options.dilation === 'number' ? [options.dilation, options.dilation] : options.dilation!;
    const extentH = dilation[0]! * (shape.kernelH - 1) + 1;
    const extentW = dilation[1]! * (shape.kernelW - 1) + 1;
    const pad = options.padding;
    const [padH, padW] = pad === 'same' ? [Infinity, Infinity] : pad === 'valid' ? [0, 0]
      : typeof pad === 'number' ? [2 * pad, 2 * pad]
      : Array.isArray(pad) ? [2 * pad[0]!, 2 * pad[1]!]
      : [(pad as { top: number; bottom: number }).top + (pad as { bottom: number }).bottom,
         (pad as { left: number }).left + (pad as { right: number }).right];
    if (shape.height + padH < extentH || shape.width + padW < extentW) continue;
    return makeCase(random, shape, options);
  }
}

/** The error `call` throws (failing when it returns), for checks of its type and message. */
export function thrownBy(call: () => unknown): Error {
  try {
    call();
  } catch (error) {
    return error as Error;
  }
  return expect.fail('nothing was thrown');
}

/** `call` throws an error of `type` with exactly `message`. */
export function expectThrowsExactly(call: () => unknown, type: ErrorConstructor, message: string): void {
  const error = thrownBy(call);
  expect(error).toBeInstanceOf(type);
  expect(error.message).toBe(message);
}

type ImageFilter = (image: { data: Uint8ClampedArray; width: number; height: number }, kernel: never) => { data: Uint8ClampedArray | Uint8Array };

/**
 * A kernel given as `{ data, width, height }` filters as the same 2-D array does (3×2, one
 * column, one row), on an image it changes: run on the fast path and on the reference alike.
 */
export function expectKernelObjectsFilterAsArrays(filter: ImageFilter): void {
  const image = { data: Uint8ClampedArray.from({ length: 7 * 5 * 4 }, (_, i) => (i * 37) % 256), width: 7, height: 5 };
  const bytes = (kernel: unknown) => Array.from(filter(image, kernel as never).data);
  for (const rows of [[[1, -2, 0.5], [0, 3, -1]], [[1], [-2]], [[1, -2]]]) {
    expect(bytes({ data: rows.flat(), width: rows[0]!.length, height: rows.length }), JSON.stringify(rows)).toEqual(bytes(rows));
  }
  expect(bytes([[1, -2, 0.5], [0, 3, -1]])).not.toEqual(Array.from(image.data));
}

/** Identical float32 values, position by position (NaN equals NaN; +0 and −0 differ): exact ops. */
export function expectSameValues(actual: Float32Array, expected: ArrayLike<number>, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const same = Object.is(actual[i], Math.fround(expected[i]!)) || (Number.isNaN(actual[i]) && Number.isNaN(expected[i]));
    if (!same) expect.fail(`${label}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}
