// simdconv/reference refuses what its semantics do not define, with the error type the library
// uses (TypeError: wrong type; RangeError: wrong value) and a message naming the argument. The
// oracle must not quietly compute something for a call the fast path refuses.
import { describe, expect, it } from 'vitest';
import { conv1d, conv2d, conv3d, convTranspose2d, filterImage } from 'simdconv/reference';

const tensor = (shape: number[]) => ({ data: new Float32Array(shape.reduce((a, b) => a * b, 1)), shape });
const x4 = tensor([1, 2, 5, 5]);
const w4 = tensor([3, 2, 3, 3]);
const image = { data: new Uint8ClampedArray(4 * 4 * 4), width: 4, height: 4 };

type Case = [label: string, call: () => unknown, error: typeof TypeError | typeof RangeError, names: RegExp];
const CASES: Case[] = [
  ['options not an object', () => conv2d(x4, w4, 3 as never), TypeError, /options/],
  ['unknown option', () => conv2d(x4, w4, { strides: 2 } as never), TypeError, /strides/],
  ['input not a tensor', () => conv2d(null as never, w4), TypeError, /input/],
  ['input data not Float32Array', () => conv2d({ data: [0] as never, shape: [1, 1, 1, 1] }, w4), TypeError, /input\.data/],
  ['input of rank 3', () => conv2d(tensor([2, 5, 5]), w4), RangeError, /input\.shape/],
  ['input dimension 0', () => conv2d({ data: new Float32Array(0), shape: [1, 2, 0, 5] }, w4), RangeError, /input\.shape\[2\]/],
  ['input dimension not an integer', () => conv2d({ data: new Float32Array(5), shape: [1, 1, 2.5, 2] }, w4), TypeError, /input\.shape\[2\]/],
  ['data length not the product', () => conv2d({ data: new Float32Array(49), shape: [1, 2, 5, 5] }, w4), RangeError, /input\.data/],
  ['weight data not Float32Array', () => conv2d(x4, { data: new Float64Array(54) as never, shape: [3, 2, 3, 3] }), TypeError, /weight\.data/],
  ['bad layout string', () => conv2d(x4, w4, { layout: 'NWHC' as never }), RangeError, /options\.layout/],
  ['layout not a string', () => conv2d(x4, w4, { layout: 1 as never }), TypeError, /options\.layout/],
  ['bad weight layout', () => conv2d(x4, w4, { weightLayout: 'IOHW' as never }), RangeError, /options\.weightLayout/],
  ['stride 0', () => conv2d(x4, w4, { stride: 0 }), RangeError, /options\.stride/],
  ['stride 1.5', () => conv2d(x4, w4, { stride: 1.5 }), TypeError, /options\.stride/],
  ['stride of three numbers', () => conv2d(x4, w4, { stride: [1, 1, 1] as never }), TypeError, /options\.stride/],
  ['stride[1] 0', () => conv2d(x4, w4, { stride: [1, 0] }), RangeError, /options\.stride\[1\]/],
  ['dilation 0', () => conv2d(x4, w4, { dilation: 0 }), RangeError, /options\.dilation/],
  ['negative padding', () => conv2d(x4, w4, { padding: -1 }), RangeError, /options\.padding/],
  ['padding of a bad string', () => conv2d(x4, w4, { padding: 'full' as never }), TypeError, /options\.padding/],
  ['padding side unknown', () => conv2d(x4, w4, { padding: { top: 1, front: 1 } as never }), TypeError, /front/],
  ['padding side negative', () => conv2d(x4, w4, { padding: { left: -2 } as never }), RangeError, /options\.padding\.left/],
  ['groups 0', () => conv2d(x4, w4, { groups: 0 }), RangeError, /options\.groups/],
  ['groups that do not divide', () => conv2d(x4, w4, { groups: 2 }), RangeError, /groups/],
  ['channels that do not match', () => conv2d(tensor([1, 3, 5, 5]), w4), RangeError, /channels/],
  ['bias not Float32Array', () => conv2d(x4, w4, { bias: [1, 2, 3] as never }), TypeError, /options\.bias/],
  ['bias of the wrong length', () => conv2d(x4, w4, { bias: new Float32Array(2) }), RangeError, /options\.bias/],
  ['unknown activation', () => conv2d(x4, w4, { activation: 'gelu' as never }), RangeError, /options\.activation/],
  ['alpha not a number', () => conv2d(x4, w4, { activation: 'leakyRelu', alpha: '0.1' as never }), TypeError, /options\.alpha/],
  ['alpha not finite', () => conv2d(x4, w4, { activation: 'leakyRelu', alpha: Infinity }), TypeError, /options\.alpha/],
  ['alpha without leakyRelu', () => conv2d(x4, w4, { activation: 'relu', alpha: 0.1 }), RangeError, /options\.alpha/],
  ['unknown algorithm', () => conv2d(x4, w4, { algorithm: 'fft' as never }), RangeError, /options\.algorithm/],
  ['kernel larger than the input', () => conv2d(tensor([1, 2, 2, 2]), w4), RangeError, /no output/],
  ['dilated kernel larger than the input', () => conv2d(x4, w4, { dilation: 3 }), RangeError, /no output/],
  ['conv1d: bad layout', () => conv1d(tensor([1, 2, 5]), tensor([3, 2, 3]), { layout: 'NCHW' as never }), RangeError, /options\.layout/],
  ['conv1d: stride 0', () => conv1d(tensor([1, 2, 5]), tensor([3, 2, 3]), { stride: 0 }), RangeError, /options\.stride/],
  ['conv1d: dilation 1.5', () => conv1d(tensor([1, 2, 5]), tensor([3, 2, 3]), { dilation: 1.5 }), TypeError, /options\.dilation/],
  ['conv1d: padding object', () => conv1d(tensor([1, 2, 5]), tensor([3, 2, 3]), { padding: { left: 1 } as never }), TypeError, /options\.padding/],
  ['conv1d: padding[1] negative', () => conv1d(tensor([1, 2, 5]), tensor([3, 2, 3]), { padding: [0, -1] }), RangeError, /options\.padding\[1\]/],
  ['conv1d: groups that do not divide', () => conv1d(tensor([1, 2, 5]), tensor([3, 1, 3]), { groups: 2 }), RangeError, /groups/],
  ['conv1d: no output', () => conv1d(tensor([1, 2, 2]), tensor([3, 2, 3])), RangeError, /no output/],
  ['conv3d: rank 4 input', () => conv3d(tensor([1, 2, 4, 4]), tensor([3, 2, 1, 1, 1])), RangeError, /input\.shape/],
  ['conv3d: stride of two', () => conv3d(tensor([1, 2, 4, 4, 4]), tensor([3, 2, 1, 1, 1]), { stride: [1, 1] as never }), TypeError, /options\.stride/],
  ['conv3d: padding side unknown', () => conv3d(tensor([1, 2, 4, 4, 4]), tensor([3, 2, 1, 1, 1]), { padding: { top: 1, up: 1 } as never }), TypeError, /up/],
  ['conv3d: channels that do not match', () => conv3d(tensor([1, 4, 4, 4, 4]), tensor([3, 2, 1, 1, 1])), RangeError, /channels/],
  ['conv3d: no output', () => conv3d(tensor([1, 2, 2, 4, 4]), tensor([3, 2, 3, 1, 1])), RangeError, /no output/],
  ['convTranspose2d: HWOI with groups', () => convTranspose2d(tensor([1, 5, 5, 2]), tensor([3, 3, 2, 2]), { layout: 'NHWC', groups: 2 }), RangeError, /options\.groups/],
  ['convTranspose2d: channels that do not match', () => convTranspose2d(tensor([1, 3, 5, 5]), tensor([2, 2, 3, 3])), RangeError, /channels/],
  ['convTranspose2d: output padding as large as the stride', () => convTranspose2d(tensor([1, 2, 5, 5]), tensor([2, 2, 3, 3]), { stride: 2, outputPadding: 2 }), RangeError, /options\.outputPadding/],
  ['convTranspose2d: output padding with same', () => convTranspose2d(tensor([1, 2, 5, 5]), tensor([2, 2, 3, 3]), { stride: 2, padding: 'same', outputPadding: 1 }), RangeError, /options\.outputPadding/],
  ['convTranspose2d: padding removes everything', () => convTranspose2d(tensor([1, 2, 1, 1]), tensor([2, 2, 3, 3]), { padding: 2 }), RangeError, /no output/],
  ['filterImage: no image', () => filterImage(null as never, 'box'), TypeError, /image/],
  ['filterImage: float pixels', () => filterImage({ ...image, data: new Float32Array(64) as never }, 'box'), TypeError, /image\.data/],
  ['filterImage: width 0', () => filterImage({ ...image, width: 0 }, 'box'), RangeError, /image\.width/],
  ['filterImage: too few bytes', () => filterImage({ ...image, data: new Uint8ClampedArray(60) }, 'box'), RangeError, /image\.data/],
  ['filterImage: unknown preset', () => filterImage(image, 'blur' as never), RangeError, /kernel/],
  ['filterImage: box size 0', () => filterImage(image, 'box', { size: 0 }), RangeError, /options\.size/],
  ['filterImage: box size 2.5', () => filterImage(image, 'box', { size: 2.5 }), RangeError, /options\.size/],
  ['filterImage: sigma 0', () => filterImage(image, 'gaussian', { sigma: 0 }), RangeError, /options\.sigma/],
  ['filterImage: sigma Infinity', () => filterImage(image, 'gaussian', { sigma: Infinity }), RangeError, /options\.sigma/],
  ['filterImage: ragged rows', () => filterImage(image, [[1, 2], [3]]), TypeError, /kernel/],
  ['filterImage: empty kernel', () => filterImage(image, []), TypeError, /kernel/],
  ['filterImage: a NaN tap', () => filterImage(image, [[1, NaN]]), TypeError, /kernel/],
  ['filterImage: { data } of the wrong size', () => filterImage(image, { data: [1, 2, 3], width: 2, height: 2 }), TypeError, /kernel/],
  ['filterImage: kernel a number', () => filterImage(image, 3 as never), TypeError, /kernel/],
  ['filterImage: bad edge', () => filterImage(image, 'box', { edge: 'mirror' as never }), RangeError, /options\.edge/],
  ['filterImage: bad channels', () => filterImage(image, 'box', { channels: 'bgr' as never }), RangeError, /options\.channels/],
  ['filterImage: bias not finite', () => filterImage(image, 'box', { bias: NaN }), TypeError, /options\.bias/],
  ['filterImage: unknown option', () => filterImage(image, 'box', { sigmas: 1 } as never), TypeError, /sigmas/],
];

describe('simdconv/reference: bad arguments', () => {
  for (const [label, call, error, names] of CASES) {
    it(label, () => {
      let thrown: unknown;
      try {
        call();
      } catch (e) {
        thrown = e;
      }
      expect(thrown, `${label}: nothing thrown`).toBeInstanceOf(error);
      expect((thrown as Error).message).toMatch(names);
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
  });
});
