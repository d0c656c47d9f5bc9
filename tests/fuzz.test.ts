// Property-based conformance: FUZZ_RUNS (2,000 in CI) random configurations of every op against
// its reference (a quarter with NaN and ±Infinity in the input), drawn from a fixed seed printed in each test's name; a failure is shrunk to a
// minimal case. `npm run fuzz` runs 20,000 per op from a random seed.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  conv1d, conv2d, conv3d, convTranspose2d, depthwiseConv2d, filterImage, init, KERNEL_PRESETS, separableConv2d,
  type Algorithm, type Tensor,
} from 'simdconv';
import {
  conv1d as referenceConv1d, conv2d as referenceConv2d, conv3d as referenceConv3d,
  convTranspose2d as referenceConvTranspose2d, filterImage as referenceFilterImage,
} from 'simdconv/reference';
import {
  DEFAULT_TOLERANCE, expectMatchesReference, expectSeparableMatchesReference, expectWithinTolerance, poisonTensor, randomTensor, referenceMagnitude, RELATIVE_TOLERANCE,
  saturatingAllowance, seededRandom, WINOGRAD_TOLERANCE,
} from './helpers.js';
import { checkProperty, FUZZ_RUNS, FUZZ_SEED, int, oneOf, type Params, type Property } from './property.js';

beforeAll(async () => {
  await init();
});

const ACTIVATIONS = ['none', 'relu', 'relu6', 'leakyRelu', 'sigmoid', 'tanh'] as const;

/** A quarter of the cases put NaN and ±Infinity in the input: they must land where the reference's do. */
const maybePoison = (p: Params, random: () => number, tensor: Tensor): Tensor => (p.poison ? poisonTensor(random, tensor) : tensor);

/** The reference throws this RangeError when the options leave no output: not a valid call. */
function validCall<T>(compute: () => T): T | null {
  try {
    return compute();
  } catch (error) {
    if (error instanceof RangeError && /no output|leave[s]? no|empty/i.test(error.message)) return null;
    throw error;
  }
}

const activationOptions = (p: Params, random: () => number) => ({
  activation: p.activation as (typeof ACTIVATIONS)[number],
  ...(p.activation === 'leakyRelu' ? { alpha: [0.1, -0.5, 1.5][Math.floor(random() * 3)]! } : {}),
});

function padding2d(p: Params) {
  if (p.padding === 'explicit') return { top: p.padTop as number, bottom: p.padBottom as number, left: p.padLeft as number, right: p.padRight as number };
  return p.padding as 'valid' | 'same';
}

const conv2dProperty: Property = {
  name: 'conv2d',
  params: {
    data: int(0, 1e6), poison: oneOf(false, false, false, true), layout: oneOf('NCHW', 'NHWC'), weightLayout: oneOf('OIHW', 'HWIO', 'OHWI'), algorithm: oneOf('auto', 'gemm', 'direct', 'depthwise', 'winograd'),
    batch: int(1, 2), groups: int(1, 3), channelsPerGroup: int(1, 4), filtersPerGroup: int(1, 4), height: int(1, 10), width: int(1, 10),
    kernelH: int(1, 4), kernelW: int(1, 4), strideH: int(1, 3), strideW: int(1, 3), dilationH: int(1, 3), dilationW: int(1, 3),
    padding: oneOf('valid', 'same', 'explicit'), padTop: int(0, 2), padBottom: int(0, 2), padLeft: int(0, 2), padRight: int(0, 2),
    bias: oneOf(false, true), activation: oneOf(...ACTIVATIONS),
  },
  check(p) {
    const random = seededRandom(p.data as number);
    const algorithm = p.algorithm as Algorithm;
    // What a forced path computes: depthwise is one filter per channel, Winograd 3×3 stride 1.
    const [cg, mg] = algorithm === 'depthwise' ? [1, 1] : [p.channelsPerGroup as number, p.filtersPerGroup as number];
    const [kH, kW] = algorithm === 'winograd' ? [3, 3] : [p.kernelH as number, p.kernelW as number];
    const stride = algorithm === 'winograd' ? 1 : [p.strideH as number, p.strideW as number] as const;
    const groups = p.groups as number;
    const [C, M] = [groups * cg, groups * mg];
    const input = maybePoison(p, random, randomTensor(random, p.layout === 'NCHW' ? [p.batch as number, C, p.height as number, p.width as number] : [p.batch as number, p.height as number, p.width as number, C]));
    const weight = randomTensor(random, { OIHW: [M, cg, kH, kW], HWIO: [kH, kW, cg, M], OHWI: [M, kH, kW, cg] }[p.weightLayout as 'OIHW']);
    const options = {
      layout: p.layout as 'NCHW', weightLayout: p.weightLayout as 'OIHW', groups, stride, dilation: [p.dilationH as number, p.dilationW as number] as const,
      padding: padding2d(p), algorithm, ...activationOptions(p, random), ...(p.bias ? { bias: randomTensor(random, [M]).data } : {}),
    };
    if (validCall(() => referenceConv2d(input, weight, options)) === null) return false;
    // (Winograd hands a non-finite input to the GEMM, so the direct-sum bound applies then.)
    expectMatchesReference(conv2d(input, weight, options), input, weight, options, 'conv2d', algorithm === 'winograd' && !p.poison ? WINOGRAD_TOLERANCE : DEFAULT_TOLERANCE);
    return true;
  },
};

