// The random cases of the property tests (tests/fuzz.test.ts): parameter ranges per op, mixed
// from families, and the calls built from a drawn case. Small cases find corner cases and shrink
// well; the other families reach what small shapes never do (tests/generator-coverage.test.ts
// measures it):
//   wide   output widths up to ~96, so width mod 32 (the depthwise plane kernel's column group)
//          and mod 8 (the gemm and direct tiles) take every value, and 1–9 filters per group
//          (NHWC tiles are 8 filters wide); 1–2 channels and 1–6 rows keep it cheap;
//   deep   8–24 channels and filters per group: 'auto' picks Winograd, Winograd blocks of
//          several tile rows, filters per group past one 8-wide panel;
//   winogradBlocks  177–200 filters per group make a Winograd block 16 tiles (the minimum), so
//          images over 64 columns wide per dilation phase split into several blocks across
//          (tx0 > 0), with and without dilation; 1–2 input channels keep it cheap;
//   pointwise  1×1 stride-1 unpadded convolutions (gemm reads the input in place) with 24–40
//          channels per group, both sides of the depth from which the in-place GEMM runs its
//          columns inside each 4-row group (ROWS_OUTER_MIN_DEPTH, assembly/gemm.ts);
//   pointwiseWide  the same with 64–80 filters, where that GEMM packs each row group first
//          (PACKING_MIN_COLS, assembly/gemm.ts);
//   onePixel  a 1×1 output (a classifier): the GEMM's one-row and one-column forms (GEMV);
//   tall (filterImage)  images taller than one band of 128 rows.
import type { Conv2dOptions, KernelPreset, TensorData } from 'simdconv';
import { KERNEL_PRESETS } from 'simdconv';
import { poisonTensor, randomTensor, seededRandom } from './helpers.js';
import { int, oneOf, type Family, type ParamSpec, type Params } from './property.js';

export const ACTIVATIONS = ['none', 'relu', 'relu6', 'leakyRelu', 'sigmoid', 'tanh'] as const;

/** A quarter of the cases put NaN and ±Infinity in the input: they must land where the reference's do. */
export const maybePoison = (p: Params, random: () => number, tensor: TensorData): TensorData => (p.poison ? poisonTensor(random, tensor) : tensor);

export const activationOptions = (p: Params, random: () => number) => ({
  activation: p.activation as (typeof ACTIVATIONS)[number],
  ...(p.activation === 'leakyRelu' ? { alpha: [0.1, -0.5, 1.5][Math.floor(random() * 3)]! } : {}),
});

export function padding2d(p: Params) {
  if (p.padding === 'explicit') return { top: p.padTop as number, bottom: p.padBottom as number, left: p.padLeft as number, right: p.padRight as number };
  return p.padding as 'valid' | 'same';
}

/** NCHW or NHWC activations of a batch. */
const activationShape = (p: Params, channels: number): number[] =>
  p.layout === 'NCHW' ? [p.batch as number, channels, p.height as number, p.width as number] : [p.batch as number, p.height as number, p.width as number, channels];

// ---------------------------------------------------------------------------------------------
// conv2d, every forced path and 'auto'

export const conv2dParams: Record<string, ParamSpec> = {
  data: int(0, 1e6), poison: oneOf(false, false, false, true), layout: oneOf('NCHW', 'NHWC'), weightLayout: oneOf('OIHW', 'HWIO', 'OHWI'), algorithm: oneOf('auto', 'gemm', 'direct', 'depthwise', 'winograd'),
  batch: int(1, 2), groups: int(1, 3), channelsPerGroup: int(1, 4), filtersPerGroup: int(1, 4), height: int(1, 10), width: int(1, 10),
  kernelH: int(1, 4), kernelW: int(1, 4), strideH: int(1, 3), strideW: int(1, 3), dilationH: int(1, 3), dilationW: int(1, 3),
  padding: oneOf('valid', 'same', 'explicit'), padTop: int(0, 2), padBottom: int(0, 2), padLeft: int(0, 2), padRight: int(0, 2),
  bias: oneOf(false, true), activation: oneOf(...ACTIVATIONS),
};

