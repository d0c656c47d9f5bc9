// Hand-worked pins of the formulas the fast path and the reference must agree on: each has its
// own code for them, and a comparison of the two cannot tell which one is wrong, so the value
// pins run on both. 'same' padding with stride and dilation, the odd pad at the end, HWOI
// transposed weights, the leakyRelu default.
// Every expected number below is worked out in the comment next to it, not computed by code.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  conv1d, conv2d, conv3d, convInfo, convTranspose2d, depthwiseConv2d, init, separableConv2d,
  type Algorithm, type TensorData,
} from 'simdconv';
import * as reference from 'simdconv/reference';

beforeAll(async () => {
  await init();
});

const tensor = (data: number[], shape: number[]): TensorData => ({ data: Float32Array.from(data), shape });
const filled = (shape: number[], value: number): TensorData => tensor(new Array(shape.reduce((a, b) => a * b, 1)).fill(value), shape);

describe("'same' padding: output ceil(in / stride), total (out − 1)·stride + dilation·(k − 1) + 1 − in, the odd pad at the end", () => {
  // [name, input H×W, kernel kH×kW, stride, dilation, output H×W, { top, bottom, left, right }]
  const cases: Array<[string, [number, number], [number, number], [number, number], [number, number], [number, number], [number, number, number, number]]> = [
    // rows: total 8 + 2·2 + 1 − 9 = 4 → 2, 2; columns: 9 + 3·2 + 1 − 10 = 6 → 3, 3
    ['dilation [2, 3] on 9×10', [9, 10], [3, 3], [1, 1], [2, 3], [9, 10], [2, 2, 3, 3]],
    // total 3 + 1 + 1 − 4 = 1 → 0 before, 1 after
    ['kernel 2, stride 1: pad (0, 1)', [4, 4], [2, 2], [1, 1], [1, 1], [4, 4], [0, 1, 0, 1]],
    // rows: out 3, total 2·2 + 3 − 5 = 2 → 1, 1; columns: out 3, total 2·2 + 3 − 6 = 1 → 0, 1
    ['stride 2 on 5 and on 6, kernel 3', [5, 6], [3, 3], [2, 2], [1, 1], [3, 3], [1, 1, 0, 1]],
    // rows: total 5 + 3·1 + 1 − 6 = 3 → 1, 2; columns: total 6 + 2·1 + 1 − 7 = 2 → 1, 1
    ['kernel 2, dilation [3, 2]: odd total 3 → (1, 2)', [6, 7], [2, 2], [1, 1], [3, 2], [6, 7], [1, 2, 1, 1]],
    // rows: out 4, total 3·2 + 2·2 + 1 − 7 = 4 → 2, 2; columns: out 4, total 6 + 5 − 8 = 3 → 1, 2
    ['stride 2 and dilation 2', [7, 8], [3, 3], [2, 2], [2, 2], [4, 4], [2, 2, 1, 2]],
    // rows: out 3, total 2·4 + 2 − 9 = 1 → 0, 1; columns: out 4, total 3·3 + 1 − 10 = 0
    ['stride larger than the kernel', [9, 10], [2, 1], [4, 3], [1, 1], [3, 4], [0, 1, 0, 0]],
  ];
  for (const [name, [inH, inW], [kH, kW], stride, dilation, [outH, outW], [top, bottom, left, right]] of cases) {
    it(`${name}: output ${outH}×${outW}, pads top ${top} bottom ${bottom} left ${left} right ${right}`, () => {
      for (const layout of ['NCHW', 'NHWC'] as const) {
        const input = layout === 'NCHW' ? [1, 2, inH, inW] : [1, inH, inW, 2];
        const weight = layout === 'NCHW' ? [3, 2, kH, kW] : [kH, kW, 2, 3];
        const info = convInfo(input, weight, { layout, padding: 'same', stride, dilation });
        expect(info.outputShape, layout).toEqual(layout === 'NCHW' ? [1, 3, outH, outW] : [1, outH, outW, 3]);
        expect(info.padding, layout).toEqual({ top, bottom, left, right });
      }
    });
  }
});