/** Checks an op's result against its reference with the stated relative tolerance. */
function expectOpMatches<O extends { activation?: string; alpha?: number; bias?: Float32Array }>(
  op: (x: Tensor, w: Tensor, o: O) => Tensor, reference: (x: Tensor, w: Tensor, o: O) => Tensor, input: Tensor, weight: Tensor, options: O,
): boolean {
  const expected = validCall(() => reference(input, weight, options));
  if (expected === null) return false;
  const actual = op(input, weight, options);
  expect(actual.shape).toEqual(expected.shape);
  expectWithinTolerance(actual.data, expected.data, referenceMagnitude(reference, input, weight, options), RELATIVE_TOLERANCE, saturatingAllowance(options), 'result');
  return true;
}

const conv1dProperty: Property = {
  name: 'conv1d',
  params: {
    data: int(0, 1e6), poison: oneOf(false, false, false, true), layout: oneOf('NCW', 'NWC'), weightLayout: oneOf('OIW', 'WIO'), batch: int(1, 2), groups: int(1, 3),
    channelsPerGroup: int(1, 4), filtersPerGroup: int(1, 4), width: int(1, 16), kernel: int(1, 5), stride: int(1, 3), dilation: int(1, 3),
    padding: oneOf('valid', 'same', 'number', 'pair'), padBegin: int(0, 3), padEnd: int(0, 3), bias: oneOf(false, true), activation: oneOf(...ACTIVATIONS),
  },
  check(p) {
    const random = seededRandom(p.data as number);
    const [groups, cg, mg, k] = [p.groups, p.channelsPerGroup, p.filtersPerGroup, p.kernel] as number[] as [number, number, number, number];
    const input = maybePoison(p, random, randomTensor(random, p.layout === 'NCW' ? [p.batch as number, groups * cg, p.width as number] : [p.batch as number, p.width as number, groups * cg]));
    const weight = randomTensor(random, p.weightLayout === 'OIW' ? [groups * mg, cg, k] : [k, cg, groups * mg]);
    const padding = p.padding === 'number' ? p.padBegin as number : p.padding === 'pair' ? [p.padBegin as number, p.padEnd as number] as const : p.padding as 'valid';
    const options = {
      layout: p.layout as 'NCW', weightLayout: p.weightLayout as 'OIW', groups, stride: p.stride as number, dilation: p.dilation as number, padding,
      ...activationOptions(p, random), ...(p.bias ? { bias: randomTensor(random, [groups * mg]).data } : {}),
    };
    return expectOpMatches(conv1d, referenceConv1d, input, weight, options);
  },
};

const conv3dProperty: Property = {
  name: 'conv3d',
  params: {
    data: int(0, 1e6), poison: oneOf(false, false, false, true), layout: oneOf('NCDHW', 'NDHWC'), weightLayout: oneOf('OIDHW', 'DHWIO'), groups: int(1, 2), channelsPerGroup: int(1, 3),
    filtersPerGroup: int(1, 3), depth: int(1, 5), height: int(1, 5), width: int(1, 5), kernelD: int(1, 3), kernelH: int(1, 3), kernelW: int(1, 3),
    strideD: int(1, 2), strideH: int(1, 2), strideW: int(1, 2), dilationD: int(1, 2), dilationHW: int(1, 2),
    padding: oneOf('valid', 'same', 'number', 'explicit'), pad: int(0, 2), padFront: int(0, 1), padBack: int(0, 1),
    bias: oneOf(false, true), activation: oneOf(...ACTIVATIONS),
  },
  check(p) {
    const random = seededRandom(p.data as number);
    const [groups, cg, mg] = [p.groups, p.channelsPerGroup, p.filtersPerGroup] as number[] as [number, number, number];
    const [D, H, W, kD, kH, kW] = [p.depth, p.height, p.width, p.kernelD, p.kernelH, p.kernelW] as number[] as [number, number, number, number, number, number];
    const input = maybePoison(p, random, randomTensor(random, p.layout === 'NCDHW' ? [1, groups * cg, D, H, W] : [1, D, H, W, groups * cg]));
    const weight = randomTensor(random, p.weightLayout === 'OIDHW' ? [groups * mg, cg, kD, kH, kW] : [kD, kH, kW, cg, groups * mg]);
    const pad = p.pad as number;
    const padding = p.padding === 'number' ? pad
      : p.padding === 'explicit' ? { front: p.padFront as number, back: p.padBack as number, top: pad, bottom: 0, left: 0, right: pad }
      : p.padding as 'valid';
    const options = {
      layout: p.layout as 'NCDHW', weightLayout: p.weightLayout as 'OIDHW', groups,
      stride: [p.strideD, p.strideH, p.strideW] as [number, number, number], dilation: [p.dilationD, p.dilationHW, p.dilationHW] as [number, number, number],
      padding, ...activationOptions(p, random), ...(p.bias ? { bias: randomTensor(random, [groups * mg]).data } : {}),
    };
    return expectOpMatches(conv3d, referenceConv3d, input, weight, options);
  },
};

