// Property-based conformance: FUZZ_RUNS (2,000 in CI) random configurations of every op against
// its reference (a quarter with NaN and ±Infinity in the input), drawn from a fixed seed printed
// in each test's name; a failure is shrunk to a minimal case. The cases come from the families of
// tests/generators.ts (small ones, and wide, deep and tall ones that reach every kernel path;
// tests/generator-coverage.test.ts asserts that reach). `npm run fuzz` runs 20,000 per op from a
// random seed.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  conv1d, conv2d, conv3d, convTranspose2d, depthwiseConv2d, filterImage, init, separableConv2d, type TensorData,
} from 'simdconv';
import {
  conv1d as referenceConv1d, conv2d as referenceConv2d, conv3d as referenceConv3d,
  convTranspose2d as referenceConvTranspose2d, filterImage as referenceFilterImage,
} from 'simdconv/reference';
import {
  ACTIVATIONS, activationOptions, conv2dCall, conv2dFamilies, conv2dParams, depthwiseCase, filterImageCall, filterImageFamilies, filterImageParams,
  maybePoison, padding2d, spatialFamilies, spatialParams,
} from './generators.js';
import {
  DEFAULT_TOLERANCE, expectMatchesReference, expectSeparableMatchesReference, expectWithinTolerance, randomTensor, referenceMagnitude, RELATIVE_TOLERANCE,
  saturatingAllowance, seededRandom, WINOGRAD_TOLERANCE,
} from './helpers.js';
import { checkProperty, FUZZ_RUNS, FUZZ_SEED, int, oneOf, type Property } from './property.js';

beforeAll(async () => {
  await init();
});

/** The reference throws this RangeError when the options leave no output: not a valid call. */
function validCall<T>(compute: () => T): T | null {
  try {
    return compute();
  } catch (error) {
    if (error instanceof RangeError && /no output|leave[s]? no|empty/i.test(error.message)) return null;
    throw error;
  }
}

const conv2dProperty: Property = {
  name: 'conv2d',
  params: conv2dParams,
  families: conv2dFamilies,
  check(p) {
    const { input, weight, options } = conv2dCall(p);
    if (validCall(() => referenceConv2d(input, weight, options)) === null) return false;
    // (Winograd hands a non-finite input to the GEMM, so the direct-sum bound applies then.)
    expectMatchesReference(conv2d(input, weight, options), input, weight, options, 'conv2d', options.algorithm === 'winograd' && !p.poison ? WINOGRAD_TOLERANCE : DEFAULT_TOLERANCE);
    return true;
  },
};

/** Checks an op's result against its reference with the stated relative tolerance. */
function expectOpMatches<O extends { activation?: string; alpha?: number; bias?: Float32Array }>(
  op: (x: TensorData, w: TensorData, o: O) => TensorData, reference: (x: TensorData, w: TensorData, o: O) => TensorData, input: TensorData, weight: TensorData, options: O,
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

const depthwiseProperty: Property = {
  name: 'depthwiseConv2d',
  params: spatialParams,
  families: spatialFamilies,
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
  families: spatialFamilies,
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
  params: filterImageParams,
  families: filterImageFamilies,
  check(p) {
    const { image, kernel, options } = filterImageCall(p);
    const actual = filterImage(image, kernel, options);
    const expected = referenceFilterImage(image, kernel, options);
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
      const run = checkProperty(property);
      // A family whose draws are mostly invalid calls (no output) would silently lose its reach.
      const families = Object.entries(property.families ?? {});
      const totalWeight = families.reduce((sum, [, f]) => sum + f.weight, 0);
      for (const [name, family] of families) {
        const share = Math.floor((FUZZ_RUNS * family.weight) / totalWeight / 2);
        expect(run.byFamily[name] ?? 0, `${property.name}: valid cases of family ${name} (half its share: ${share})`).toBeGreaterThanOrEqual(share);
      }
    }, 600_000);
  }
});
