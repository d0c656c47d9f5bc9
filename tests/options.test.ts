// Output shapes for every padding form, and the errors users get for bad arguments.
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2d, createConv2d, init, type Conv2dOptions } from 'simdconv';

beforeAll(async () => {
  await init();
});

const zeros = (shape: number[]) => ({ data: new Float32Array(shape.reduce((a, b) => a * b, 1)), shape });

describe('output shapes', () => {
  // Expected sizes worked out by hand from floor((in + pads - d(k-1) - 1) / s) + 1 and, for
  // 'same', ceil(in / s).
  const cases: Array<[string, number[], number[], Conv2dOptions, number[]]> = [
    ['valid 3×3', [1, 2, 10, 9], [4, 2, 3, 3], {}, [1, 4, 8, 7]],
    ['same stride 1', [2, 2, 10, 9], [4, 2, 3, 3], { padding: 'same' }, [2, 4, 10, 9]],
    ['same stride 2, odd size', [1, 2, 11, 10], [4, 2, 3, 3], { padding: 'same', stride: 2 }, [1, 4, 6, 5]],
    ['same stride 3, 1×1 kernel', [1, 1, 10, 10], [1, 1, 1, 1], { padding: 'same', stride: 3 }, [1, 1, 4, 4]],
    ['number padding', [1, 1, 5, 5], [1, 1, 3, 3], { padding: 2 }, [1, 1, 7, 7]],
    ['[h, w] padding', [1, 1, 5, 5], [1, 1, 3, 3], { padding: [2, 0] }, [1, 1, 7, 3]],
    ['explicit sides', [1, 1, 5, 5], [1, 1, 3, 3], { padding: { top: 1, bottom: 0, left: 3, right: 1 } }, [1, 1, 4, 7]],
    ['stride [2, 3]', [1, 1, 9, 10], [1, 1, 3, 3], { stride: [2, 3] }, [1, 1, 4, 3]],
    ['dilation 2', [1, 1, 9, 9], [1, 1, 3, 3], { dilation: 2 }, [1, 1, 5, 5]],
    ['groups 2', [1, 4, 5, 5], [6, 2, 3, 3], { groups: 2 }, [1, 6, 3, 3]],
    ['NHWC / HWIO', [1, 5, 6, 3], [3, 3, 3, 8], { layout: 'NHWC' }, [1, 3, 4, 8]],
    ['NHWC / OHWI', [1, 5, 6, 3], [8, 3, 3, 3], { layout: 'NHWC', weightLayout: 'OHWI' }, [1, 3, 4, 8]],
    ['NCHW / HWIO', [1, 3, 5, 6], [3, 3, 3, 8], { weightLayout: 'HWIO' }, [1, 8, 3, 4]],
  ];
  for (const [name, inputShape, weightShape, options, expected] of cases) {
    it(name, () => {
      expect(conv2d(zeros(inputShape), zeros(weightShape), options).shape).toEqual(expected);
    });
  }

  it("'same' puts the odd extra pad at the bottom/right", () => {
    // 4×4 input of ones except a 100 in the last row/column, 2×2 kernel of ones: with the pad at
    // the end, output (0,0) sums input rows 0–1, columns 0–1 and the last output sees the 100.
    const data = new Float32Array(16).fill(1);
    data[15] = 100;
    const y = conv2d({ data, shape: [1, 1, 4, 4] }, { data: new Float32Array(4).fill(1), shape: [1, 1, 2, 2] }, { padding: 'same' });
    expect(y.shape).toEqual([1, 1, 4, 4]);
    expect(y.data[0]).toBe(4);
    expect(y.data[15]).toBe(100);
    expect(y.data[10]).toBe(103);
  });
});