export const conv2dFamilies: Record<string, Family> = {
  small: { weight: 40, params: {} },
  // Forced depthwise three times as often: its 32 residues need the most cases.
  wide: {
    weight: 46,
    params: {
      algorithm: oneOf('auto', 'gemm', 'direct', 'depthwise', 'depthwise', 'depthwise', 'winograd'),
      groups: int(1, 2), channelsPerGroup: int(1, 2), filtersPerGroup: int(1, 9), height: int(1, 6), width: int(1, 96),
      kernelH: int(1, 3), kernelW: int(1, 3), strideW: oneOf(1, 1, 1, 2), dilationW: int(1, 2),
    },
  },
  deep: {
    weight: 12,
    params: {
      algorithm: oneOf('auto', 'auto', 'winograd', 'winograd', 'gemm', 'direct'),
      groups: int(1, 2), channelsPerGroup: int(8, 24), filtersPerGroup: int(8, 24), height: int(6, 20), width: int(6, 20),
      kernelH: oneOf(3, 3, 3, 1, 5), kernelW: oneOf(3, 3, 3, 2, 4), strideH: oneOf(1, 1, 1, 2), strideW: oneOf(1, 1, 1, 2),
    },
  },
  pointwise: {
    weight: 6,
    params: {
      algorithm: oneOf('auto', 'gemm', 'gemm'), groups: int(1, 2), channelsPerGroup: int(24, 40), filtersPerGroup: int(1, 17),
      height: int(1, 5), width: int(1, 12), kernelH: oneOf(1), kernelW: oneOf(1), strideH: oneOf(1), strideW: oneOf(1), padding: oneOf('valid'),
    },
  },
  // From 64 filters on, the in-place GEMM with depth ≥ 32 packs each 4-pixel row group first.
  pointwiseWide: {
    weight: 4,
    params: {
      algorithm: oneOf('auto', 'gemm'), groups: int(1, 1), channelsPerGroup: int(28, 40), filtersPerGroup: int(64, 80),
      height: int(1, 4), width: int(1, 9), kernelH: oneOf(1), kernelW: oneOf(1), strideH: oneOf(1), strideW: oneOf(1), padding: oneOf('valid'),
    },
  },
  // One output pixel (a classifier): the GEMM runs as a GEMV on one row (NHWC) or column
  // (NCHW), read in place (1×1) or packed (3×3 'same' on a 1×1 image), 1–80 filters.
  onePixel: {
    weight: 2,
    params: {
      algorithm: oneOf('auto', 'gemm'), batch: int(1, 1), groups: int(1, 1), channelsPerGroup: int(1, 12), filtersPerGroup: int(1, 80),
      height: oneOf(1), width: oneOf(1), kernelH: oneOf(1, 3), kernelW: oneOf(1, 3), strideH: oneOf(1), strideW: oneOf(1),
      dilationH: oneOf(1), dilationW: oneOf(1), padding: oneOf('same'),
    },
  },
  // No poison here: a non-finite input sends Winograd's work to the GEMM.
  winogradBlocks: {
    weight: 4,
    params: {
      algorithm: oneOf('winograd'), poison: oneOf(false), batch: int(1, 1), groups: int(1, 1), channelsPerGroup: int(1, 2), filtersPerGroup: int(177, 200),
      height: int(1, 12), width: int(40, 176), dilationH: int(1, 2), dilationW: oneOf(2, 1, 2),
    },
  },
};

export interface Conv2dCall {
  input: TensorData;
  weight: TensorData;
  options: Conv2dOptions & { algorithm: NonNullable<Conv2dOptions['algorithm']> };
}

/** The conv2d call of a drawn case. What a forced path computes: depthwise is one filter per channel, Winograd 3×3 stride 1. */
export function conv2dCall(p: Params): Conv2dCall {
  const random = seededRandom(p.data as number);
  const algorithm = p.algorithm as Conv2dCall['options']['algorithm'];
  const [cg, mg] = algorithm === 'depthwise' ? [1, 1] : [p.channelsPerGroup as number, p.filtersPerGroup as number];
  const [kH, kW] = algorithm === 'winograd' ? [3, 3] : [p.kernelH as number, p.kernelW as number];
  const stride = algorithm === 'winograd' ? 1 : [p.strideH as number, p.strideW as number] as [number, number];
  const groups = p.groups as number;
  const [C, M] = [groups * cg, groups * mg];
  const input = maybePoison(p, random, randomTensor(random, activationShape(p, C)));
  const weight = randomTensor(random, { OIHW: [M, cg, kH, kW], HWIO: [kH, kW, cg, M], OHWI: [M, kH, kW, cg] }[p.weightLayout as 'OIHW']);
  const options = {
    layout: p.layout as 'NCHW', weightLayout: p.weightLayout as 'OIHW', groups, stride, dilation: [p.dilationH as number, p.dilationW as number] as [number, number],
    padding: padding2d(p), algorithm, ...activationOptions(p, random), ...(p.bias ? { bias: randomTensor(random, [M]).data } : {}),
  };
  return { input, weight, options };
}

