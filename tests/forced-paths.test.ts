// options.algorithm through the ops built on conv2d (conv1d, conv3d, convTranspose2d,
// depthwiseConv2d): a forced path either computes the reference's values or throws a RangeError
// saying why it cannot (the ops run as conv2d work, so what a path can do depends on the conv2d
// each op becomes: conv1d has a 1×kW kernel, conv3d stacks kD slices as channels, a strided
// transposed conv splits into sub-kernels of about k / stride taps).
import { beforeAll, describe, expect, it } from 'vitest';
import { conv1d, conv3d, convTranspose2d, depthwiseConv2d, init, type Algorithm, type TensorData } from 'simdconv';
import {
  conv1d as referenceConv1d, conv2d as referenceConv2d, conv3d as referenceConv3d, convTranspose2d as referenceConvTranspose2d,
} from 'simdconv/reference';
import {
  expectWithinTolerance, randomTensor, referenceMagnitude, RELATIVE_TOLERANCE, seededRandom, WINOGRAD_TOLERANCE,
} from './helpers.js';

beforeAll(async () => {
  await init();
});

type Options = { activation?: string; alpha?: number; bias?: Float32Array; algorithm?: Algorithm; [option: string]: unknown };
type Reference = (x: TensorData, w: TensorData, o: Options) => TensorData;
type Path = Exclude<Algorithm, 'auto'>;

/** What each path does with a case: computes it, or refuses with a message matching the RegExp. */
type Outcomes = Record<Path, 'computes' | RegExp>;
const ALL: Outcomes = { gemm: 'computes', direct: 'computes', depthwise: 'computes', winograd: 'computes' };
const NOT_DEPTHWISE = /options\.algorithm 'depthwise' cannot compute this convolution: needs one filter per channel/;
const NOT_3X3 = /options\.algorithm 'winograd' cannot compute this convolution: Winograd F\(4×4, 3×3\) needs a 3×3 kernel/;
const NOT_STRIDE_1 = /options\.algorithm 'winograd' cannot compute this convolution: Winograd needs stride 1/;

interface Case {
  op: string;
  run: (x: TensorData, w: TensorData, o: Options) => TensorData;
  reference: Reference;
  input: number[];
  weight: number[];
  options: Options;
  outcomes: Outcomes;
}

/** depthwiseConv2d is conv2d with groups = C; its HWIO filter [kH, kW, C, mult] is conv2d's [kH, kW, 1, C·mult]. */
const depthwiseReference: Reference = (x, w, o) => {
  const nhwc = o.layout === 'NHWC';
  const weight = nhwc ? { data: w.data, shape: [w.shape[0]!, w.shape[1]!, 1, w.shape[2]! * w.shape[3]!] } : w;
  return referenceConv2d(x, weight, { ...o, groups: nhwc ? x.shape[3] : x.shape[1] } as never);
};
const ops = {
  conv1d: { run: conv1d as Case['run'], reference: referenceConv1d as Reference },
  conv3d: { run: conv3d as Case['run'], reference: referenceConv3d as Reference },
  convTranspose2d: { run: convTranspose2d as Case['run'], reference: referenceConvTranspose2d as Reference },
  depthwiseConv2d: { run: depthwiseConv2d as Case['run'], reference: depthwiseReference },
};
const c = (op: keyof typeof ops, input: number[], weight: number[], options: Options, outcomes: Partial<Outcomes>): Case =>
  ({ op, ...ops[op], input, weight, options, outcomes: { ...ALL, ...outcomes } });