const convTranspose2dProperty: Property = {
  name: 'convTranspose2d',
  params: {
    data: int(0, 1e6), poison: oneOf(false, false, false, true), layout: oneOf('NCHW', 'NHWC'), weightLayout: oneOf('IOHW', 'HWOI'), batch: int(1, 2), groups: int(1, 3),
    channelsPerGroup: int(1, 4), filtersPerGroup: int(1, 4), height: int(1, 7), width: int(1, 7), kernelH: int(1, 4), kernelW: int(1, 4),
    strideH: int(1, 3), strideW: int(1, 3), dilation: int(1, 3), padding: oneOf('explicit', 'same'), padTop: int(0, 2), padBottom: int(0, 2),
    padLeft: int(0, 2), padRight: int(0, 2), outputPadH: int(0, 2), outputPadW: int(0, 2), bias: oneOf(false, true), activation: oneOf(...ACTIVATIONS),
  },
  check(p) {
    const random = seededRandom(p.data as number);
    // HWOI (TensorFlow's filter) has no groups.
    const groups = p.weightLayout === 'HWOI' ? 1 : p.groups as number;
    const [cg, mg, kH, kW] = [p.channelsPerGroup, p.filtersPerGroup, p.kernelH, p.kernelW] as number[] as [number, number, number, number];
    const [sH, sW, d] = [p.strideH, p.strideW, p.dilation] as number[] as [number, number, number];
    // ONNX: the output padding must stay below the stride or the dilation.
    if ((p.outputPadH as number) >= Math.max(sH, d) || (p.outputPadW as number) >= Math.max(sW, d)) return false;
    const C = groups * cg;
    const input = maybePoison(p, random, randomTensor(random, p.layout === 'NCHW' ? [p.batch as number, C, p.height as number, p.width as number] : [p.batch as number, p.height as number, p.width as number, C]));
    const weight = randomTensor(random, p.weightLayout === 'IOHW' ? [C, mg, kH, kW] : [kH, kW, mg, C]);
    const options = {
      layout: p.layout as 'NCHW', weightLayout: p.weightLayout as 'IOHW', groups, stride: [sH, sW] as const, dilation: d,
      ...(p.padding === 'same' ? { padding: 'same' as const } : { padding: padding2d(p), outputPadding: [p.outputPadH as number, p.outputPadW as number] as const }),
      ...activationOptions(p, random), ...(p.bias ? { bias: randomTensor(random, [groups * mg]).data } : {}),
    };
    return expectOpMatches(convTranspose2d, referenceConvTranspose2d, input, weight, options);
  },
};

const spatialParams = {
  data: int(0, 1e6), poison: oneOf(false, false, false, true), layout: oneOf('NCHW', 'NHWC'), weightLayout: oneOf('OIHW', 'HWIO'), batch: int(1, 2), channels: int(1, 6), multiplier: int(1, 3),
  height: int(1, 10), width: int(1, 10), kernel: int(1, 4), stride: int(1, 3), dilation: int(1, 3),
  padding: oneOf('valid', 'same', 'explicit'), padTop: int(0, 2), padBottom: int(0, 2), padLeft: int(0, 2), padRight: int(0, 2),
  bias: oneOf(false, true), activation: oneOf(...ACTIVATIONS),
} as const;