// ---------------------------------------------------------------------------------------------
// depthwiseConv2d and separableConv2d

export const spatialParams: Record<string, ParamSpec> = {
  data: int(0, 1e6), poison: oneOf(false, false, false, true), layout: oneOf('NCHW', 'NHWC'), weightLayout: oneOf('OIHW', 'HWIO'), batch: int(1, 2), channels: int(1, 6), multiplier: int(1, 3),
  height: int(1, 10), width: int(1, 10), kernel: int(1, 4), stride: int(1, 3), dilation: int(1, 3),
  padding: oneOf('valid', 'same', 'explicit'), padTop: int(0, 2), padBottom: int(0, 2), padLeft: int(0, 2), padRight: int(0, 2),
  bias: oneOf(false, true), activation: oneOf(...ACTIVATIONS),
};

/**
 * One channel with multiplier 1 is a single plane in both layouts, so NHWC's 32-column plane
 * kernel is reached there; many channels fill NHWC's 4-channel vectors and 8-float weight rows.
 */
export const spatialFamilies: Record<string, Family> = {
  small: { weight: 55, params: {} },
  wide: { weight: 35, params: { channels: int(1, 3), multiplier: int(1, 2), height: int(1, 6), width: int(1, 96), kernel: int(1, 3) } },
  manyChannels: { weight: 10, params: { channels: int(7, 40), multiplier: int(1, 2) } },
};

/** A depthwise case: input, the op's weight, the same weight as conv2d (groups = C) takes it. */
export function depthwiseCase(p: Params, random: () => number) {
  const [C, mult, k] = [p.channels, p.multiplier, p.kernel] as number[] as [number, number, number];
  const input = maybePoison(p, random, randomTensor(random, activationShape(p, C)));
  const weight = randomTensor(random, p.weightLayout === 'OIHW' ? [C * mult, 1, k, k] : [k, k, C, mult]);
  const weight2d = p.weightLayout === 'OIHW' ? weight : { data: weight.data, shape: [k, k, 1, C * mult] };
  const spatial = { layout: p.layout as 'NCHW', weightLayout: p.weightLayout as 'OIHW', stride: p.stride as number, dilation: p.dilation as number, padding: padding2d(p) };
  return { C, mult, input, weight, weight2d, spatial };
}

// ---------------------------------------------------------------------------------------------
// filterImage

export const filterImageParams: Record<string, ParamSpec> = {
  data: int(0, 1e6), width: int(1, 12), height: int(1, 12), kernel: oneOf(...KERNEL_PRESETS, 'user'), userH: int(1, 4), userW: int(1, 4),
  edge: oneOf('zero', 'clamp', 'reflect', 'wrap'), channels: oneOf('rgb', 'rgba', 'luma'), normalize: oneOf(false, true),
  bias: int(-10, 10), abs: oneOf(false, true), sigma: int(3, 30), size: int(1, 5),
};

/** Tall images run 2–3 bands of 128 rows; the separable presets (box, gaussian) twice as often there, as their row pass recomputes border rows per band. */
export const filterImageFamilies: Record<string, Family> = {
  small: { weight: 70, params: {} },
  wide: { weight: 15, params: { width: int(1, 80) } },
  tall: { weight: 15, params: { width: int(1, 8), height: int(129, 300), kernel: oneOf('box', 'gaussian', ...KERNEL_PRESETS, 'user') } },
};

export interface FilterImageCall {
  image: { data: Uint8ClampedArray; width: number; height: number };
  kernel: KernelPreset | number[][];
  options: { edge: 'zero'; channels: 'rgb'; normalize: boolean; bias: number; abs: boolean; sigma: number; size: number };
}

export function filterImageCall(p: Params): FilterImageCall {
  const random = seededRandom(p.data as number);
  const [width, height] = [p.width as number, p.height as number];
  const image = { data: Uint8ClampedArray.from({ length: width * height * 4 }, () => Math.floor(random() * 256)), width, height };
  const kernel = p.kernel === 'user'
    ? Array.from({ length: p.userH as number }, () => Array.from({ length: p.userW as number }, () => Math.round((random() * 4 - 2) * 8) / 8))
    : p.kernel as KernelPreset;
  const options = {
    edge: p.edge as 'zero', channels: p.channels as 'rgb', normalize: p.normalize as boolean, bias: p.bias as number, abs: p.abs as boolean,
    sigma: (p.sigma as number) / 10, size: p.size as number,
  };
  return { image, kernel, options };
}
