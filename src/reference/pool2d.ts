// Plain TypeScript max, average and global average pooling: the oracle of the fast path
// (src/ops/pool2d.ts). The textbook loop over every window tap, with its own reading of the
// ONNX semantics: output sizes (with ceilMode), which taps are real input, what the average
// divides by. Averages accumulate in float64; the max is exact (Math.max: NaN wins, +0 > −0).

import type { AvgPool2dOptions, GlobalPool2dOptions, Layout, Pool2dOptions, TensorData } from '../types.js';
import { activationSteps } from './conv2d.js';
import { oneOf, perAxis, readOptions, readPadding, readTensor, resolvePads } from './semantics.js';

const POOL_KEYS = ['kernel', 'stride', 'dilation', 'padding', 'layout', 'ceilMode'];

/**
 * Windows along one axis: window o starts at o·stride − padBegin. Floor: the last window ends
 * inside the padded input. Ceil: the last may hang past it (by up to stride − 1 positions),
 * unless it would start at or past the input's end (ONNX drops that one window).
 */
function windowCount(input: number, kernel: number, stride: number, dilation: number, padBegin: number, padEnd: number, ceilMode: boolean): number {
  const room = input + padBegin + padEnd - (dilation * (kernel - 1) + 1);
  if (!ceilMode) return room < 0 ? 0 : Math.floor(room / stride) + 1;
  const last = Math.ceil(room / stride);
  if (last < 0) return 0;
  return last * stride - padBegin >= input ? last : last + 1;
}

function flag(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new TypeError(`${name} must be a boolean, got ${String(value)}`);
  return value;
}

interface Window {
  layout: Layout;
  x: TensorData;
  dims: { N: number; C: number; H: number; W: number };
  kernel: number[];
  stride: number[];
  dilation: number[];
  /** top, bottom, left, right */
  pads: number[];
  out: number[];
}

function readPoolCall(fn: string, input: unknown, options: unknown, keys: string[]): Window & { o: Record<string, unknown> } {
  if (options === undefined) throw new TypeError(`${fn}: options.kernel is required`);
  const o = readOptions(fn, options, keys);
  if (o.kernel === undefined) throw new TypeError(`${fn}: options.kernel is required`);
  const kernel = perAxis('options.kernel', o.kernel, 2, 1, 1);
  const stride = perAxis('options.stride', o.stride, 2, 1, 1);
  const dilation = perAxis('options.dilation', o.dilation, 2, 1, 1);
  const padding = readPadding(o.padding, ['top', 'bottom', 'left', 'right']);
  const layout = oneOf('options.layout', o.layout, ['NCHW', 'NHWC'] as const, 'NCHW');
  const ceilMode = flag('options.ceilMode', o.ceilMode);
  const x = readTensor('input', input, 4);
  const [n, a, b, c] = x.shape as [number, number, number, number];
  const dims = layout === 'NCHW' ? { N: n, C: a, H: b, W: c } : { N: n, C: c, H: a, W: b };
  const pads = resolvePads(padding, [dims.H, dims.W], kernel, stride, dilation);
  const out = [0, 1].map((axis) => windowCount([dims.H, dims.W][axis]!, kernel[axis]!, stride[axis]!, dilation[axis]!, pads[2 * axis]!, pads[2 * axis + 1]!, ceilMode));
  if (out.some((size) => size < 1)) throw new RangeError(`${fn}: input ${dims.H}×${dims.W} with pads ${pads.join(', ')} is smaller than the dilated window: no output`);
  return { o, layout, x, dims, kernel, stride, dilation, pads, out };
}

/**
 * Visits every output element with the values of its window's real input taps, and the taps
 * inside input + explicit padding; `reduce` gives the output value.
 */
function poolWindows(w: Window, reduce: (values: number[], paddedTaps: number) => number): TensorData {
  const { N, C, H, W } = w.dims;
  const [outH, outW] = w.out as [number, number];
  const [padTop, padBottom, padLeft, padRight] = w.pads as [number, number, number, number];
  const xs = activationSteps(w.layout, C, H, W);
  const ys = activationSteps(w.layout, C, outH, outW);
  const y = new Float32Array(N * C * outH * outW);
  const values: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      for (let oh = 0; oh < outH; oh++) {
        for (let ow = 0; ow < outW; ow++) {
          values.length = 0;
          let paddedTaps = 0;
          for (let kh = 0; kh < w.kernel[0]!; kh++) {
            const ih = oh * w.stride[0]! - padTop + kh * w.dilation[0]!;
            for (let kw = 0; kw < w.kernel[1]!; kw++) {
              const iw = ow * w.stride[1]! - padLeft + kw * w.dilation[1]!;
              if (ih >= -padTop && ih < H + padBottom && iw >= -padLeft && iw < W + padRight) paddedTaps++;
              if (ih >= 0 && ih < H && iw >= 0 && iw < W) values.push(w.x.data[n * xs.n + c * xs.c + ih * xs.row + iw * xs.col]!);
            }
          }
          y[n * ys.n + c * ys.c + oh * ys.row + ow * ys.col] = reduce(values, paddedTaps);
        }
      }
    }
  }
  return { data: y, shape: w.layout === 'NCHW' ? [N, C, outH, outW] : [N, outH, outW, C] };
}

/** float64 mean; a window with nothing to count is 0 (onnxruntime's choice). */
function mean(values: number[], divisor: number): number {
  return divisor === 0 ? 0 : values.reduce((sum, v) => sum + v, 0) / divisor;
}

export function maxPool2d(input: TensorData, options: Pool2dOptions): TensorData {
  const w = readPoolCall('reference.maxPool2d', input, options, POOL_KEYS);
  return poolWindows(w, (values) => values.reduce((m, v) => Math.max(m, v), -Infinity));
}

export function avgPool2d(input: TensorData, options: AvgPool2dOptions): TensorData {
  const w = readPoolCall('reference.avgPool2d', input, options, [...POOL_KEYS, 'countIncludePad']);
  const includePad = flag('options.countIncludePad', w.o.countIncludePad);
  return poolWindows(w, (values, paddedTaps) => mean(values, includePad ? paddedTaps : values.length));
}

export function globalAvgPool2d(input: TensorData, options: GlobalPool2dOptions = {}): TensorData {
  const o = readOptions('reference.globalAvgPool2d', options, ['layout']);
  const layout = oneOf('options.layout', o.layout, ['NCHW', 'NHWC'] as const, 'NCHW');
  const x = readTensor('input', input, 4);
  const [n, a, b, c] = x.shape as [number, number, number, number];
  const [H, W] = layout === 'NCHW' ? [b, c] : [a, b];
  const window: Window = {
    layout, x, dims: layout === 'NCHW' ? { N: n, C: a, H, W } : { N: n, C: c, H, W },
    kernel: [H, W], stride: [1, 1], dilation: [1, 1], pads: [0, 0, 0, 0], out: [1, 1],
  };
  return poolWindows(window, (values) => mean(values, values.length));
}