describe('errors for bad input', () => {
  const x = zeros([1, 2, 5, 5]);
  const w = zeros([3, 2, 3, 3]);
  const bad: Array<[string, () => unknown, ErrorConstructor, RegExp]> = [
    ['input not an object', () => conv2d(42 as never, w), TypeError, /input must be a tensor/],
    ['data not a Float32Array', () => conv2d({ data: [1, 2] as never, shape: [1, 1, 1, 2] }, w), TypeError, /input\.data must be a Float32Array/],
    ['data length mismatch', () => conv2d({ data: new Float32Array(3), shape: [1, 2, 5, 5] }, w), RangeError, /input\.data has 3 elements/],
    ['wrong rank', () => conv2d({ data: new Float32Array(25), shape: [5, 5] }, w), RangeError, /input\.shape must have 4 dimensions/],
    ['zero dimension', () => conv2d({ data: new Float32Array(0), shape: [1, 0, 5, 5] }, w), RangeError, /input\.shape\[1\] must be a positive integer/],
    ['fractional dimension', () => conv2d({ data: new Float32Array(5), shape: [1, 1, 2.5, 2] }, w), RangeError, /input\.shape\[2\]/],
    ['channel mismatch', () => conv2d(zeros([1, 3, 5, 5]), w), RangeError, /input has 3 channels/],
    ['groups not dividing M', () => conv2d(zeros([1, 4, 5, 5]), w, { groups: 2 }), RangeError, /groups \(2\) must divide the output channels M = 3/],
    ['misspelt option', () => conv2d(x, w, { strides: 2 } as never), TypeError, /unknown option 'strides'; did you mean 'stride'\?/],
    ['pad instead of padding', () => conv2d(x, w, { pad: 1 } as never), TypeError, /did you mean 'padding'/],
    ['stride 0', () => conv2d(x, w, { stride: 0 }), RangeError, /options\.stride must be >= 1/],
    ['dilation fractional', () => conv2d(x, w, { dilation: [1, 1.5] }), TypeError, /options\.dilation\[1\] must be an integer/],
    ['negative padding', () => conv2d(x, w, { padding: -1 }), RangeError, /options\.padding must be >= 0/],
    ['unknown padding word', () => conv2d(x, w, { padding: 'full' as never }), TypeError, /options\.padding must be 'valid', 'same'/],
    ['padding that leaves no output', () => conv2d(zeros([1, 2, 2, 2]), w), RangeError, /no output/],
    ['unknown layout', () => conv2d(x, w, { layout: 'CHWN' as never }), RangeError, /options\.layout must be one of 'NCHW', 'NHWC'/],
    ['unknown algorithm', () => conv2d(x, w, { algorithm: 'fft' as never }), RangeError, /options\.algorithm must be one of 'auto', 'gemm', 'direct', 'depthwise', 'winograd', got the string "fft"/],
    ['forced path that cannot compute the shape', () => conv2d(x, w, { algorithm: 'depthwise' }), RangeError, /options\.algorithm 'depthwise' cannot compute this convolution: needs one filter per channel/],
    ['alpha without leakyRelu', () => conv2d(x, w, { activation: 'relu', alpha: 0.2 }), RangeError, /options\.alpha only applies to activation 'leakyRelu', got activation 'relu'/],
    ['alpha not finite', () => conv2d(x, w, { activation: 'leakyRelu', alpha: Number.NaN }), TypeError, /options\.alpha must be a finite number, got number NaN/],
    ['unknown activation', () => conv2d(x, w, { activation: 'gelu' as never }), RangeError, /options\.activation must be one of/],
    ['bias wrong length', () => conv2d(x, w, { bias: new Float32Array(2) }), RangeError, /options\.bias must have one value per output channel \(3\)/],
    ['bias wrong type', () => conv2d(x, w, { bias: [1, 2, 3] as never }), TypeError, /options\.bias must be a Float32Array/],
    ['weight of wrong rank', () => conv2d(x, zeros([3, 2, 3])), RangeError, /weight\.shape must have 4 dimensions OIHW/],
    ['winograd forced on a 5×5 kernel', () => conv2d(zeros([1, 2, 7, 7]), zeros([3, 2, 5, 5]), { algorithm: 'winograd' }), RangeError, /options\.algorithm 'winograd' cannot compute this convolution: .*3×3 kernel, got 5×5/],
    ['winograd forced on stride 2', () => conv2d(x, w, { algorithm: 'winograd', stride: 2 }), RangeError, /options\.algorithm 'winograd' cannot compute this convolution: .*stride 1, got \[2, 2\]/],
  ];
  for (const [name, call, type, message] of bad) {
    it(name, () => {
      expect(call).toThrowError(type);
      expect(call).toThrowError(message);
    });
  }

  it('run after dispose throws, dispose twice is harmless, and the library keeps working', () => {
    const conv = createConv2d(w);
    conv.dispose();
    conv.dispose();
    expect(() => conv.run(x)).toThrowError(/disposed/);
    const ones = { data: new Float32Array(50).fill(1), shape: [1, 2, 5, 5] };
    const y = conv2d(ones, { data: new Float32Array(54).fill(1), shape: [3, 2, 3, 3] });
    expect(Array.from(y.data)).toEqual(new Array(27).fill(18));
  });
});
