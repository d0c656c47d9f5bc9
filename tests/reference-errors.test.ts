// simdconv/reference refuses what its semantics do not define, with the error type the library
// uses (TypeError: wrong type; RangeError: wrong value) and a message naming the argument (each
// message below read and judged right by hand). The oracle must not quietly compute something
// for a call the fast path refuses.
import { describe, expect, it } from 'vitest';
import { conv1d, conv2d, conv3d, convTranspose2d, filterImage } from 'simdconv/reference';
import { expectKernelObjectsFilterAsArrays, thrownBy } from './helpers.js';

const tensor = (shape: number[]) => ({ data: new Float32Array(shape.reduce((a, b) => a * b, 1)), shape });
const x4 = tensor([1, 2, 5, 5]);
const w4 = tensor([3, 2, 3, 3]);
const image = { data: new Uint8ClampedArray(4 * 4 * 4), width: 4, height: 4 };

type Case = [label: string, call: () => unknown, error: typeof TypeError | typeof RangeError, message: string];
const CASES: Case[] = [
  ['options not an object', () => conv2d(x4, w4, 3 as never), TypeError, "reference.conv2d: options must be an object, got 3"],
  ['unknown option', () => conv2d(x4, w4, { strides: 2 } as never), TypeError, "reference.conv2d: unknown option 'strides'; known: layout, weightLayout, stride, dilation, padding, groups, bias, activation, alpha, algorithm, residual"],
  ['input not a tensor', () => conv2d(null as never, w4), TypeError, "input must be { data: Float32Array, shape }, got null"],
  ['input data not Float32Array', () => conv2d({ data: [0] as never, shape: [1, 1, 1, 1] }, w4), TypeError, "input.data must be a Float32Array, got [0]"],
  ['input of rank 3', () => conv2d(tensor([2, 5, 5]), w4), RangeError, "input.shape must list 4 dimensions, got [2, 5, 5]"],
  ['input dimension 0', () => conv2d({ data: new Float32Array(0), shape: [1, 2, 0, 5] }, w4), RangeError, "input.shape[2] must be >= 1, got 0"],
  ['input dimension not an integer', () => conv2d({ data: new Float32Array(5), shape: [1, 1, 2.5, 2] }, w4), TypeError, "input.shape[2] must be an integer, got 2.5"],
  ['data length not the product', () => conv2d({ data: new Float32Array(49), shape: [1, 2, 5, 5] }, w4), RangeError, "input.data has 49 values, input.shape [1, 2, 5, 5] needs their product"],
  ['weight data not Float32Array', () => conv2d(x4, { data: new Float64Array(54) as never, shape: [3, 2, 3, 3] }), TypeError, "weight.data must be a Float32Array, got a Float64Array"],
  ['bad layout string', () => conv2d(x4, w4, { layout: 'NWHC' as never }), RangeError, "options.layout must be one of NCHW, NHWC, got 'NWHC'"],
  ['layout not a string', () => conv2d(x4, w4, { layout: 1 as never }), TypeError, "options.layout must be one of NCHW, NHWC, got 1"],
  ['bad weight layout', () => conv2d(x4, w4, { weightLayout: 'IOHW' as never }), RangeError, "options.weightLayout must be one of OIHW, HWIO, OHWI, got 'IOHW'"],
  ['stride 0', () => conv2d(x4, w4, { stride: 0 }), RangeError, "options.stride must be >= 1, got 0"],
  ['stride 1.5', () => conv2d(x4, w4, { stride: 1.5 }), TypeError, "options.stride must be an integer, got 1.5"],
  ['stride of three numbers', () => conv2d(x4, w4, { stride: [1, 1, 1] as never }), TypeError, "options.stride must be a number or 2 numbers, got [1, 1, 1]"],
  ['stride[1] 0', () => conv2d(x4, w4, { stride: [1, 0] }), RangeError, "options.stride[1] must be >= 1, got 0"],
  ['dilation 0', () => conv2d(x4, w4, { dilation: 0 }), RangeError, "options.dilation must be >= 1, got 0"],
  ['negative padding', () => conv2d(x4, w4, { padding: -1 }), RangeError, "options.padding must be >= 0, got -1"],
  ['padding of a bad string', () => conv2d(x4, w4, { padding: 'full' as never }), TypeError, "options.padding must be 'valid', 'same', a number, one per axis or { top, bottom, left, right }, got 'full'"],
  ['padding side unknown', () => conv2d(x4, w4, { padding: { top: 1, front: 1 } as never }), TypeError, "options.padding: unknown option 'front'; known: top, bottom, left, right"],
  ['padding side negative', () => conv2d(x4, w4, { padding: { left: -2 } as never }), RangeError, "options.padding.left must be >= 0, got -2"],
  ['groups 0', () => conv2d(x4, w4, { groups: 0 }), RangeError, "options.groups must be >= 1, got 0"],
  ['groups that do not divide', () => conv2d(x4, w4, { groups: 2 }), RangeError, "groups 2: input channels 2 must be 2 per group and filters 3 a multiple of it"],
  ['channels that do not match', () => conv2d(tensor([1, 3, 5, 5]), w4), RangeError, "groups 1: input channels 3 must be 2 per group and filters 3 a multiple of it"],
  ['bias not Float32Array', () => conv2d(x4, w4, { bias: [1, 2, 3] as never }), TypeError, "options.bias must be a Float32Array, got [1, 2, 3]"],
  ['bias of the wrong length', () => conv2d(x4, w4, { bias: new Float32Array(2) }), RangeError, "options.bias must have 3 values (one per output channel), got 2"],
  ['unknown activation', () => conv2d(x4, w4, { activation: 'gelu' as never }), RangeError, "options.activation must be one of none, relu, relu6, leakyRelu, sigmoid, tanh, got 'gelu'"],
  ['alpha not a number', () => conv2d(x4, w4, { activation: 'leakyRelu', alpha: '0.1' as never }), TypeError, "options.alpha must be a finite number, got '0.1'"],
  ['alpha not finite', () => conv2d(x4, w4, { activation: 'leakyRelu', alpha: Infinity }), TypeError, "options.alpha must be a finite number, got Infinity"],
  ['alpha without leakyRelu', () => conv2d(x4, w4, { activation: 'relu', alpha: 0.1 }), RangeError, "options.alpha only applies to activation 'leakyRelu'"],
  ['unknown algorithm', () => conv2d(x4, w4, { algorithm: 'fft' as never }), RangeError, "options.algorithm must be one of auto, gemm, direct, depthwise, winograd, got 'fft'"],
  ['kernel larger than the input', () => conv2d(tensor([1, 2, 2, 2]), w4), RangeError, "input 2×2 with pads 0, 0, 0, 0 is smaller than the dilated kernel: no output"],
  ['dilated kernel larger than the input', () => conv2d(x4, w4, { dilation: 3 }), RangeError, "input 5×5 with pads 0, 0, 0, 0 is smaller than the dilated kernel: no output"],
  ['conv1d: bad layout', () => conv1d(tensor([1, 2, 5]), tensor([3, 2, 3]), { layout: 'NCHW' as never }), RangeError, "options.layout must be one of NCW, NWC, got 'NCHW'"],
  ['conv1d: stride 0', () => conv1d(tensor([1, 2, 5]), tensor([3, 2, 3]), { stride: 0 }), RangeError, "options.stride must be >= 1, got 0"],
  ['conv1d: dilation 1.5', () => conv1d(tensor([1, 2, 5]), tensor([3, 2, 3]), { dilation: 1.5 }), TypeError, "options.dilation must be an integer, got 1.5"],
  ['conv1d: padding object', () => conv1d(tensor([1, 2, 5]), tensor([3, 2, 3]), { padding: { left: 1 } as never }), TypeError, "options.padding must be 'valid', 'same', a number or [left, right]"],
  ['conv1d: padding[1] negative', () => conv1d(tensor([1, 2, 5]), tensor([3, 2, 3]), { padding: [0, -1] }), RangeError, "options.padding[1] must be >= 0, got -1"],
  ['conv1d: groups that do not divide', () => conv1d(tensor([1, 2, 5]), tensor([3, 1, 3]), { groups: 2 }), RangeError, "groups 2: input channels 2 must be 1 per group and filters 3 a multiple of it"],
  ['conv1d: no output', () => conv1d(tensor([1, 2, 2]), tensor([3, 2, 3])), RangeError, "input 2 with pads 0, 0 is smaller than the dilated kernel: no output"],
  ['conv3d: rank 4 input', () => conv3d(tensor([1, 2, 4, 4]), tensor([3, 2, 1, 1, 1])), RangeError, "input.shape must list 5 dimensions, got [1, 2, 4, 4]"],
  ['conv3d: stride of two', () => conv3d(tensor([1, 2, 4, 4, 4]), tensor([3, 2, 1, 1, 1]), { stride: [1, 1] as never }), TypeError, "options.stride must be a number or 3 numbers, got [1, 1]"],
  ['conv3d: padding side unknown', () => conv3d(tensor([1, 2, 4, 4, 4]), tensor([3, 2, 1, 1, 1]), { padding: { top: 1, up: 1 } as never }), TypeError, "options.padding: unknown option 'up'; known: front, back, top, bottom, left, right"],
  ['conv3d: channels that do not match', () => conv3d(tensor([1, 4, 4, 4, 4]), tensor([3, 2, 1, 1, 1])), RangeError, "groups 1: input channels 4 must be 2 per group and filters 3 a multiple of it"],
  ['conv3d: no output', () => conv3d(tensor([1, 2, 2, 4, 4]), tensor([3, 2, 3, 1, 1])), RangeError, "input 2×4×4 with pads 0, 0, 0, 0, 0, 0 is smaller than the dilated kernel: no output"],
  ['convTranspose2d: HWOI with groups', () => convTranspose2d(tensor([1, 5, 5, 2]), tensor([3, 3, 2, 2]), { layout: 'NHWC', groups: 2 }), RangeError, "options.groups must be 1 with weight layout HWOI"],
  ['convTranspose2d: channels that do not match', () => convTranspose2d(tensor([1, 3, 5, 5]), tensor([2, 2, 3, 3])), RangeError, "input has 3 channels; the weight takes 2 in 1 groups"],
  ['convTranspose2d: output padding as large as the stride', () => convTranspose2d(tensor([1, 2, 5, 5]), tensor([2, 2, 3, 3]), { stride: 2, outputPadding: 2 }), RangeError, "options.outputPadding must be smaller than the stride or the dilation"],
  ['convTranspose2d: output padding with same', () => convTranspose2d(tensor([1, 2, 5, 5]), tensor([2, 2, 3, 3]), { stride: 2, padding: 'same', outputPadding: 1 }), RangeError, "options.outputPadding cannot be combined with padding 'same'"],
  ['convTranspose2d: padding removes everything', () => convTranspose2d(tensor([1, 2, 1, 1]), tensor([2, 2, 3, 3]), { padding: 2 }), RangeError, "padding crops the whole output of input 1×1: no output"],
  ['filterImage: no image', () => filterImage(null as never, 'box'), TypeError, "image must be { data, width, height }"],
  ['filterImage: float pixels', () => filterImage({ ...image, data: new Float32Array(64) as never }, 'box'), TypeError, "image.data must be a Uint8ClampedArray or Uint8Array"],
  ['filterImage: width 0', () => filterImage({ ...image, width: 0 }, 'box'), RangeError, "image.width and image.height must be positive integers"],
  ['filterImage: too few bytes', () => filterImage({ ...image, data: new Uint8ClampedArray(60) }, 'box'), RangeError, "image.data must hold 4 × 4 RGBA pixels"],
  ['filterImage: unknown preset', () => filterImage(image, 'blur' as never), RangeError, "kernel: unknown preset 'blur'"],
  ['filterImage: box size 0', () => filterImage(image, 'box', { size: 0 }), RangeError, "options.size must be a positive integer, got 0"],
  ['filterImage: box size 2.5', () => filterImage(image, 'box', { size: 2.5 }), RangeError, "options.size must be a positive integer, got 2.5"],
  ['filterImage: sigma 0', () => filterImage(image, 'gaussian', { sigma: 0 }), RangeError, "options.sigma must be a positive number, got 0"],
  ['filterImage: sigma Infinity', () => filterImage(image, 'gaussian', { sigma: Infinity }), RangeError, "options.sigma must be a positive number, got Infinity"],
  ['filterImage: ragged rows', () => filterImage(image, [[1, 2], [3]]), TypeError, "kernel must be a non-empty 2-D array of equal-length rows"],
  ['filterImage: empty kernel', () => filterImage(image, []), TypeError, "kernel must be a non-empty 2-D array of equal-length rows"],
  ['filterImage: a NaN tap', () => filterImage(image, [[1, NaN]]), TypeError, "kernel taps must be finite numbers"],
  ['filterImage: { data } of the wrong size', () => filterImage(image, { data: [1, 2, 3], width: 2, height: 2 }), TypeError, "kernel { data, width, height } needs positive sizes and width × height taps"],
  ['filterImage: kernel a number', () => filterImage(image, 3 as never), TypeError, "kernel must be a 2-D array, { data, width, height } or a preset name"],
  ['filterImage: bad edge', () => filterImage(image, 'box', { edge: 'mirror' as never }), RangeError, "options.edge must be one of zero, clamp, reflect, wrap, got 'mirror'"],
  ['filterImage: bad channels', () => filterImage(image, 'box', { channels: 'bgr' as never }), RangeError, "options.channels must be one of rgb, rgba, luma, got 'bgr'"],
  ['filterImage: bias not finite', () => filterImage(image, 'box', { bias: NaN }), TypeError, "options.bias must be a finite number"],
  ['filterImage: unknown option', () => filterImage(image, 'box', { sigmas: 1 } as never), TypeError, "reference.filterImage: unknown option 'sigmas'; known: edge, channels, normalize, bias, abs, sigma, size"],
  ['options null', () => conv2d(x4, w4, null as never), TypeError, "reference.conv2d: options must be an object, got null"],
  ['input a number', () => conv2d(5 as never, w4), TypeError, "input must be { data: Float32Array, shape }, got 5"],
  ['shape not an array', () => conv2d({ data: new Float32Array(1), shape: 1 as never }, w4), RangeError, "input.shape must list 4 dimensions, got 1"],
  ['a string dimension', () => conv2d({ data: new Float32Array(1), shape: [1, 1, 1, '1' as never] }, w4), TypeError, "input.shape[3] must be an integer, got '1'"],
  ['groups that do not divide the filters, channels matching', () => conv2d(tensor([1, 4, 5, 5]), w4, { groups: 2 }), RangeError, "groups 2: input channels 4 must be 2 per group and filters 3 a multiple of it"],
  ['padding null', () => conv2d(x4, w4, { padding: null as never }), TypeError, "options.padding must be 'valid', 'same', a number, one per axis or { top, bottom, left, right }, got null"],
  ['padding true', () => conv2d(x4, w4, { padding: true as never }), TypeError, "options.padding must be 'valid', 'same', a number, one per axis or { top, bottom, left, right }, got true"],
  ['padding of three numbers', () => conv2d(x4, w4, { padding: [1, 1, 1] as never }), TypeError, "options.padding must be a number or 2 numbers, got [1, 1, 1]"],
  ['layout of another op', () => conv2d(x4, w4, { layout: 'NCDHW' as never }), RangeError, "options.layout must be one of NCHW, NHWC, got 'NCDHW'"],
  ['activation not a string', () => conv2d(x4, w4, { activation: 1 as never }), TypeError, "options.activation must be one of none, relu, relu6, leakyRelu, sigmoid, tanh, got 1"],
  ['conv1d: padding of three', () => conv1d(tensor([1, 2, 5]), tensor([3, 2, 3]), { padding: [1, 1, 1] as never }), TypeError, "options.padding must be 'valid', 'same', a number or [left, right]"],
  ['conv1d: padding[0] negative', () => conv1d(tensor([1, 2, 5]), tensor([3, 2, 3]), { padding: [-1, 0] }), RangeError, "options.padding[0] must be >= 0, got -1"],
  ['conv1d: padding negative', () => conv1d(tensor([1, 2, 5]), tensor([3, 2, 3]), { padding: -1 }), RangeError, "options.padding must be >= 0, got -1"],
  ['conv1d: channels that do not match', () => conv1d(tensor([1, 3, 5]), tensor([3, 2, 3])), RangeError, "groups 1: input channels 3 must be 2 per group and filters 3 a multiple of it"],
  ['conv1d: groups that do not divide the filters', () => conv1d(tensor([1, 4, 5]), tensor([3, 2, 3]), { groups: 2 }), RangeError, "groups 2: input channels 4 must be 2 per group and filters 3 a multiple of it"],
  ['conv1d: unknown option', () => conv1d(tensor([1, 2, 5]), tensor([3, 2, 3]), { pad: 1 } as never), TypeError, "reference.conv1d: unknown option 'pad'; known: layout, weightLayout, stride, dilation, padding, groups, bias, activation, alpha, algorithm"],
  ['conv3d: dilation 0', () => conv3d(tensor([1, 2, 4, 4, 4]), tensor([3, 2, 1, 1, 1]), { dilation: 0 }), RangeError, "options.dilation must be >= 1, got 0"],
  ['conv3d: groups that do not divide the filters', () => conv3d(tensor([1, 4, 4, 4, 4]), tensor([3, 2, 1, 1, 1]), { groups: 2 }), RangeError, "groups 2: input channels 4 must be 2 per group and filters 3 a multiple of it"],
  ['conv3d: unknown option', () => conv3d(tensor([1, 2, 4, 4, 4]), tensor([3, 2, 1, 1, 1]), { pad: 1 } as never), TypeError, "reference.conv3d: unknown option 'pad'; known: layout, weightLayout, stride, dilation, padding, groups, bias, activation, alpha, algorithm"],
  ['conv3d: padding null', () => conv3d(tensor([1, 2, 4, 4, 4]), tensor([3, 2, 1, 1, 1]), { padding: null as never }), TypeError, "options.padding must be 'valid', 'same', a number, one per axis or { front, back, top, bottom, left, right }, got null"],
  ['convTranspose2d: groups that do not divide the channels', () => convTranspose2d(tensor([1, 3, 5, 5]), tensor([3, 2, 3, 3]), { groups: 2 }), RangeError, "input has 3 channels; the weight takes 3 in 2 groups"],
  ['convTranspose2d: output padding as large as the stride, rows only', () => convTranspose2d(tensor([1, 2, 5, 5]), tensor([2, 2, 3, 3]), { stride: 2, outputPadding: [2, 0] }), RangeError, "options.outputPadding must be smaller than the stride or the dilation"],
  ['convTranspose2d: output padding as large as the stride, columns only', () => convTranspose2d(tensor([1, 2, 5, 5]), tensor([2, 2, 3, 3]), { stride: 2, outputPadding: [0, 2] }), RangeError, "options.outputPadding must be smaller than the stride or the dilation"],
  ['convTranspose2d: unknown option', () => convTranspose2d(tensor([1, 2, 5, 5]), tensor([2, 2, 3, 3]), { output_padding: 1 } as never), TypeError, "reference.convTranspose2d: unknown option 'output_padding'; known: layout, weightLayout, stride, dilation, padding, groups, bias, activation, alpha, algorithm, outputPadding"],
  ['filterImage: image a number', () => filterImage(5 as never, 'box'), TypeError, "image must be { data, width, height }"],
  ['filterImage: height 0', () => filterImage({ data: new Uint8ClampedArray(0), width: 4, height: 0 }, 'box'), RangeError, "image.width and image.height must be positive integers"],
  ['filterImage: kernel null', () => filterImage(image, null as never), TypeError, "kernel must be a 2-D array, { data, width, height } or a preset name"],
  ['filterImage: an empty row', () => filterImage(image, [[]]), TypeError, "kernel must be a non-empty 2-D array of equal-length rows"],
  ['filterImage: a row that is not an array', () => filterImage(image, [[1], 5 as never]), TypeError, "kernel must be a non-empty 2-D array of equal-length rows"],
  ['filterImage: a NaN tap in the second row', () => filterImage(image, [[1, 2], [NaN, 1]]), TypeError, "kernel taps must be finite numbers"],
  ['filterImage: { data } width 1.5', () => filterImage(image, { data: [1, 2, 3], width: 1.5, height: 2 }), TypeError, "kernel { data, width, height } needs positive sizes and width × height taps"],
  ['filterImage: { data } height 1.5', () => filterImage(image, { data: [1, 2, 3], width: 2, height: 1.5 }), TypeError, "kernel { data, width, height } needs positive sizes and width × height taps"],
  ['filterImage: { data } width 0', () => filterImage(image, { data: [], width: 0, height: 2 }), TypeError, "kernel { data, width, height } needs positive sizes and width × height taps"],
  ['filterImage: { data } height 0', () => filterImage(image, { data: [], width: 2, height: 0 }), TypeError, "kernel { data, width, height } needs positive sizes and width × height taps"],
  ['filterImage: { data } missing', () => filterImage(image, { width: 1, height: 1 } as never), TypeError, "kernel { data, width, height } needs positive sizes and width × height taps"],
  ['filterImage: a NaN in { data }', () => filterImage(image, { data: [1, NaN], width: 2, height: 1 }), TypeError, "kernel taps must be finite numbers"],
  ['filterImage: sigma a string', () => filterImage(image, 'gaussian', { sigma: '1' as never }), RangeError, "options.sigma must be a positive number, got 1"],
];