const CASES: Case[] = [
  c('conv1d', [2, 3, 37], [5, 3, 3], { padding: 'same', dilation: 2 }, { depthwise: NOT_DEPTHWISE, winograd: NOT_3X3 }),
  c('conv1d', [1, 29, 4], [3, 1, 4], { layout: 'NWC', groups: 4, stride: 2, bias: new Float32Array([1, -2, 3, 0.5]) }, { winograd: NOT_3X3 }),
  c('conv3d', [1, 8, 5, 9, 11], [8, 8, 3, 3, 3], { padding: 1, activation: 'relu' }, { depthwise: NOT_DEPTHWISE }),
  // Depthwise in 3-D only with kD = 1: the kD stacked slices become conv2d channels.
  c('conv3d', [2, 6, 4, 9, 9], [6, 1, 3, 3, 3], { groups: 6, padding: 'same' }, { depthwise: NOT_DEPTHWISE }),
  c('conv3d', [1, 6, 4, 9, 9], [6, 1, 1, 3, 3], { groups: 6, stride: [1, 1, 1] }, {}),
  c('conv3d', [1, 6, 6, 6, 5], [2, 3, 3, 5, 4], { layout: 'NDHWC', weightLayout: 'DHWIO', stride: [1, 2, 2] } as Options, { depthwise: NOT_DEPTHWISE, winograd: NOT_STRIDE_1 }),
  c('convTranspose2d', [1, 8, 6, 7], [8, 8, 3, 3], { padding: 1 }, { depthwise: NOT_DEPTHWISE }),
  // Stride 2: phases of 2×2, 2×1, 1×2 and 1×1 sub-kernels, so no Winograd.
  c('convTranspose2d', [1, 8, 6, 7], [8, 8, 3, 3], { stride: 2, outputPadding: 1 }, { depthwise: NOT_DEPTHWISE, winograd: NOT_3X3 }),
  c('convTranspose2d', [1, 8, 6, 7], [8, 1, 3, 3], { groups: 8, dilation: 2 }, {}),
  c('convTranspose2d', [1, 5, 6, 8], [3, 3, 8, 8], { layout: 'NHWC', weightLayout: 'HWOI', padding: 'same' } as Options, { depthwise: NOT_DEPTHWISE }),
  c('depthwiseConv2d', [1, 6, 10, 11], [6, 1, 3, 3], { padding: 'same', activation: 'relu6' }, {}),
  c('depthwiseConv2d', [2, 9, 10, 6], [3, 3, 6, 1], { layout: 'NHWC', dilation: 2 }, {}),
  // Multiplier 2: M = 2C, not one filter per channel.
  c('depthwiseConv2d', [1, 6, 10, 11], [12, 1, 3, 3], {}, { depthwise: NOT_DEPTHWISE }),
  c('depthwiseConv2d', [1, 6, 10, 11], [6, 1, 3, 3], { stride: 2 }, { winograd: NOT_STRIDE_1 }),
];

/**
 * Within tolerance of the op's reference. Winograd's error scales with the magnitudes of its
 * whole 4×4 tile, not the element's own: it is bounded here by WINOGRAD_TOLERANCE times the
 * largest magnitude of the output (looser than the per-tile bound of conv2d's tests).
 */
function expectMatchesOpReference(test: Case, y: TensorData, x: TensorData, w: TensorData, options: Options, label: string) {
  const expected = test.reference(x, w, options);
  expect(y.shape, label).toEqual(expected.shape);
  let magnitude = referenceMagnitude(test.reference, x, w, options);
  if (options.algorithm === 'winograd') magnitude = magnitude.map(() => Math.max(...magnitude));
  expectWithinTolerance(y.data, expected.data, magnitude, options.algorithm === 'winograd' ? WINOGRAD_TOLERANCE.relative : RELATIVE_TOLERANCE, 0, label);
}

describe('a forced algorithm through conv1d, conv3d, convTranspose2d and depthwiseConv2d', () => {
  it('covers every op and every path, computing and refusing', () => {
    const seen = new Set(CASES.flatMap((t) => Object.entries(t.outcomes).map(([path, outcome]) => `${t.op} ${path} ${outcome === 'computes' ? 'computes' : 'refuses'}`)));
    for (const op of Object.keys(ops)) for (const path of Object.keys(ALL)) expect(seen.has(`${op} ${path} computes`), `${op} ${path}`).toBe(op !== 'conv1d' || path !== 'winograd');
    expect([...seen].filter((s) => s.endsWith('refuses')).length).toBeGreaterThanOrEqual(6);
  });

  for (const test of CASES) {
    for (const [path, outcome] of Object.entries(test.outcomes) as Array<[Path, Outcomes[Path]]>) {
      const label = `${test.op} x [${test.input}] w [${test.weight}] ${JSON.stringify({ ...test.options, bias: undefined })}, algorithm '${path}'`;
      it(`${label}: ${outcome === 'computes' ? 'matches the reference' : 'RangeError'}`, () => {
        const random = seededRandom(label.length * 7907);
        const x = randomTensor(random, test.input);
        const w = randomTensor(random, test.weight);
        const options = { ...test.options, algorithm: path };
        if (outcome === 'computes') expectMatchesOpReference(test, test.run(x, w, options), x, w, options, label);
        else {
          expect(() => test.run(x, w, options)).toThrowError(RangeError);
          expect(() => test.run(x, w, options)).toThrowError(outcome);
        }
      });
    }
  }
});
