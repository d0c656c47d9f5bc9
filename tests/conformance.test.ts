// conv2d (WebAssembly SIMD) against the plain TypeScript reference on random shapes and on the
// odd sizes that stress tile edges, padding and blocking. Tolerance: tests/helpers.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { ALGORITHMS, conv2d, createConv2d, init, type Algorithm, type Conv2dOptions } from 'simdconv';
import {
  DEFAULT_TOLERANCE, expectMatchesReference, makeCase, pick, randomConv2dCase, randomTensor, seededRandom, WINOGRAD_TOLERANCE,
  type CaseConstraints, type CaseShape, type Tolerance,
} from './helpers.js';
// The dispatcher and the shape resolution it reads (internals, as tests/threads.test.ts uses them).
import { chooseConv2dAlgorithm } from '../dist/dispatch.js';
import { resolveConv2dFilter, resolveConv2dGeometry } from '../dist/shape.js';

const SEED = 20261128;
const RANDOM_CASES = 400;

beforeAll(async () => {
  await init();
});

describe(`random conv2d configurations (seed ${SEED})`, () => {
  it(`${RANDOM_CASES} cases over layouts, weight layouts, strides, paddings, dilations, groups, batch, bias and activations match the reference`, () => {
    const random = seededRandom(SEED);
    for (let i = 0; i < RANDOM_CASES; i++) {
      const c = randomConv2dCase(random);
      expectMatchesReference(conv2d(c.input, c.weight, c.options), c.input, c.weight, c.options, `case ${i}: ${c.label}`);
    }
  });

  it('covers both layouts, every weight layout, groups > 1, bias and every activation', () => {
    const random = seededRandom(SEED);
    const seen = new Set<string>();
    for (let i = 0; i < RANDOM_CASES; i++) {
      const { options } = randomConv2dCase(random);
      seen.add(`layout:${options.layout}`).add(`weights:${options.weightLayout}`).add(`activation:${options.activation}`);
      seen.add(`padding:${typeof options.padding === 'object' ? (Array.isArray(options.padding) ? 'pair' : 'sides') : typeof options.padding === 'number' ? 'number' : options.padding}`);
      if (options.groups! > 1) seen.add('groups');
      if (options.bias) seen.add('bias');
    }
    expect([...seen].sort()).toEqual([
      'activation:leakyRelu', 'activation:none', 'activation:relu', 'activation:relu6', 'activation:sigmoid', 'activation:tanh', 'bias', 'groups',
      'layout:NCHW', 'layout:NHWC', 'padding:number', 'padding:pair', 'padding:same', 'padding:sides', 'padding:valid',
      'weights:HWIO', 'weights:OHWI', 'weights:OIHW',
    ]);
  });
});

describe('1×1 convolutions with stride 1 and no padding (the GEMM reads their input in place)', () => {
  it('match the reference: groups, batch, both layouts, ragged tiles, pixel blocks, gemm forced and auto', () => {
    const random = seededRandom(SEED + 3);
    let cases = 0;
    for (const layout of ['NCHW', 'NHWC'] as const) {
      for (const groups of [1, 2, 3]) {
        // 5×7 pixels: a ragged 8-pixel tile; 47×61 with 96 channels: several pixel blocks. NCHW
        // packs its planes up to 100 pixels (10×10) and reads them in place from 101 (1×101).
        for (const [height, width, perGroup, filters] of [[5, 7, 3, 5], [9, 9, 7, 13], [10, 10, 5, 9], [1, 101, 4, 11], [47, 61, 32, 6]] as const) {
          for (const algorithm of ['gemm', 'auto'] as const) {
            const c = makeCase(random, {
              layout, weightLayout: pick(random, ['OIHW', 'HWIO', 'OHWI'] as const), batch: 1 + (cases % 2),
              channels: groups * perGroup, height, width, outChannels: groups * filters, kernelH: 1, kernelW: 1, groups,
            }, { activation: pick(random, ['none', 'relu', 'tanh'] as const), ...(random() < 0.5 ? { bias: randomTensor(random, [groups * filters]).data } : {}) });
            const options = { ...c.options, algorithm };
            expectMatchesReference(conv2d(c.input, c.weight, options), c.input, c.weight, options, `1×1 ${algorithm}: ${c.label}`);
            cases++;
          }
        }
      }
    }
    expect(cases).toBe(60);
  });
});

