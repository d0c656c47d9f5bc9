// depthwiseConv2d against conv2d with groups = C; separableConv2d against its two steps;
// convInfo and receptiveField on hand-worked layers.
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2d, convInfo, createDepthwiseConv2d, createSeparableConv2d, depthwiseConv2d, init, receptiveField, separableConv2d } from 'simdconv';
import { conv2d as referenceConv2d } from 'simdconv/reference';
import { expectSeparableMatchesReference, randomTensor, seededRandom } from './helpers.js';
import type { Padding } from 'simdconv';

beforeAll(async () => {
  await init();
});

describe('depthwiseConv2d', () => {
  it('equals conv2d with groups = C, multiplier 1 and 3, both layouts and weight layouts', () => {
    const random = seededRandom(77);
    for (const multiplier of [1, 3]) {
      const C = 5;
      const xNCHW = randomTensor(random, [2, C, 9, 8]);
      const wOIHW = randomTensor(random, [C * multiplier, 1, 3, 3]);
      const options = { stride: 2, padding: 'same' as const, activation: 'relu6' as const };
      const expected = conv2d(xNCHW, wOIHW, { ...options, groups: C });
      const actual = depthwiseConv2d(xNCHW, wOIHW, options);
      expect(actual.shape).toEqual(expected.shape);
      expect(Array.from(actual.data)).toEqual(Array.from(expected.data));
      // NHWC with TensorFlow's [kH, kW, C, multiplier] filter.
      const xNHWC = randomTensor(random, [1, 7, 6, C]);
      const wTF = randomTensor(random, [3, 3, C, multiplier]);
      const expectedNHWC = conv2d(xNHWC, { data: wTF.data, shape: [3, 3, 1, C * multiplier] }, { layout: 'NHWC', groups: C, padding: 1 });
      const actualNHWC = depthwiseConv2d(xNHWC, wTF, { layout: 'NHWC', padding: 1 });
      expect(actualNHWC.shape).toEqual([1, 7, 6, C * multiplier]);
      expect(Array.from(actualNHWC.data)).toEqual(Array.from(expectedNHWC.data));
    }
  });

  it('the prepared OIHW form follows the input channel count; errors name the mismatch', () => {
    const random = seededRandom(78);
    const w = randomTensor(random, [6, 1, 3, 3]);
    const conv = createDepthwiseConv2d(w, { padding: 1 });
    try {
      for (const C of [6, 3, 2, 6]) {
        const x = randomTensor(random, [1, C, 5, 5]);
        expect(Array.from(conv.run(x).data)).toEqual(Array.from(conv2d(x, w, { padding: 1, groups: C }).data));
      }
      expect(() => conv.run(randomTensor(random, [1, 4, 5, 5]))).toThrowError(/4 channels, which do not divide the weight's C·multiplier = 6/);
    } finally {
      conv.dispose();
    }
    expect(() => depthwiseConv2d(randomTensor(random, [1, 2, 5, 5]), randomTensor(random, [3, 3, 4, 1]), { layout: 'NHWC' })).toThrowError(/input has 5 channels but the depthwise weight HWIO \[3, 3, 4, 1\] is for 4/);
    expect(() => depthwiseConv2d(randomTensor(random, [1, 2, 5, 5]), w, { groups: 2 } as never)).toThrowError(/unknown option 'groups'/);
    expect(() => createDepthwiseConv2d(randomTensor(random, [6, 2, 3, 3]))).toThrowError(/must have 1 input channel per filter/);
  });
});

describe('convInfo', () => {
  it('the ResNet stem: 7×7/2, padding 3, on 224²', () => {
    expect(convInfo([1, 3, 224, 224], [64, 3, 7, 7], { stride: 2, padding: 3, bias: new Float32Array(64) })).toEqual({
      outputShape: [1, 64, 112, 112],
      padding: { top: 3, bottom: 3, left: 3, right: 3 },
      multiplyAdds: 64 * 112 * 112 * 3 * 49, // 118,013,952
      flops: 2 * 64 * 112 * 112 * 3 * 49,
      parameters: 64 * 3 * 49 + 64, // 9,472
    });
  });

  it("resolves 'same' for the input (odd pad at the end), NHWC, groups", () => {
    const info = convInfo([2, 10, 9, 8], [3, 3, 4, 16], { layout: 'NHWC', padding: 'same', stride: 2, groups: 2 });
    expect(info.outputShape).toEqual([2, 5, 5, 16]);
    // rows: out 5, total pad (5-1)·2 + 3 − 10 = 1 → 0 top, 1 bottom; cols: (5-1)·2 + 3 − 9 = 2 → 1, 1
    expect(info.padding).toEqual({ top: 0, bottom: 1, left: 1, right: 1 });
    expect(info.multiplyAdds).toBe(2 * 16 * 5 * 5 * 4 * 9);
    expect(info.parameters).toBe(16 * 4 * 9);
  });

  it('gives conv2d errors from shapes alone', () => {
    expect(() => convInfo([1, 3, 224], [64, 3, 7, 7])).toThrowError(/inputShape must have 4 dimensions NCHW/);
    expect(() => convInfo([1, 4, 8, 8], [64, 3, 3, 3])).toThrowError(/input has 4 channels/);
    expect(() => convInfo([1, 3, 8, 8], [64, 3, 3, 3], { pad: 1 } as never)).toThrowError(/did you mean 'padding'/);
  });
});

describe('receptiveField', () => {
  it('one layer: the kernel; a stack: grows by (k − 1)·jump', () => {
    expect(receptiveField([{ kernel: 3 }])).toEqual({ size: [3, 3], jump: [1, 1], start: [1.5, 1.5] });
    expect(receptiveField([{ kernel: 3 }, { kernel: 3 }])).toEqual({ size: [5, 5], jump: [1, 1], start: [2.5, 2.5] });
  });

  it('two 3×3 stride-2 layers with padding 1 (the classic worked example): size 7, jump 4, start 0.5', () => {
    const layer = { kernel: 3, stride: 2, padding: 1 };
    expect(receptiveField([layer, layer])).toEqual({ size: [7, 7], jump: [4, 4], start: [0.5, 0.5] });
  });

  it('per-axis values and dilation', () => {
    // 3×1 kernel dilated by 2 on rows: effective 5 rows, 1 column.
    expect(receptiveField([{ kernel: [3, 1], dilation: [2, 1], stride: [1, 2] }])).toEqual({ size: [5, 1], jump: [1, 2], start: [2.5, 0.5] });
    expect(() => receptiveField([{ kernel: 0 }])).toThrowError(/layers\[0\]\.kernel must be an integer ≥ 1/);
  });
});

describe('separableConv2d', () => {
  it('equals the depthwise conv followed by the 1×1 conv (reference), both layouts and weight layouts', () => {
    const random = seededRandom(79);
    for (const layout of ['NCHW', 'NHWC'] as const) {
      for (const multiplier of [1, 2]) {
        const [C, M] = [6, 10];
        const x = randomTensor(random, layout === 'NCHW' ? [2, C, 11, 9] : [2, 11, 9, C]);
        const dw = randomTensor(random, layout === 'NCHW' ? [C * multiplier, 1, 3, 3] : [3, 3, C, multiplier]);
        const pw = randomTensor(random, layout === 'NCHW' ? [M, C * multiplier, 1, 1] : [1, 1, C * multiplier, M]);
        const bias = randomTensor(random, [M]).data;
        const options = { layout, stride: 2, padding: 'same' as const, dilation: 1, bias, activation: 'relu6' as const };
        const middle = referenceConv2d(x, layout === 'NCHW' ? dw : { data: dw.data, shape: [3, 3, 1, C * multiplier] },
          { layout, stride: 2, padding: 'same', groups: C });
        const expected = referenceConv2d(middle, pw, { layout, bias, activation: 'relu6' });
        const actual = separableConv2d(x, dw, pw, options);
        expect(actual.shape).toEqual(expected.shape);
        for (let i = 0; i < expected.data.length; i++) {
          expect(Math.abs(actual.data[i]! - expected.data[i]!), `${layout} ×${multiplier} element ${i}`).toBeLessThan(1e-4);
        }
      }
    }
  });

  it('runs big images band by band with the same result: strides, dilation, asymmetric padding, both layouts', () => {
    // 512 channels make a band 16–64 rows (src/separable-conv2d.ts): these images need 2–5 bands,
    // and the last band is a partial one.
    const random = seededRandom(81);
    const cases = [
      { layout: 'NCHW', C: 512, M: 12, H: 150, W: 8, k: 3, stride: 1, dilation: 1, padding: 'same' },
      { layout: 'NHWC', C: 512, M: 20, H: 150, W: 8, k: 3, stride: 1, dilation: 1, padding: 'same' },
      { layout: 'NCHW', C: 512, M: 9, H: 301, W: 5, k: 5, stride: 2, dilation: 1, padding: { top: 2, bottom: 1, left: 0, right: 3 } },
      { layout: 'NHWC', C: 512, M: 8, H: 301, W: 5, k: 3, stride: 2, dilation: 2, padding: { top: 3, bottom: 0, left: 1, right: 2 } },
      { layout: 'NCHW', C: 512, M: 16, H: 140, W: 9, k: 3, stride: 1, dilation: 3, padding: 'valid' },
      { layout: 'NHWC', C: 512, M: 16, H: 140, W: 9, k: 3, stride: [2, 1], dilation: 1, padding: 'valid' },
    ] as const;
    for (const c of cases) {
      const nchw = c.layout === 'NCHW';
      const x = randomTensor(random, nchw ? [1, c.C, c.H, c.W] : [1, c.H, c.W, c.C]);
      const dw = randomTensor(random, nchw ? [c.C, 1, c.k, c.k] : [c.k, c.k, c.C, 1]);
      const pw = randomTensor(random, nchw ? [c.M, c.C, 1, 1] : [1, 1, c.C, c.M]);
      const bias = randomTensor(random, [c.M]).data;
      const spatial = { layout: c.layout, stride: c.stride, dilation: c.dilation, padding: c.padding as Padding };
      const dw2d = nchw ? dw : { data: dw.data, shape: [c.k, c.k, 1, c.C] };
      const tail = { bias, activation: 'leakyRelu' as const, alpha: 0.1 };
      const actual = separableConv2d(x, dw, pw, { ...spatial, ...tail });
      expectSeparableMatchesReference(actual, x, dw2d, pw, spatial, c.C, tail, JSON.stringify(c));
    }
  });

  it('the prepared form runs inputs of different sizes and batches in a row, each matching the reference', () => {
    const random = seededRandom(82);
    for (const layout of ['NCHW', 'NHWC'] as const) {
      const [C, M] = [5, 7];
      const nchw = layout === 'NCHW';
      const dw = randomTensor(random, nchw ? [C * 2, 1, 3, 3] : [3, 3, C, 2]);
      const pw = randomTensor(random, nchw ? [M, C * 2, 1, 1] : [1, 1, C * 2, M]);
      const spatial = { layout, stride: 2, padding: 'same' as const };
      const tail = { bias: randomTensor(random, [M]).data, activation: 'relu' as const };
      const conv = createSeparableConv2d(dw, pw, { ...spatial, ...tail });
      try {
        // Growing, shrinking and growing again: the workspace is reused and regrown.
        for (const [batch, height, width] of [[1, 9, 13], [2, 30, 7], [1, 3, 3], [3, 17, 40]] as const) {
          const x = randomTensor(random, nchw ? [batch, C, height, width] : [batch, height, width, C]);
          const dw2d = nchw ? dw : { data: dw.data, shape: [3, 3, 1, C * 2] };
          expectSeparableMatchesReference(conv.run(x), x, dw2d, pw, spatial, C, tail, `${layout} [${batch}, ${height}, ${width}]`);
        }
      } finally {
        conv.dispose();
      }
    }
  });

  it('rejects options that belong to neither step', () => {
    const random = seededRandom(80);
    const x = randomTensor(random, [1, 2, 5, 5]);
    expect(() => separableConv2d(x, randomTensor(random, [2, 1, 3, 3]), randomTensor(random, [4, 2, 1, 1]), { groups: 2 } as never))
      .toThrowError(/separableConv2d: unknown option 'groups'/);
    expect(() => separableConv2d(x, randomTensor(random, [2, 1, 3, 3]), randomTensor(random, [4, 3, 1, 1])))
      .toThrowError(/input has 2 channels/);
  });
});