/**
 * One-axis 'same' cases: x and w along one axis, expected y worked out by hand from
 * y[j] = Σ_t w[t]·x[j·stride + t·dilation − padBegin] (zero outside x).
 */
const SAME_1D: Array<{ name: string; x: number[]; w: number[]; stride: number; dilation: number; y: number[] }> = [
  // pads (0, 1): y[i] = x[i] + 10·x[i+1]
  { name: 'kernel 2: pads (0, 1)', x: [1, 2, 3, 4], w: [1, 10], stride: 1, dilation: 1, y: [21, 32, 43, 4] },
  // pads (2, 2): y[i] = x[i−2] + 10·x[i] + 100·x[i+2]
  { name: 'kernel 3, dilation 2: pads (2, 2)', x: [1, 2, 3, 4, 5], w: [1, 10, 100], stride: 1, dilation: 2, y: [310, 420, 531, 42, 53] },
  // pads (1, 2): y[i] = x[i−1] + 10·x[i+2]
  { name: 'kernel 2, dilation 3: pads (1, 2)', x: [1, 2, 3, 4, 5, 6], w: [1, 10], stride: 1, dilation: 3, y: [30, 41, 52, 63, 4, 5] },
  // out 3, pads (1, 1): y[j] = x[2j−1] + 10·x[2j] + 100·x[2j+1]
  { name: 'stride 2 on 5, kernel 3: pads (1, 1)', x: [1, 2, 3, 4, 5], w: [1, 10, 100], stride: 2, dilation: 1, y: [210, 432, 54] },
  // out 3, pads (0, 1): y[j] = x[2j] + 10·x[2j+1] + 100·x[2j+2]
  { name: 'stride 2 on 6, kernel 3: pads (0, 1)', x: [1, 2, 3, 4, 5, 6], w: [1, 10, 100], stride: 2, dilation: 1, y: [321, 543, 65] },
];

/** A shape of ones with `n` at `axis`. */
const along = (rank: number, axis: number, n: number) => Array.from({ length: rank }, (_, i) => (i === axis ? n : 1));
/** A per-axis option: `value` on `axis` of `axes` spatial axes, 1 elsewhere. */
const perAxis = (axes: number, axis: number, value: number) => Array.from({ length: axes }, (_, i) => (i === axis ? value : 1));

/** The value pins run on the fast path and on the reference alike. */
// The fast path on { data, shape } (its signatures also take Tensors, which these tables do not use).
const FAST = { name: 'simdconv', conv1d, conv2d, conv3d, convTranspose2d } as unknown as Pick<typeof reference, 'conv1d' | 'conv2d' | 'conv3d' | 'convTranspose2d'> & { name: string };
const REFERENCE = { name: 'simdconv/reference', ...reference };

