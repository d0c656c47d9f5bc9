// The documented defaults (README "Layouts and options"): with an option left out, every op
// computes what the reference computes with that option spelled out. The weights are random and
// their dimensions all differ, so a wrong default layout reads other numbers (or throws).
import { beforeAll, describe, expect, it } from 'vitest';
import { conv1d, conv2d, conv3d, convTranspose2d, init, type TensorData } from 'simdconv';
import * as reference from 'simdconv/reference';
import { expectWithinTolerance, randomTensor, referenceMagnitude, RELATIVE_TOLERANCE, seededRandom } from './helpers.js';

beforeAll(async () => {
  await init();
});

const random = seededRandom(8080);
type Op = (x: TensorData, w: TensorData, o?: object) => TensorData;

function expectSame(actual: TensorData, expected: TensorData, magnitude: Float32Array, label: string) {
  expect(actual.shape, label).toEqual(expected.shape);
  expectWithinTolerance(actual.data, expected.data, magnitude, RELATIVE_TOLERANCE, 0, label);
}

// [op, its reference, input shape, weight shape, options given, the defaults spelled out]
const CASES: Array<[string, Op, Op, number[], number[], object, object]> = [
  ['conv2d NCHW', conv2d as Op, reference.conv2d as Op, [1, 2, 6, 7], [3, 2, 4, 5], {}, { layout: 'NCHW', weightLayout: 'OIHW', stride: 1, dilation: 1, padding: 'valid', groups: 1, activation: 'none' }],
  ['conv2d NHWC', conv2d as Op, reference.conv2d as Op, [1, 6, 7, 2], [4, 5, 2, 3], { layout: 'NHWC' }, { layout: 'NHWC', weightLayout: 'HWIO' }],
  ['conv1d NCW', conv1d as Op, reference.conv1d as Op, [1, 2, 9], [3, 2, 4], {}, { layout: 'NCW', weightLayout: 'OIW', stride: 1, dilation: 1, padding: 'valid', groups: 1 }],
  ['conv1d NWC', conv1d as Op, reference.conv1d as Op, [1, 9, 2], [4, 2, 3], { layout: 'NWC' }, { layout: 'NWC', weightLayout: 'WIO' }],
  ['conv3d NCDHW', conv3d as Op, reference.conv3d as Op, [1, 2, 5, 6, 7], [3, 2, 2, 3, 4], {}, { layout: 'NCDHW', weightLayout: 'OIDHW', stride: 1, dilation: 1, padding: 'valid', groups: 1 }],
  ['conv3d NDHWC', conv3d as Op, reference.conv3d as Op, [1, 5, 6, 7, 2], [2, 3, 4, 2, 3], { layout: 'NDHWC' }, { layout: 'NDHWC', weightLayout: 'DHWIO' }],
  ['convTranspose2d NCHW', convTranspose2d as Op, reference.convTranspose2d as Op, [1, 2, 4, 5], [2, 3, 3, 4], {}, { layout: 'NCHW', weightLayout: 'IOHW', stride: 1, dilation: 1, padding: 'valid', outputPadding: 0, groups: 1 }],
  ['convTranspose2d NHWC', convTranspose2d as Op, reference.convTranspose2d as Op, [1, 4, 5, 2], [3, 4, 3, 2], { layout: 'NHWC' }, { layout: 'NHWC', weightLayout: 'HWOI' }],
  // outputPadding below the dilation (though not below the stride) is allowed: max(stride, dilation).
  ['convTranspose2d outputPadding 1 with stride 1, dilation 2', convTranspose2d as Op, reference.convTranspose2d as Op, [1, 2, 4, 5], [2, 3, 3, 3], { dilation: 2, outputPadding: [1, 1] }, { dilation: 2, outputPadding: 1 }],
];

describe('defaults: an option left out is the documented default', () => {
  for (const [label, op, ref, inputShape, weightShape, given, spelledOut] of CASES) {
    it(label, () => {
      const x = randomTensor(random, inputShape);
      const w = randomTensor(random, weightShape);
      const expected = ref(x, w, { ...given, ...spelledOut });
      expectSame(op(x, w, given), expected, referenceMagnitude(ref as never, x, w, { ...given, ...spelledOut } as never), label);
    });
  }
});
