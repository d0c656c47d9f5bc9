// The exact message of every argument check, pinned: each names the argument, what was
// expected and what was given (README "Errors"). Every expected message was read and judged
// right by hand; a check that stops firing, fires for the wrong argument or loses its wording
// fails here. The calls run through the public API, so the message is the one a user sees.
import { beforeAll, describe, expect, it } from 'vitest';
import { conv1d, conv2d, conv3d, convInfo, convTranspose2d, filterImage, init } from 'simdconv';
import { expectKernelObjectsFilterAsArrays, thrownBy } from './helpers.js';

beforeAll(async () => {
  await init();
});

/** The API without its types: these calls pass what the types forbid, as plain JS callers can. */
const loose = { conv1d, conv2d, conv3d, convInfo, convTranspose2d, filterImage } as unknown as Record<'conv1d' | 'conv2d' | 'conv3d' | 'convInfo' | 'convTranspose2d' | 'filterImage', (...args: unknown[]) => unknown>;
const t = (shape: number[]) => ({ data: new Float32Array(shape.reduce((a, b) => a * b, 1)), shape });
const x = t([1, 2, 5, 5]);
const w = t([3, 2, 3, 3]);
const img = { data: new Uint8ClampedArray(64), width: 4, height: 4 };

// [the call, as a label; the call; the error type; its message (conv2d's without the 'createConv2d: ' prefix)]
const CASES: Array<[string, () => unknown, ErrorConstructor, string]> = [
  ["conv2d(null, w)", () => loose.conv2d(null, w), TypeError, "input must be a tensor { data: Float32Array, shape: number[] }, got null"],
  ["conv2d(5, w)", () => loose.conv2d(5, w), TypeError, "input must be a tensor { data: Float32Array, shape: number[] }, got number 5"],
  ["conv2d(x, w, [])", () => loose.conv2d(x, w, []), TypeError, "options must be an object, got an array of length 0"],
  ["conv2d({ data: Object.create(null), shape: [1] }, w)", () => loose.conv2d({ data: Object.create(null), shape: [1] }, w), TypeError, "input.data must be a Float32Array (other arrays are not converted; use Float32Array.from), got an object (Object)"],
  ["conv2d({ data: 'abc', shape: [1,1,1,3] }, w)", () => loose.conv2d({ data: 'abc', shape: [1,1,1,3] }, w), TypeError, "input.data must be a Float32Array (other arrays are not converted; use Float32Array.from), got the string \"abc\""],
  ["conv2d({ data: new Float64Array(3), shape: [1,1,1,3] }, w)", () => loose.conv2d({ data: new Float64Array(3), shape: [1,1,1,3] }, w), TypeError, "input.data must be a Float32Array (other arrays are not converted; use Float32Array.from), got a Float64Array of length 3"],
  ["conv2d({ data: new Float32Array(3), shape: [1, 1, 2, 2] }, w)", () => loose.conv2d({ data: new Float32Array(3), shape: [1, 1, 2, 2] }, w), RangeError, "input.data has 3 elements but input.shape [1, 1, 2, 2] needs 4"],
  ["conv2d(t([2,5,5]), w)", () => loose.conv2d(t([2,5,5]), w), RangeError, "input.shape must have 4 dimensions NCHW [N, C, H, W], got [2, 5, 5]"],
  ["conv2d(t([2,5,5]), t([3,3,2,3]), { layout: 'NHWC' })", () => loose.conv2d(t([2,5,5]), t([3,3,2,3]), { layout: 'NHWC' }), RangeError, "input.shape must have 4 dimensions NHWC [N, H, W, C], got [2, 5, 5]"],
  ["conv2d(x, w, { strid: 2 })", () => loose.conv2d(x, w, { strid: 2 }), TypeError, "unknown option 'strid'; did you mean 'stride'? Known options: layout, weightLayout, stride, dilation, padding, groups, bias, activation, alpha, algorithm, residual."],
  ["conv2d(x, w, { pads: 1 })", () => loose.conv2d(x, w, { pads: 1 }), TypeError, "unknown option 'pads'; did you mean 'padding'? Known options: layout, weightLayout, stride, dilation, padding, groups, bias, activation, alpha, algorithm, residual."],
  ["conv2d(x, w, { banana: 1 })", () => loose.conv2d(x, w, { banana: 1 }), TypeError, "unknown option 'banana' Known options: layout, weightLayout, stride, dilation, padding, groups, bias, activation, alpha, algorithm, residual."],
  ["conv2d(x, w, { dilatoin: 2 })", () => loose.conv2d(x, w, { dilatoin: 2 }), TypeError, "unknown option 'dilatoin'; did you mean 'dilation'? Known options: layout, weightLayout, stride, dilation, padding, groups, bias, activation, alpha, algorithm, residual."],
  ["conv2d(x, w, { stride: { 0: 1, 1: 1, length: 2 } })", () => loose.conv2d(x, w, { stride: { 0: 1, 1: 1, length: 2 } }), TypeError, "options.stride must be a number or [h, w], got an object (Object)"],
  ["conv2d(x, w, { stride: [1, 1, 1] })", () => loose.conv2d(x, w, { stride: [1, 1, 1] }), TypeError, "options.stride must be a number or [h, w], got an array of length 3"],
  ["conv2d(x, w, { stride: [1, 0] })", () => loose.conv2d(x, w, { stride: [1, 0] }), RangeError, "options.stride[1] must be >= 1, got 0"],
  ["conv2d(x, w, { stride: [1.5, 1] })", () => loose.conv2d(x, w, { stride: [1.5, 1] }), TypeError, "options.stride[0] must be an integer, got number 1.5"],
  ["conv2d(x, w, { layout: 'nchw' })", () => loose.conv2d(x, w, { layout: 'nchw' }), RangeError, "options.layout must be one of 'NCHW', 'NHWC', got the string \"nchw\""],
  ["conv2d(x, w, { layout: 4 })", () => loose.conv2d(x, w, { layout: 4 }), TypeError, "options.layout must be one of 'NCHW', 'NHWC', got number 4"],
  ["conv2d(x, w, { weightLayout: 'IOHW' })", () => loose.conv2d(x, w, { weightLayout: 'IOHW' }), RangeError, "options.weightLayout must be one of 'OIHW', 'HWIO', 'OHWI', got the string \"IOHW\""],
  ["conv2d(x, w, { padding: true })", () => loose.conv2d(x, w, { padding: true }), TypeError, "options.padding must be 'valid', 'same', a number, [h, w] or { top, bottom, left, right }, got boolean true"],
  ["conv2d(x, w, { padding: { top: -1 } })", () => loose.conv2d(x, w, { padding: { top: -1 } }), RangeError, "options.padding.top must be >= 0, got -1"],
  ["conv2d(x, w, { padding: { bottom: 1.5 } })", () => loose.conv2d(x, w, { padding: { bottom: 1.5 } }), TypeError, "options.padding.bottom must be an integer, got number 1.5"],
  ["conv2d(x, w, { padding: { left: -2 } })", () => loose.conv2d(x, w, { padding: { left: -2 } }), RangeError, "options.padding.left must be >= 0, got -2"],
  ["conv2d(x, w, { padding: { right: '1' } })", () => loose.conv2d(x, w, { padding: { right: '1' } }), TypeError, "options.padding.right must be an integer, got the string \"1\""],
  ["conv2d(x, w, { padding: { front: 1 } })", () => loose.conv2d(x, w, { padding: { front: 1 } }), TypeError, "options.padding: unknown option 'front' Known options: top, bottom, left, right."],
  ["conv2d(x, w, { groups: 2 })", () => loose.conv2d(x, w, { groups: 2 }), RangeError, "options.groups (2) must divide the output channels M = 3 of weight OIHW [3, 2, 3, 3]"],
  ["conv2d(x, w, { groups: '1' })", () => loose.conv2d(x, w, { groups: '1' }), TypeError, "options.groups must be an integer, got the string \"1\""],
  ["conv2d(t([1,3,5,5]), w)", () => loose.conv2d(t([1,3,5,5]), w), RangeError, "input has 3 channels (NCHW [N, C, H, W] [1, 3, 5, 5]) but the weight expects C/groups × groups = 2 × 1 = 2"],
  ["conv2d(x, w, { dilation: [2, 3] })", () => loose.conv2d(x, w, { dilation: [2, 3] }), RangeError, "input 5×5 with padding (0, 0, 0, 0) is smaller than the dilated kernel 5×7: no output"],
  ["conv2d(x, w, { bias: new Float32Array(2) })", () => loose.conv2d(x, w, { bias: new Float32Array(2) }), RangeError, "options.bias must have one value per output channel (3), got 2"],
  ["conv2d(x, w, { bias: [1,2,3] })", () => loose.conv2d(x, w, { bias: [1,2,3] }), TypeError, "options.bias must be a Float32Array of length 3, got an array of length 3"],
  ["conv2d(x, w, { activation: 'gelu' })", () => loose.conv2d(x, w, { activation: 'gelu' }), RangeError, "options.activation must be one of 'none', 'relu', 'relu6', 'leakyRelu', 'sigmoid', 'tanh', got the string \"gelu\""],
  ["convInfo([1,2,5,5], [3,2,3])", () => loose.convInfo([1,2,5,5], [3,2,3]), RangeError, "weightShape must have 4 dimensions OIHW [M, C/groups, kH, kW], got [3, 2, 3]"],
  ["convInfo([1,2,5], [3,2,3,3])", () => loose.convInfo([1,2,5], [3,2,3,3]), RangeError, "inputShape must have 4 dimensions NCHW [N, C, H, W], got [1, 2, 5]"],
  ["conv1d(t([1,2,5]), t([3,2,3]), { padding: { left: 1 } })", () => loose.conv1d(t([1,2,5]), t([3,2,3]), { padding: { left: 1 } }), TypeError, "options.padding must be 'valid', 'same', a number or [left, right], got an object (Object)"],
  ["conv1d(t([1,2,5]), t([3,2,3]), { padding: [1,2,3] })", () => loose.conv1d(t([1,2,5]), t([3,2,3]), { padding: [1,2,3] }), TypeError, "options.padding must be 'valid', 'same', a number or [left, right], got an array of length 3"],
  ["conv1d(t([1,2,5]), t([3,2,3]), { padding: [-1, 0] })", () => loose.conv1d(t([1,2,5]), t([3,2,3]), { padding: [-1, 0] }), RangeError, "options.padding[0] must be >= 0, got -1"],
  ["conv1d(t([1,2,5]), t([3,2,3]), { padding: [0,-1] })", () => loose.conv1d(t([1,2,5]), t([3,2,3]), { padding: [0,-1] }), RangeError, "options.padding[1] must be >= 0, got -1"],
  ["conv1d(t([1,2,5]), t([3,2,3]), { weightLayout: 'OIHW' })", () => loose.conv1d(t([1,2,5]), t([3,2,3]), { weightLayout: 'OIHW' }), RangeError, "options.weightLayout must be one of 'OIW', 'WIO', got the string \"OIHW\""],
  ["convTranspose2d(t([1,3,5,5]), t([3,2,3,3]), { groups: 2 })", () => loose.convTranspose2d(t([1,3,5,5]), t([3,2,3,3]), { groups: 2 }), RangeError, "options.groups (2) must divide the weight's input channels C = 3 (IOHW [3, 2, 3, 3])"],
  ["convTranspose2d(t([1,3,5,5]), t([2,2,3,3]))", () => loose.convTranspose2d(t([1,3,5,5]), t([2,2,3,3])), RangeError, "input has 3 channels (NCHW [N, C, H, W] [1, 3, 5, 5]) but the weight expects 2"],
  ["convTranspose2d(t([1,2,5,5]), t([2,2,3,3]), { stride: 2, outputPadding: [0, 2] })", () => loose.convTranspose2d(t([1,2,5,5]), t([2,2,3,3]), { stride: 2, outputPadding: [0, 2] }), RangeError, "options.outputPadding (w: 2) must be smaller than the stride or the dilation (2)"],
  ["convTranspose2d(t([1,2,5,5]), t([2,2,3]))", () => loose.convTranspose2d(t([1,2,5,5]), t([2,2,3])), RangeError, "weight.shape must have 4 dimensions IOHW [C, M/groups, kH, kW], got [2, 2, 3]"],
  ["convTranspose2d(t([1,5,5,2]), t([2,2,3]), { layout: 'NHWC' })", () => loose.convTranspose2d(t([1,5,5,2]), t([2,2,3]), { layout: 'NHWC' }), RangeError, "weight.shape must have 4 dimensions HWOI [kH, kW, M, C], got [2, 2, 3]"],
  ["convTranspose2d(t([1,2,3,1]), t([2,2,3,3]), { padding: { left: 2, right: 2 } })", () => loose.convTranspose2d(t([1,2,3,1]), t([2,2,3,3]), { padding: { left: 2, right: 2 } }), RangeError, "padding (0, 0, 2, 2) removes the whole output of input 3×1: no output"],
  ["convTranspose2d(t([1,2,1,3]), t([2,2,3,3]), { padding: { top: 2, bottom: 2 } })", () => loose.convTranspose2d(t([1,2,1,3]), t([2,2,3,3]), { padding: { top: 2, bottom: 2 } }), RangeError, "padding (2, 2, 0, 0) removes the whole output of input 1×3: no output"],
  ["conv3d(t([1,2,4,4,4]), t([3,2,1,1,1]), { padding: true })", () => loose.conv3d(t([1,2,4,4,4]), t([3,2,1,1,1]), { padding: true }), TypeError, "options.padding must be 'valid', 'same', a number, [d, h, w] or { front, back, top, bottom, left, right }, got boolean true"],
  ["conv3d(t([1,2,4,4,4]), t([3,2,1,1,1]), { padding: { back: -1 } })", () => loose.conv3d(t([1,2,4,4,4]), t([3,2,1,1,1]), { padding: { back: -1 } }), RangeError, "options.padding.back must be >= 0, got -1"],
  ["conv3d(t([1,2,4,4,4]), t([3,2,1,1,1]), { padding: { up: 1 } })", () => loose.conv3d(t([1,2,4,4,4]), t([3,2,1,1,1]), { padding: { up: 1 } }), TypeError, "options.padding: unknown option 'up'; did you mean 'top'? Known options: front, back, top, bottom, left, right."],
  ["conv3d(t([1,2,4,4,4]), t([3,2,1,1,1]), { stride: [1, 1, 0] })", () => loose.conv3d(t([1,2,4,4,4]), t([3,2,1,1,1]), { stride: [1, 1, 0] }), RangeError, "options.stride[2] must be >= 1, got 0"],
  ["conv3d(t([1,2,4,4,4]), t([3,2,1,1,1]), { stride: [1, 1] })", () => loose.conv3d(t([1,2,4,4,4]), t([3,2,1,1,1]), { stride: [1, 1] }), TypeError, "options.stride must be a number or [d, h, w], got an array of length 2"],
  ["conv3d(t([1,2,4,4]), t([3,2,1,1,1]))", () => loose.conv3d(t([1,2,4,4]), t([3,2,1,1,1])), RangeError, "input.shape must have 5 dimensions NCDHW [N, C, D, H, W], got [1, 2, 4, 4]"],
  ["conv3d(t([1,2,4,4,4]), t([3,2,1,1]))", () => loose.conv3d(t([1,2,4,4,4]), t([3,2,1,1])), RangeError, "weight.shape must have 5 dimensions OIDHW [M, C/groups, kD, kH, kW], got [3, 2, 1, 1]"],
  ["conv3d(t([1,4,4,4,2]), t([1,1,2,3]), { layout: 'NDHWC' })", () => loose.conv3d(t([1,4,4,4,2]), t([1,1,2,3]), { layout: 'NDHWC' }), RangeError, "weight.shape must have 5 dimensions DHWIO [kD, kH, kW, C/groups, M], got [1, 1, 2, 3]"],
  ["conv3d(t([1,4,4,2]), t([1,1,1,2,3]), { layout: 'NDHWC' })", () => loose.conv3d(t([1,4,4,2]), t([1,1,1,2,3]), { layout: 'NDHWC' }), RangeError, "input.shape must have 5 dimensions NDHWC [N, D, H, W, C], got [1, 4, 4, 2]"],
  ["conv3d(t([1,2,4,4,4]), t([3,2,1,1,1]), { groups: 2 })", () => loose.conv3d(t([1,2,4,4,4]), t([3,2,1,1,1]), { groups: 2 }), RangeError, "options.groups (2) must divide the output channels M = 3"],
  ["conv3d(t([1,2,4,4,4]), t([3,2,1,1,1]), { groups: '2' })", () => loose.conv3d(t([1,2,4,4,4]), t([3,2,1,1,1]), { groups: '2' }), TypeError, "options.groups must be an integer, got the string \"2\""],
  ["conv3d(t([1,2,2,4,4]), t([3,2,3,1,1]))", () => loose.conv3d(t([1,2,2,4,4]), t([3,2,3,1,1])), RangeError, "input 2×4×4 with this padding is smaller than the dilated kernel: no output"],
  ["conv3d(t([1,2,4,2,4]), t([3,2,1,3,1]))", () => loose.conv3d(t([1,2,4,2,4]), t([3,2,1,3,1])), RangeError, "input 4×2×4 with this padding is smaller than the dilated kernel: no output"],
  ["conv3d(t([1,2,4,4,2]), t([3,2,1,1,3]))", () => loose.conv3d(t([1,2,4,4,2]), t([3,2,1,1,3])), RangeError, "input 4×4×2 with this padding is smaller than the dilated kernel: no output"],
  ["filterImage(null, 'box')", () => loose.filterImage(null, 'box'), TypeError, "image must be ImageData-shaped { data, width, height }, got null"],
  ["filterImage(5, 'box')", () => loose.filterImage(5, 'box'), TypeError, "image must be ImageData-shaped { data, width, height }, got 5"],
  ["filterImage({ ...img, data: [1] }, 'box')", () => loose.filterImage({ ...img, data: [1] }, 'box'), TypeError, "image.data must be a Uint8ClampedArray or Uint8Array of RGBA bytes"],
  ["filterImage({ ...img, width: 0 }, 'box')", () => loose.filterImage({ ...img, width: 0 }, 'box'), RangeError, "image.width must be a positive integer, got 0"],
  ["filterImage({ ...img, height: 2.5 }, 'box')", () => loose.filterImage({ ...img, height: 2.5 }, 'box'), RangeError, "image.height must be a positive integer, got 2.5"],
  ["filterImage({ ...img, width: 3 }, 'box')", () => loose.filterImage({ ...img, width: 3 }, 'box'), RangeError, "image.data has 64 bytes but 3 × 4 RGBA needs 48"],
  ["filterImage(img, 'box', { size: 0 })", () => loose.filterImage(img, 'box', { size: 0 }), RangeError, "options.size must be a positive integer, got 0"],
  ["filterImage(img, 'box', { size: 1.5 })", () => loose.filterImage(img, 'box', { size: 1.5 }), RangeError, "options.size must be a positive integer, got 1.5"],
  ["filterImage(img, 'gaussian', { sigma: -1 })", () => loose.filterImage(img, 'gaussian', { sigma: -1 }), RangeError, "options.sigma must be a positive number, got -1"],
  ["filterImage(img, 'blur')", () => loose.filterImage(img, 'blur'), RangeError, "kernel must be a 2-D number array, { data, width, height } or one of 'box', 'gaussian', 'sharpen', 'sobelX', 'sobelY', 'sobel', 'laplacian', 'emboss', 'edgeHorizontal', 'edgeVertical', 'edgeDiagonal'; got 'blur'"],
  ["filterImage(img, [])", () => loose.filterImage(img, []), TypeError, "kernel as an array must be a non-empty 2-D array of equal-length rows of numbers"],
  ["filterImage(img, [[1, 2], [3]])", () => loose.filterImage(img, [[1, 2], [3]]), TypeError, "kernel as an array must be a non-empty 2-D array of equal-length rows of numbers"],
  ["filterImage(img, [1, 2])", () => loose.filterImage(img, [1, 2]), TypeError, "kernel as an array must be a non-empty 2-D array of equal-length rows of numbers"],
  ["filterImage(img, [[]])", () => loose.filterImage(img, [[]]), TypeError, "kernel as an array must be a non-empty 2-D array of equal-length rows of numbers"],
  ["filterImage(img, [[1, NaN]])", () => loose.filterImage(img, [[1, NaN]]), TypeError, "kernel weight 1 must be a finite number, got NaN"],
  ["filterImage(img, [[1, '2']])", () => loose.filterImage(img, [[1, '2']]), TypeError, "kernel weight 1 must be a finite number, got 2"],
  ["filterImage(img, { data: [1, 2], width: 0, height: 2 })", () => loose.filterImage(img, { data: [1, 2], width: 0, height: 2 }), TypeError, "kernel { data, width, height } needs positive integer sizes and width × height weights"],
  ["filterImage(img, { data: [1, 2], width: 2, height: 1.5 })", () => loose.filterImage(img, { data: [1, 2], width: 2, height: 1.5 }), TypeError, "kernel { data, width, height } needs positive integer sizes and width × height weights"],
  ["filterImage(img, { width: 1, height: 1 })", () => loose.filterImage(img, { width: 1, height: 1 }), TypeError, "kernel { data, width, height } needs positive integer sizes and width × height weights"],
  ["filterImage(img, { data: [1, 2, 3], width: 2, height: 2 })", () => loose.filterImage(img, { data: [1, 2, 3], width: 2, height: 2 }), TypeError, "kernel { data, width, height } needs positive integer sizes and width × height weights"],
  ["filterImage(img, { data: [1, Infinity], width: 2, height: 1 })", () => loose.filterImage(img, { data: [1, Infinity], width: 2, height: 1 }), TypeError, "kernel weight 1 must be a finite number, got Infinity"],
  ["filterImage(img, 3)", () => loose.filterImage(img, 3), TypeError, "kernel must be a 2-D number array, { data, width, height } or a preset name, got number"],
  ["filterImage(img, null)", () => loose.filterImage(img, null), TypeError, "kernel must be a 2-D number array, { data, width, height } or a preset name, got object"],
  ["filterImage(img, 'box', { edge: 'mirror' })", () => loose.filterImage(img, 'box', { edge: 'mirror' }), RangeError, "options.edge must be one of 'zero', 'clamp', 'reflect', 'wrap', got the string \"mirror\""],
  ["filterImage(img, 'box', { channels: 4 })", () => loose.filterImage(img, 'box', { channels: 4 }), TypeError, "options.channels must be one of 'rgb', 'rgba', 'luma', got number 4"],
  ["filterImage(img, 'box', { bias: NaN })", () => loose.filterImage(img, 'box', { bias: NaN }), TypeError, "options.bias must be a finite number, got NaN"],
  ["filterImage(img, 'box', { bias: '1' })", () => loose.filterImage(img, 'box', { bias: '1' }), TypeError, "options.bias must be a finite number, got 1"],
  ["filterImage(img, 'box', { sigmas: 1 })", () => loose.filterImage(img, 'box', { sigmas: 1 }), TypeError, "filterImage: unknown option 'sigmas'; did you mean 'sigma'? Known options: edge, channels, normalize, bias, abs, sigma, size."],
  ["conv2d(x, w, null)", () => loose.conv2d(x, w, null), TypeError, "options must be an object, got null"],
  ["conv2d(x, w, 5)", () => loose.conv2d(x, w, 5), TypeError, "options must be an object, got number 5"],
  ["conv2d(x, w, { padding: null })", () => loose.conv2d(x, w, { padding: null }), TypeError, "options.padding must be 'valid', 'same', a number, [h, w] or { top, bottom, left, right }, got null"],
  ["conv3d(t([1,2,4,4,4]), t([3,2,1,1,1]), { padding: null })", () => loose.conv3d(t([1,2,4,4,4]), t([3,2,1,1,1]), { padding: null }), TypeError, "options.padding must be 'valid', 'same', a number, [d, h, w] or { front, back, top, bottom, left, right }, got null"],
  ["conv2d(x, w, { dataFormat: 'NHWC' })", () => loose.conv2d(x, w, { dataFormat: 'NHWC' }), TypeError, "unknown option 'dataFormat'; did you mean 'layout'? Known options: layout, weightLayout, stride, dilation, padding, groups, bias, activation, alpha, algorithm, residual."],
  ["conv2d(x, w, { lyt: 'NHWC' })", () => loose.conv2d(x, w, { lyt: 'NHWC' }), TypeError, "unknown option 'lyt'; did you mean 'layout'? Known options: layout, weightLayout, stride, dilation, padding, groups, bias, activation, alpha, algorithm, residual."],
  ["conv2d(x, w, { lyout: 'NHWC' })", () => loose.conv2d(x, w, { lyout: 'NHWC' }), TypeError, "unknown option 'lyout'; did you mean 'layout'? Known options: layout, weightLayout, stride, dilation, padding, groups, bias, activation, alpha, algorithm, residual."],
  ["filterImage(img, 'box', { pad: 1 })", () => loose.filterImage(img, 'box', { pad: 1 }), TypeError, "filterImage: unknown option 'pad'; did you mean 'bias'? Known options: edge, channels, normalize, bias, abs, sigma, size."],
  ["conv2d(t([1,3,5,5]), t([4,2,3,3]), { groups: 2 })", () => loose.conv2d(t([1,3,5,5]), t([4,2,3,3]), { groups: 2 }), RangeError, "input has 3 channels (NCHW [N, C, H, W] [1, 3, 5, 5]) but the weight expects C/groups × groups = 2 × 2 = 4"],
  ["convTranspose2d(t([1,2,5,5]), t([2,2,3,3]), { weightLayout: 'OIHW' })", () => loose.convTranspose2d(t([1,2,5,5]), t([2,2,3,3]), { weightLayout: 'OIHW' }), RangeError, "options.weightLayout must be one of 'IOHW', 'HWOI', got the string \"OIHW\""],
  ["convTranspose2d(t([1,2,5,5]), t([2,2,3,3]), { groups: 0 })", () => loose.convTranspose2d(t([1,2,5,5]), t([2,2,3,3]), { groups: 0 }), RangeError, "options.groups must be >= 1, got 0"],
  ["convTranspose2d(t([1,2,5,5]), t([2,2,3,3]), { outputPadding: -1 })", () => loose.convTranspose2d(t([1,2,5,5]), t([2,2,3,3]), { outputPadding: -1 }), RangeError, "options.outputPadding must be >= 0, got -1"],
  ["conv3d(t([1,2,4,4,4]), t([3,2,1,1,1]), { stride: [0, 1, 1] })", () => loose.conv3d(t([1,2,4,4,4]), t([3,2,1,1,1]), { stride: [0, 1, 1] }), RangeError, "options.stride[0] must be >= 1, got 0"],
  ["conv3d(t([1,2,4,4,4]), t([3,2,1,1,1]), { stride: [1, 0, 1] })", () => loose.conv3d(t([1,2,4,4,4]), t([3,2,1,1,1]), { stride: [1, 0, 1] }), RangeError, "options.stride[1] must be >= 1, got 0"],
  ["conv3d(t([1,2,4,4,4]), t([3,2,1,1,1]), { weightLayout: 'OIHW' })", () => loose.conv3d(t([1,2,4,4,4]), t([3,2,1,1,1]), { weightLayout: 'OIHW' }), RangeError, "options.weightLayout must be one of 'OIDHW', 'DHWIO', got the string \"OIHW\""],
  ["filterImage(img, { data: [1, 2, 3], width: 1.5, height: 2 })", () => loose.filterImage(img, { data: [1, 2, 3], width: 1.5, height: 2 }), TypeError, "kernel { data, width, height } needs positive integer sizes and width × height weights"],
  ["filterImage(img, { data: [1, 2, 3], width: 2, height: 1.5 })", () => loose.filterImage(img, { data: [1, 2, 3], width: 2, height: 1.5 }), TypeError, "kernel { data, width, height } needs positive integer sizes and width × height weights"],
  ["filterImage(img, { data: [], width: 0, height: 2 })", () => loose.filterImage(img, { data: [], width: 0, height: 2 }), TypeError, "kernel { data, width, height } needs positive integer sizes and width × height weights"],
  ["filterImage(img, { data: [], width: 2, height: 0 })", () => loose.filterImage(img, { data: [], width: 2, height: 0 }), TypeError, "kernel { data, width, height } needs positive integer sizes and width × height weights"],
];

describe('argument checks: the exact messages', () => {
  for (const [label, call, type, message] of CASES) {
    it(label, () => {
      const thrown = thrownBy(call);
      expect(thrown).toBeInstanceOf(type);
      expect(thrown.message.replace(/^createConv2d: /, '')).toBe(message);
    });
  }

  it('accepts the valid neighbours of those calls, with the values of the plain forms', () => {
    const y = conv2d(x, w);
    // bias null is no bias.
    expect(Array.from(conv2d(x, w, { bias: null as never }).data)).toEqual(Array.from(y.data));
    expectKernelObjectsFilterAsArrays(filterImage as never);
  });
});