for (const ops of [FAST, REFERENCE]) {
  describe(`${ops.name}: 'same' values along each axis of conv2d, conv1d and conv3d (hand-worked)`, () => {
    for (const c of SAME_1D) {
      it(c.name, () => {
        const results: Array<[string, TensorData]> = [];
        for (const axis of [0, 1]) {
          const options = { padding: 'same' as const, stride: perAxis(2, axis, c.stride) as [number, number], dilation: perAxis(2, axis, c.dilation) as [number, number] };
          // NCHW [1, 1, H, W] / OIHW; NHWC [1, H, W, 1] / HWIO: one channel, so the same data.
          results.push([`conv2d NCHW axis ${axis}`, ops.conv2d(tensor(c.x, along(4, 2 + axis, c.x.length)), tensor(c.w, along(4, 2 + axis, c.w.length)), options)]);
          results.push([`conv2d NHWC axis ${axis}`, ops.conv2d(tensor(c.x, along(4, 1 + axis, c.x.length)), tensor(c.w, along(4, axis, c.w.length)), { ...options, layout: 'NHWC' })]);
        }
        results.push(['conv1d', ops.conv1d(tensor(c.x, [1, 1, c.x.length]), tensor(c.w, [1, 1, c.w.length]), { padding: 'same', stride: c.stride, dilation: c.dilation })]);
        for (const axis of [0, 1, 2]) {
          const options = { padding: 'same' as const, stride: perAxis(3, axis, c.stride) as [number, number, number], dilation: perAxis(3, axis, c.dilation) as [number, number, number] };
          results.push([`conv3d axis ${axis}`, ops.conv3d(tensor(c.x, along(5, 2 + axis, c.x.length)), tensor(c.w, along(5, 2 + axis, c.w.length)), options)]);
        }
        for (const [label, y] of results) {
          expect(y.shape.reduce((a, b) => a * b, 1), label).toBe(c.y.length);
          expect(Array.from(y.data), label).toEqual(c.y);
        }
      });
    }
  });

  describe(`${ops.name}: convTranspose2d 'same': output in·stride, the pads of conv2d's 'same' on that size removed (hand-worked)`, () => {
    // Full output f[i·stride + t·dilation] += x[i]·w[t]; 'same' then removes conv2d's 'same' pads
    // for an input of in·stride: the odd one at the end.
    const cases: Array<{ name: string; x: number[]; w: number[]; stride: number; dilation: number; y: number[] }> = [
      // f = [1, 12, 23, 30]; size 3, total 1 → remove (0, 1)
      { name: 'kernel 2, stride 1: removes (0, 1)', x: [1, 2, 3], w: [1, 10], stride: 1, dilation: 1, y: [1, 12, 23] },
      // f = [1, 10, 102, 20, 200]; size 4, total 1·2 + 3 − 4 = 1 → remove (0, 1)
      { name: 'kernel 3, stride 2: removes (0, 1)', x: [1, 2], w: [1, 10, 100], stride: 2, dilation: 1, y: [1, 10, 102, 20] },
      // f = [1, 2, 13, 20, 130, 200, 300]; total 2 + 4 + 1 − 3 = 4 → remove (2, 2)
      { name: 'kernel 3, dilation 2: removes (2, 2)', x: [1, 2, 3], w: [1, 10, 100], stride: 1, dilation: 2, y: [13, 20, 130] },
      // f = [1, 0, 12, 0, 120, 0, 200]; size 4, total 1·2 + 4 + 1 − 4 = 3 → remove (1, 2)
      { name: 'kernel 3, stride 2, dilation 2: removes (1, 2)', x: [1, 2], w: [1, 10, 100], stride: 2, dilation: 2, y: [0, 12, 0, 120] },
    ];
    for (const c of cases) {
      it(c.name, () => {
        for (const axis of [0, 1]) {
          const options = { padding: 'same' as const, stride: perAxis(2, axis, c.stride) as [number, number], dilation: perAxis(2, axis, c.dilation) as [number, number] };
          const y = ops.convTranspose2d(tensor(c.x, along(4, 2 + axis, c.x.length)), tensor(c.w, along(4, 2 + axis, c.w.length)), options);
          expect(y.shape, `axis ${axis}`).toEqual(along(4, 2 + axis, c.y.length));
          expect(Array.from(y.data), `axis ${axis}`).toEqual(c.y);
        }
      });
    }
  });

  describe(`${ops.name}: convTranspose2d weight layouts: HWOI is [kH, kW, M, C], IOHW [C, M, kH, kW] (hand-worked)`, () => {
    // One input pixel x = (1, 10) of C = 2 channels, a 1×1 kernel to M = 3 channels, data 1…6.
    const pixel = [1, 10];
    const weights = [1, 2, 3, 4, 5, 6];

    it('HWOI [1, 1, 3, 2]: y[m] = Σ_c x[c]·data[m·2 + c] = (1 + 20, 3 + 40, 5 + 60)', () => {
      const y = ops.convTranspose2d(tensor(pixel, [1, 1, 1, 2]), tensor(weights, [1, 1, 3, 2]), { layout: 'NHWC', weightLayout: 'HWOI' });
      expect(y.shape).toEqual([1, 1, 1, 3]);
      expect(Array.from(y.data)).toEqual([21, 43, 65]);
    });

    it('IOHW [2, 3, 1, 1]: y[m] = Σ_c x[c]·data[c·3 + m] = (1 + 40, 2 + 50, 3 + 60)', () => {
      for (const layout of ['NCHW', 'NHWC'] as const) {
        const y = ops.convTranspose2d(tensor(pixel, layout === 'NCHW' ? [1, 2, 1, 1] : [1, 1, 1, 2]), tensor(weights, [2, 3, 1, 1]), { layout, weightLayout: 'IOHW' });
        expect(Array.from(y.data), layout).toEqual([41, 52, 63]);
      }
    });

    it('HWOI with stride [1, 2]: two pixels land two columns apart, a zero column between', () => {
      // Pixels (1, 10) and (100, 1000): output columns 0 and 2; column 2 = (100 + 2000, 300 + 4000, 500 + 6000).
      const y = ops.convTranspose2d(tensor([1, 10, 100, 1000], [1, 1, 2, 2]), tensor(weights, [1, 1, 3, 2]), { layout: 'NHWC', stride: [1, 2] });
      expect(y.shape).toEqual([1, 1, 3, 3]);
      expect(Array.from(y.data)).toEqual([21, 43, 65, 0, 0, 0, 2100, 4300, 6500]);
    });

    it('HWOI [2, 3, 1, 1]: one unit pixel gives the kernel back, row by row', () => {
      // A transposed conv of a single 1 writes w[kh, kw] at output (kh, kw): 2 rows of 3.
      const y = ops.convTranspose2d(tensor([1], [1, 1, 1, 1]), tensor(weights, [2, 3, 1, 1]), { layout: 'NHWC', weightLayout: 'HWOI' });
      expect(y.shape).toEqual([1, 2, 3, 1]);
      expect(Array.from(y.data)).toEqual(weights);
    });
  });

  describe(`${ops.name}: leakyRelu without alpha uses 0.01 (ONNX, PyTorch): −100 → −1, −3 → −0.03, positives kept`, () => {
    // A 4×4 single-channel image through a 3×3 kernel with only its centre 1 and 'same' padding:
    // every op returns the input, then the activation.
    const values = [-100, 50, -3, 0, 7, -100, 1, -0.5, -100, -100, 2, 3, 100, -1, -100, 4];
    const leaky = values.map((v) => (v >= 0 ? v : 0.01 * v));
    const centre = [0, 0, 0, 0, 1, 0, 0, 0, 0];
    const expectLeaky = (y: TensorData, label: string, tolerance = 1e-6) => {
      expect(y.data.length, label).toBe(values.length);
      // float32 alpha·x: 0.01 is not exact in float32, hence the tolerance (a 0.02 slope is off by 1).
      y.data.forEach((v, i) => expect(Math.abs(v - leaky[i]!), `${label} element ${i}: ${v}, expected ${leaky[i]}`).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(values[i]!))));
    };
    const options = { padding: 'same' as const, activation: 'leakyRelu' as const };

    it('conv2d on every kernel path, both layouts', () => {
      for (const algorithm of ['auto', 'gemm', 'direct', 'depthwise', 'winograd'] as Algorithm[]) {
        // Winograd's transforms round the −100s a little (WINOGRAD_TOLERANCE in tests/helpers.ts).
        const tolerance = algorithm === 'winograd' ? 1e-4 : 1e-6;
        expectLeaky(ops.conv2d(tensor(values, [1, 1, 4, 4]), tensor(centre, [1, 1, 3, 3]), { ...options, algorithm }), `${algorithm} NCHW`, tolerance);
        expectLeaky(ops.conv2d(tensor(values, [1, 4, 4, 1]), tensor(centre, [3, 3, 1, 1]), { ...options, algorithm, layout: 'NHWC' }), `${algorithm} NHWC`, tolerance);
      }
    });

    it('conv1d, conv3d, convTranspose2d, depthwiseConv2d and separableConv2d', () => {
      expectLeaky(ops.conv1d(tensor(values, [1, 1, 16]), tensor([0, 1, 0], [1, 1, 3]), options), 'conv1d');
      expectLeaky(ops.conv3d(tensor(values, [1, 1, 1, 4, 4]), tensor(centre, [1, 1, 1, 3, 3]), options), 'conv3d');
      // The transposed conv of a centred kernel with 'same' is the identity too.
      expectLeaky(ops.convTranspose2d(tensor(values, [1, 1, 4, 4]), tensor(centre, [1, 1, 3, 3]), options), 'convTranspose2d');
      if (ops === FAST) expectLeaky(depthwiseConv2d(tensor(values, [1, 1, 4, 4]), tensor(centre, [1, 1, 3, 3]), options), 'depthwiseConv2d');
      if (ops === FAST) expectLeaky(separableConv2d(tensor(values, [1, 1, 4, 4]), tensor(centre, [1, 1, 3, 3]), filled([1, 1, 1, 1], 1), options), 'separableConv2d');
    });

    it('an explicit alpha replaces it: −100 with alpha 0.2 → −20', () => {
      const y = ops.conv2d(tensor([-100, 5], [1, 1, 1, 2]), tensor([1], [1, 1, 1, 1]), { activation: 'leakyRelu', alpha: 0.2 });
      expect(y.data[0]).toBeCloseTo(-20, 4);
      expect(y.data[1]).toBe(5);
    });
  });

  describe(`${ops.name}: conv2d weight layouts: OIHW [M, C, kH, kW], HWIO [kH, kW, C, M], OHWI [M, kH, kW, C] (hand-worked)`, () => {
    // A 2×2 image of C = 2 channels, x(c, h, w) = 1 + 4c + 2h + w (all different), and a 2×2
    // kernel to M = 2 filters, each a single 1: filter 0 at (c 1, h 0, w 1), filter 1 at (c 0, h 1, w 0).
    // y = (x(1, 0, 1), x(0, 1, 0)) = (6, 3); a wrong stride reads another pixel of another value.
    const x = (c: number, h: number, w: number) => 1 + 4 * c + 2 * h + w;
    const ones = [[0, 1, 0, 1], [1, 0, 1, 0]]; // [m, c, h, w]
    const index = {
      OIHW: (m: number, c: number, h: number, w: number) => ((m * 2 + c) * 2 + h) * 2 + w,
      HWIO: (m: number, c: number, h: number, w: number) => ((h * 2 + w) * 2 + c) * 2 + m,
      OHWI: (m: number, c: number, h: number, w: number) => ((m * 2 + h) * 2 + w) * 2 + c,
    };
    const pixels = (nchw: boolean) => {
      const data: number[] = [];
      if (nchw) for (let c = 0; c < 2; c++) for (let h = 0; h < 2; h++) for (let w = 0; w < 2; w++) data.push(x(c, h, w));
      else for (let h = 0; h < 2; h++) for (let w = 0; w < 2; w++) for (let c = 0; c < 2; c++) data.push(x(c, h, w));
      return data;
    };
    for (const weightLayout of ['OIHW', 'HWIO', 'OHWI'] as const) {
      it(`${weightLayout}: y = (6, 3) in both layouts`, () => {
        const weights = new Array(16).fill(0);
        for (const [m, c, h, w] of ones) weights[index[weightLayout](m!, c!, h!, w!)] = 1;
        // Every dimension is 2, so only the order of the data tells the layouts apart.
        for (const layout of ['NCHW', 'NHWC'] as const) {
          const y = ops.conv2d(tensor(pixels(layout === 'NCHW'), [1, 2, 2, 2]), tensor(weights, [2, 2, 2, 2]), { layout, weightLayout });
          expect(Array.from(y.data), layout).toEqual([6, 3]);
        }
      });
    }
  });
}
