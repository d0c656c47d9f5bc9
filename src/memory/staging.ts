// The only code that moves data between JavaScript arrays and WebAssembly memory.

import type { Runtime } from '../runtime.js';

/**
 * Bytes past the end of every input a kernel reads: vector kernels may read (never use) a few
 * lanes past the last element, so every input buffer is allocated this much longer.
 */
export const READ_SLACK_BYTES = 64;

/**
 * A Float32Array view of `length` floats at `ptr`. Views detach when memory grows: take one
 * right before use, after every allocation.
 */
export function floatView(rt: Runtime, ptr: number, length: number): Float32Array {
  return new Float32Array(rt.memory.buffer, ptr, length);
}

/** Copies `data` into a new region; the caller releases it. */
export function allocCopy(rt: Runtime, data: Float32Array, padToFloats = data.length): number {
  const ptr = rt.arena.alloc(padToFloats * 4, true);
  const view = floatView(rt, ptr, padToFloats);
  view.set(data);
  view.fill(0, data.length);
  return ptr;
}

/**
 * Copies `data` to `ptr`, which holds `length` floats (default data.length). The length is
 * checked on the same read as the copy: an array that shrank or grew since it was validated (a
 * resizable buffer) is refused, never written past the allocation.
 */
export function writeFloats(rt: Runtime, ptr: number, data: Float32Array, length = data.length): void {
  const view = floatView(rt, ptr, length);
  if (data.length !== length) throw new RangeError(`simdconv: the data changed length from ${length} to ${data.length} during the call`);
  view.set(data);
}

/** `length` floats at `ptr` as a fresh array the caller owns: a view would alias memory the next call reuses. */
export function readFloats(rt: Runtime, ptr: number, length: number): Float32Array<ArrayBuffer> {
  // The copying constructor: 20–25% faster than allocating (zero-filled) and then set() for a
  // 4 MB result, and its buffer is a plain ArrayBuffer even over shared memory.
  return new Float32Array(floatView(rt, ptr, length));
}

/** Copies RGBA bytes to `ptr`. */
export function writeBytes(rt: Runtime, ptr: number, data: Uint8Array | Uint8ClampedArray): void {
  new Uint8Array(rt.memory.buffer, ptr, data.length).set(data);
}

/** `length` bytes at `ptr` as a fresh array the caller owns. */
export function readBytes(rt: Runtime, ptr: number, length: number): Uint8ClampedArray<ArrayBuffer> {
  const data = new Uint8ClampedArray(length);
  data.set(new Uint8Array(rt.memory.buffer, ptr, length));
  return data;
}

/** Zeros `bytes` bytes at `ptr`. */
export function zeroBytes(rt: Runtime, ptr: number, bytes: number): void {
  new Uint8Array(rt.memory.buffer, ptr, bytes).fill(0);
}

/** Where a path's zero-bordered input layout puts an image's rows (ConvAlgorithm.paddedInput). */
export interface PaddedLayout {
  channelsLast: boolean;
  batch: number;
  channels: number;
  rows: number;
  cols: number;
  padTop: number;
  padLeft: number;
  /** The bordered image: rows of `width` pixels, `bytes` apart per batch image. */
  height: number;
  width: number;
  bytes: number;
}

/**
 * Copies NCHW / NHWC `data` into the zero-bordered layout at `ptr`, row by row: the copy-in
 * and the padding pass in one. Only the interior is written; the borders are the caller's zeros
 * (written once per allocation). `data.length` is checked against the layout on this read.
 */
export function writePadded(rt: Runtime, ptr: number, data: Float32Array, l: PaddedLayout): void {
  const length = l.batch * l.channels * l.rows * l.cols;
  if (data.length !== length) throw new RangeError(`simdconv: the data changed length from ${length} to ${data.length} during the call`);
  const view = new Float32Array(rt.memory.buffer, ptr, (l.batch * l.bytes) / 4);
  const imageFloats = l.bytes / 4;
  if (l.channelsLast) {
    const row = l.cols * l.channels;
    for (let n = 0; n < l.batch; n++)
      for (let r = 0; r < l.rows; r++) {
        const from = (n * l.rows + r) * row;
        view.set(data.subarray(from, from + row), n * imageFloats + ((l.padTop + r) * l.width + l.padLeft) * l.channels);
      }
    return;
  }
  const plane = l.height * l.width;
  for (let n = 0; n < l.batch; n++)
    for (let c = 0; c < l.channels; c++)
      for (let r = 0; r < l.rows; r++) {
        const from = ((n * l.channels + c) * l.rows + r) * l.cols;
        view.set(data.subarray(from, from + l.cols), n * imageFloats + c * plane + (l.padTop + r) * l.width + l.padLeft);
      }
}