describe('simdconv/reference: bad arguments', () => {
  for (const [label, call, error, message] of CASES) {
    it(label, () => {
      const thrown = thrownBy(call);
      expect(thrown).toBeInstanceOf(error);
      expect(thrown.message).toBe(message);
    });
  }

  it('accepts the valid neighbours of those calls', () => {
    // The edge of each rule: what is just allowed computes (values are checked elsewhere).
    expect(conv2d(tensor([1, 2, 3, 3]), w4).shape).toEqual([1, 3, 1, 1]);
    expect(conv2d(x4, w4, { padding: { left: 0 } as never, stride: [1, 1], dilation: 2, alpha: 0.2, activation: 'leakyRelu', bias: null as never }).shape).toEqual([1, 3, 1, 1]);
    expect(convTranspose2d(tensor([1, 2, 5, 5]), tensor([2, 2, 3, 3]), { stride: 2, outputPadding: 1 }).shape).toEqual([1, 2, 12, 12]);
    expect(convTranspose2d(tensor([1, 2, 1, 1]), tensor([2, 2, 3, 3]), { padding: 1 }).shape).toEqual([1, 2, 1, 1]);
    expect(conv1d(tensor([1, 2, 3]), tensor([3, 2, 3])).shape).toEqual([1, 3, 1]);
    expect(filterImage(image, 'box', { size: 1 }).data).toEqual(image.data);
    expectKernelObjectsFilterAsArrays(filterImage as never);
    // An output padding just below the stride, one axis at a time, is allowed.
    expect(convTranspose2d(tensor([1, 2, 5, 5]), tensor([2, 2, 3, 3]), { stride: 2, outputPadding: [1, 0] }).shape).toEqual([1, 2, 12, 11]);
  });
});
