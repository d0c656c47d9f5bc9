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
  const data = new Float32Array(length);
  data.set(floatView(rt, ptr, length));
  return data;
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