/** The shapes each forced path is tested on: what it computes. */
const PATH_CASES: Record<Exclude<Algorithm, 'auto'>, CaseConstraints> = {
  gemm: {},
  direct: {},
  depthwise: { depthwise: true },
  winograd: { kernel: 3, stride: 1 },
};
/** Paths whose error bound differs from the default (tests/helpers.ts says how it was measured). */
const PATH_TOLERANCE: Partial<Record<Algorithm, Tolerance>> = { winograd: WINOGRAD_TOLERANCE };
const PATH_RANDOM_CASES = 150;
const PATH_LARGE_CASES = 12;

describe('every kernel path, forced with options.algorithm, in both layouts', () => {
  it('lists every path', () => {
    expect(Object.keys(PATH_CASES).sort()).toEqual(ALGORITHMS.filter((name) => name !== 'auto').sort());
  });
  for (const [algorithm, constraints] of Object.entries(PATH_CASES)) {
    it(`${algorithm}: ${PATH_RANDOM_CASES} random cases (seed ${SEED + 1}) match the reference`, () => {
      const random = seededRandom(SEED + 1);
      const layouts = new Set<string>();
      for (let i = 0; i < PATH_RANDOM_CASES; i++) {
        const c = randomConv2dCase(random, constraints);
        const options = { ...c.options, algorithm: algorithm as Algorithm };
        const tolerance = PATH_TOLERANCE[algorithm as Algorithm] ?? DEFAULT_TOLERANCE;
        layouts.add(options.layout!);
        expectMatchesReference(conv2d(c.input, c.weight, options), c.input, c.weight, options, `${algorithm} case ${i}: ${c.label}`, tolerance);
        const conv = createConv2d(c.weight, options);
        try {
          expectMatchesReference(conv.run(c.input), c.input, c.weight, options, `prepared ${algorithm} case ${i}: ${c.label}`, tolerance);
        } finally {
          conv.dispose();
        }
      }
      expect([...layouts].sort()).toEqual(['NCHW', 'NHWC']);
    });
    it(`${algorithm}: ${PATH_LARGE_CASES} random images of 20–90 pixels a side match the reference`, () => {
      // Wide and tall enough for every full tile, column group and row band of the kernels
      // (the small cases above only reach their ragged edges).
      const random = seededRandom(SEED + 2);
      for (let i = 0; i < PATH_LARGE_CASES; i++) {
        const c = randomConv2dCase(random, { ...constraints, size: [20, 90], maxChannels: 4 });
        const options = { ...c.options, algorithm: algorithm as Algorithm };
        expectMatchesReference(conv2d(c.input, c.weight, options), c.input, c.weight, options, `${algorithm} large case ${i}: ${c.label}`,
          PATH_TOLERANCE[algorithm as Algorithm] ?? DEFAULT_TOLERANCE);
      }
    });
  }
});