/** A depthwise case: input, the op's weight, the same weight as conv2d (groups = C) takes it. */
function depthwiseCase(p: Params, random: () => number) {
  const [C, mult, k] = [p.channels, p.multiplier, p.kernel] as number[] as [number, number, number];
  const nchw = p.layout === 'NCHW';
  const input = maybePoison(p, random, randomTensor(random, nchw ? [p.batch as number, C, p.height as number, p.width as number] : [p.batch as number, p.height as number, p.width as number, C]));
  const weight = randomTensor(random, p.weightLayout === 'OIHW' ? [C * mult, 1, k, k] : [k, k, C, mult]);
  const weight2d = p.weightLayout === 'OIHW' ? weight : { data: weight.data, shape: [k, k, 1, C * mult] };
  const spatial = { layout: p.layout as 'NCHW', weightLayout: p.weightLayout as 'OIHW', stride: p.stride as number, dilation: p.dilation as number, padding: padding2d(p) };
  return { C, mult, input, weight, weight2d, spatial };
}

const depthwiseProperty: Property = {
  name: 'depthwiseConv2d',
  params: spatialParams,
  check(p) {
    const random = seededRandom(p.data as number);
    const { C, mult, input, weight, weight2d, spatial } = depthwiseCase(p, random);
    const options = { ...spatial, ...activationOptions(p, random), ...(p.bias ? { bias: randomTensor(random, [C * mult]).data } : {}) };
    const expected = validCall(() => referenceConv2d(input, weight2d, { ...options, groups: C }));
    if (expected === null) return false;
    expectMatchesReference(depthwiseConv2d(input, weight, options), input, weight2d, { ...options, groups: C }, 'depthwiseConv2d');
    return true;
  },
};

const separableProperty: Property = {
  name: 'separableConv2d',
  params: { ...spatialParams, filters: int(1, 6) },
  check(p) {
    const random = seededRandom(p.data as number);
    const { C, mult, input, weight, weight2d, spatial } = depthwiseCase(p, random);
    const M = p.filters as number;
    const pointwise = randomTensor(random, p.weightLayout === 'OIHW' ? [M, C * mult, 1, 1] : [1, 1, C * mult, M]);
    const tail = { ...activationOptions(p, random), ...(p.bias ? { bias: randomTensor(random, [M]).data } : {}) };
    if (validCall(() => referenceConv2d(input, weight2d, { ...spatial, groups: C })) === null) return false;
    expectSeparableMatchesReference(separableConv2d(input, weight, pointwise, { ...spatial, ...tail }), input, weight2d, pointwise, spatial, C, tail, 'separableConv2d');
    return true;
  },
};

const filterImageProperty: Property = {
  name: 'filterImage',
  params: {
    data: int(0, 1e6), width: int(1, 12), height: int(1, 12), kernel: oneOf(...KERNEL_PRESETS, 'user'), userH: int(1, 4), userW: int(1, 4),
    edge: oneOf('zero', 'clamp', 'reflect', 'wrap'), channels: oneOf('rgb', 'rgba', 'luma'), normalize: oneOf(false, true),
    bias: int(-10, 10), abs: oneOf(false, true), sigma: int(3, 30), size: int(1, 5),
  },
  check(p) {
    const random = seededRandom(p.data as number);
    const [width, height] = [p.width as number, p.height as number];
    const image = { data: Uint8ClampedArray.from({ length: width * height * 4 }, () => Math.floor(random() * 256)), width, height };
    const kernel = p.kernel === 'user'
      ? Array.from({ length: p.userH as number }, () => Array.from({ length: p.userW as number }, () => Math.round((random() * 4 - 2) * 8) / 8))
      : p.kernel;
    const options = {
      edge: p.edge as 'zero', channels: p.channels as 'rgb', normalize: p.normalize as boolean, bias: p.bias as number, abs: p.abs as boolean,
      sigma: (p.sigma as number) / 10, size: p.size as number,
    };
    const actual = filterImage(image, kernel as never, options);
    const expected = referenceFilterImage(image, kernel as never, options);
    let first = -1;
    for (let i = 0; i < expected.data.length && first < 0; i++) if (actual.data[i] !== expected.data[i]) first = i;
    expect(first, `byte ${first}: ${actual.data[first]} against the reference's ${expected.data[first]}`).toBe(-1);
    return true;
  },
};

const PROPERTIES = [conv2dProperty, conv1dProperty, conv3dProperty, convTranspose2dProperty, depthwiseProperty, separableProperty, filterImageProperty];

describe(`every op against its reference: ${FUZZ_RUNS} random configurations each (FUZZ_SEED=${FUZZ_SEED})`, () => {
  for (const property of PROPERTIES) {
    it(property.name, () => {
      const drawn = checkProperty(property);
      expect(drawn).toBeGreaterThanOrEqual(FUZZ_RUNS);
    }, 600_000);
  }
});