describe('winograd: blocking, tails and the auto choice', () => {
  // Shapes past the random cases' range: several tile blocks per image (whole tile rows, and
  // runs within a wide tile row), channel / filter counts off the 4 / 8 lanes, groups, batch.
  const shapes: Array<{ name: string; shape: Omit<CaseShape, 'layout' | 'weightLayout'>; options: Conv2dOptions }> = [
    { name: 'blocks of whole tile rows, channel and filter tails', shape: { batch: 2, channels: 37, height: 37, width: 45, outChannels: 43, kernelH: 3, kernelW: 3, groups: 1 }, options: { padding: 'same', bias: new Float32Array(43).fill(0.25), activation: 'relu6' } },
    { name: 'runs within a wide tile row', shape: { batch: 1, channels: 64, height: 9, width: 150, outChannels: 64, kernelH: 3, kernelW: 3, groups: 1 }, options: { padding: { top: 2, bottom: 0, left: 1, right: 3 } } },
    { name: 'groups, batch 3, valid padding', shape: { batch: 3, channels: 18, height: 14, width: 11, outChannels: 20, kernelH: 3, kernelW: 3, groups: 2 }, options: { activation: 'relu' } },
  ];
  for (const { name, shape, options } of shapes) {
    it(name, () => {
      const random = seededRandom(name.length * 104729);
      for (const [layout, weightLayout] of [['NCHW', 'OIHW'], ['NHWC', 'HWIO'], ['NHWC', 'OHWI']] as const) {
        const c = makeCase(random, { ...shape, layout, weightLayout }, { ...options, algorithm: 'winograd' });
        expectMatchesReference(conv2d(c.input, c.weight, c.options), c.input, c.weight, c.options, `${name}: ${c.label}`, WINOGRAD_TOLERANCE);
      }
    });
  }

  // Each rule of autoChoice in src/dispatch.ts, and the shapes on either side of its thresholds:
  // the chosen path asserted directly (two paths can agree bitwise, so equal values prove
  // nothing about which one ran), then the values against the reference.
  const autoRules: Array<[string, Partial<CaseShape> & Pick<CaseShape, 'layout'>, Conv2dOptions, Exclude<Algorithm, 'auto'>]> = [
    ['depthwise: groups = C = M (NCHW)', { layout: 'NCHW', channels: 8, outChannels: 8, groups: 8 }, { padding: 'same' }, 'depthwise'],
    ['depthwise: groups = C = M, 5×5, stride 2 (NHWC)', { layout: 'NHWC', channels: 6, outChannels: 6, groups: 6, kernelH: 5, kernelW: 5 }, { stride: 2 }, 'depthwise'],
    ['depthwise: one channel, one filter', { layout: 'NCHW', channels: 1, outChannels: 1 }, {}, 'depthwise'],
    ['winograd: 3×3 stride 1, 16 → 16, 9 tiles (NCHW)', { layout: 'NCHW', channels: 16, outChannels: 16 }, { padding: 'same' }, 'winograd'],
    ['winograd: 3×3 stride 1, 16 → 16, 9 tiles (NHWC)', { layout: 'NHWC', channels: 16, outChannels: 16 }, { padding: 'same' }, 'winograd'],
    ['winograd: exactly 8 channels and 8 filters per group, 4 tiles (8×8 output)', { layout: 'NCHW', channels: 16, outChannels: 16, groups: 2, height: 10, width: 10 }, {}, 'winograd'],
    ['not winograd with 7 channels per group: direct in NCHW (63 ≤ 64, 16 filters, stride 1)', { layout: 'NCHW', channels: 7, outChannels: 16 }, { padding: 'same' }, 'direct'],
    ['not winograd with 7 channels per group: direct in NHWC (7·3·3 = 63 ≤ 64)', { layout: 'NHWC', channels: 7, outChannels: 16 }, { padding: 'same' }, 'direct'],
    ['not winograd with 7 filters per group', { layout: 'NCHW', channels: 16, outChannels: 7 }, { padding: 'same' }, 'gemm'],
    ['not winograd with 3 tiles (4×12 output)', { layout: 'NCHW', channels: 16, outChannels: 16, height: 4, width: 12 }, { padding: 'same' }, 'gemm'],
    ['not winograd with stride 2', { layout: 'NCHW', channels: 16, outChannels: 16 }, { padding: 'same', stride: 2 }, 'gemm'],
    ['direct: NHWC 3 → 16, 3×3 (reduction 27)', { layout: 'NHWC', channels: 3, outChannels: 16 }, { padding: 'same' }, 'direct'],
    ['direct: NHWC reduction exactly 64 (4 channels, 4×4)', { layout: 'NHWC', channels: 4, outChannels: 8, kernelH: 4, kernelW: 4 }, {}, 'direct'],
    ['direct: NHWC groups 2, 4 channels per group, 3×3 (36)', { layout: 'NHWC', channels: 8, outChannels: 6, groups: 2 }, {}, 'direct'],
    ['gemm: NHWC reduction 65 (13 channels, 5×1)', { layout: 'NHWC', channels: 13, outChannels: 8, kernelH: 5, kernelW: 1 }, {}, 'gemm'],
    ['gemm: NHWC 7×7 stem 3 → 16 (147)', { layout: 'NHWC', channels: 3, outChannels: 16, kernelH: 7, kernelW: 7, height: 16, width: 16 }, { stride: 2, padding: 3 }, 'gemm'],
    ['direct: the thin NCHW layer 3 → 16, 3×3 (at most 16 filters, stride 1)', { layout: 'NCHW', channels: 3, outChannels: 16 }, { padding: 'same' }, 'direct'],
    ['direct: NCHW groups 2, 8 filters per group, 3×3', { layout: 'NCHW', channels: 8, outChannels: 16, groups: 2 }, {}, 'direct'],
    ['gemm: the thin NCHW layer 3 → 17 (17 filters)', { layout: 'NCHW', channels: 3, outChannels: 17 }, { padding: 'same' }, 'gemm'],
    ['gemm: the thin NCHW layer 3 → 16 at stride 2', { layout: 'NCHW', channels: 3, outChannels: 16 }, { padding: 'same', stride: 2 }, 'gemm'],
    ['gemm: the thin NCHW layer 3 → 16 dilated', { layout: 'NCHW', channels: 3, outChannels: 16 }, { padding: 'same', dilation: 2 }, 'gemm'],
    ['gemm: NCHW reduction 65 with 8 filters (13 channels, 5×1)', { layout: 'NCHW', channels: 13, outChannels: 8, kernelH: 5, kernelW: 1 }, {}, 'gemm'],
  ];
  for (const [name, shape, options, expected] of autoRules) {
    it(`'auto' chooses ${expected}: ${name}`, () => {
      const random = seededRandom(name.length * 31);
      const weightLayout = shape.layout === 'NCHW' ? 'OIHW' : 'HWIO';
      const c = makeCase(random, { ...base, height: 12, width: 12, weightLayout, ...shape }, options);
      const geometry = resolveConv2dGeometry(resolveConv2dFilter(c.weight, c.options), c.input);
      expect(chooseConv2dAlgorithm(geometry).name).toBe(expected);
      expectMatchesReference(conv2d(c.input, c.weight, c.options), c.input, c.weight, c.options, `auto (${expected}): ${c.label}`,
        PATH_TOLERANCE[expected] ?? DEFAULT_TOLERANCE);
    });
  }
});

const base: Omit<CaseShape, 'layout' | 'weightLayout'> = {
  batch: 1, channels: 3, height: 7, width: 7, outChannels: 5, kernelH: 3, kernelW: 3, groups: 1,
};
const oddSizes: Array<{ name: string; shape: Partial<CaseShape>; options?: Conv2dOptions }> = [
  { name: '1×1 image, 1×1 kernel', shape: { height: 1, width: 1, kernelH: 1, kernelW: 1 } },
  { name: '1×1 image, 3×3 kernel, same padding', shape: { height: 1, width: 1 }, options: { padding: 'same' } },
  { name: 'output of one pixel', shape: { height: 3, width: 3 } },
  { name: 'kernel larger than stride', shape: { height: 9, width: 11, kernelH: 5, kernelW: 4 }, options: { stride: 2 } },
  { name: 'stride larger than kernel', shape: { height: 11, width: 10, kernelH: 2, kernelW: 1 }, options: { stride: [3, 4] } },
  { name: 'kernel as large as the image', shape: { height: 6, width: 5, kernelH: 6, kernelW: 5 } },
  { name: 'one output channel', shape: { outChannels: 1 } },
  { name: 'exactly one 4×8 tile of channels', shape: { outChannels: 8, height: 6, width: 6 } },
  { name: 'output channels past a tile edge', shape: { outChannels: 9 } },
  { name: 'output channels 17', shape: { outChannels: 17, channels: 2 } },
  { name: 'depthwise (groups = C)', shape: { channels: 6, outChannels: 6, groups: 6 } },
  { name: 'depthwise with multiplier 3', shape: { channels: 4, outChannels: 12, groups: 4 } },
  { name: 'many pixel blocks: deep reduction', shape: { channels: 64, height: 12, width: 13, kernelH: 5, kernelW: 5, outChannels: 7 }, options: { padding: 'same' } },
  { name: 'wide image, 1 channel', shape: { channels: 1, outChannels: 1, height: 3, width: 301 }, options: { padding: 1 } },
  { name: 'batch 4 with bias and relu6', shape: { batch: 4 }, options: { bias: new Float32Array([0.5, -1, 2, 0, 7]), activation: 'relu6' } },
  { name: 'asymmetric explicit padding and dilation 2', shape: { height: 9, width: 8 }, options: { padding: { top: 0, bottom: 3, left: 2, right: 1 }, dilation: 2 } },
  { name: 'same padding with stride 2 on an even size', shape: { height: 8, width: 8 }, options: { padding: 'same', stride: 2 } },
  { name: 'same padding with dilation [2, 3]', shape: { height: 9, width: 10 }, options: { padding: 'same', dilation: [2, 3] } },
  { name: 'padding larger than the kernel', shape: { height: 2, width: 2, kernelH: 2, kernelW: 2 }, options: { padding: 3 } },
];

describe('odd sizes, in both layouts and every weight layout', () => {
  for (const { name, shape, options } of oddSizes) {
    it(name, () => {
      const random = seededRandom(name.length * 7919);
      for (const layout of ['NCHW', 'NHWC'] as const) {
        for (const weightLayout of ['OIHW', 'HWIO', 'OHWI'] as const) {
          const c = makeCase(random, { ...base, ...shape, layout, weightLayout }, options ?? {});
          expectMatchesReference(conv2d(c.input, c.weight, c.options), c.input, c.weight, c.options, `${name}: ${c.label}`);
        }
      }
    });
  }
});

describe('prepared conv2d', () => {
  it('reuses its packed weights across inputs of different sizes and batches', () => {
    const random = seededRandom(99);
    for (const layout of ['NCHW', 'NHWC'] as const) {
      const first = makeCase(random, { ...base, layout, weightLayout: layout === 'NCHW' ? 'OIHW' : 'HWIO', channels: 4, outChannels: 10 }, { padding: 'same', activation: 'relu' });
      const conv = createConv2d(first.weight, first.options);
      try {
        for (const [batch, height, width] of [[1, 7, 7], [2, 15, 4], [1, 1, 1], [3, 9, 20], [1, 7, 7]] as const) {
          const c = makeCase(random, { ...base, layout, weightLayout: first.options.weightLayout!, channels: 4, outChannels: 10, batch, height, width }, first.options);
          expectMatchesReference(conv.run(c.input), c.input, first.weight, first.options, `${layout} run on [${batch}, ${height}, ${width}]`);
        }
      } finally {
        conv.dispose();
      }
    }
  });

  it('is not affected by later changes to the weights, bias or options it was created with', () => {
    const random = seededRandom(7);
    const c = makeCase(random, { ...base, layout: 'NCHW', weightLayout: 'OIHW' }, { bias: new Float32Array([1, 2, 3, 4, 5]) });
    const expected = conv2d(c.input, c.weight, c.options);
    const options = { ...c.options };
    const weight = { data: c.weight.data.slice(), shape: [...c.weight.shape] };
    const conv = createConv2d(weight, options);
    weight.data.fill(0);
    (options.bias as Float32Array).fill(0);
    options.stride = 2;
    try {
      expect(Array.from(conv.run(c.input).data)).toEqual(Array.from(expected.data));
    } finally {
      conv.dispose();
    }
  });
});

describe('returned data belongs to the caller', () => {
  it('later calls, runs and dispose never change an earlier result', () => {
    const random = seededRandom(3);
    const c = makeCase(random, { ...base, layout: 'NHWC', weightLayout: 'HWIO' }, {});
    const conv = createConv2d(c.weight, c.options);
    const first = conv.run(c.input);
    const copy = first.data.slice();
    const other = makeCase(random, { ...base, layout: 'NHWC', weightLayout: 'HWIO' }, {});
    conv.run(other.input);
    conv2d(other.input, other.weight, other.options);
    conv.dispose();
    conv2d(makeCase(random, { ...base, layout: 'NCHW', weightLayout: 'OIHW', height: 40, width: 40 }, {}).input, c.weight, { layout: 'NCHW', weightLayout: 'HWIO' });
    expect(Array.from(first.data)).toEqual(Array.from(copy));
    expect(first.data.buffer).not.toBe(other.input.data.buffer);
    expect(first.data.buffer instanceof ArrayBuffer).toBe(true);
    expect(first.data.byteOffset).toBe(0);
    expect(first.data.buffer.byteLength).toBe(first.data.byteLength);
  });
});
