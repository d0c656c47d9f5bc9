// Tensors resident in WebAssembly memory: created once from JavaScript data (or as an op's
// output), passed from op to op by offset, and copied back only when asked (dataSync / data).
// A tensor holds an offset, never a view, so it survives memory growth. Its storage is freed by
// dispose(), or by the tidy() scope it was made in, but never while an async call still uses it.

import { getRuntime } from '../runtime.js';
import { checkAnyShape } from '../shape.js';
import type { ResidentTensor } from '../types.js';
import { READ_SLACK_BYTES, readFloats, writeFloats } from './staging.js';

interface Storage {
  ptr: number;
  disposed: boolean;
  /** Async calls queued or running on this tensor: its bytes stay until they are done. */
  holds: number;
  /** The async call that will write this tensor, if any (data() waits for it). */
  pending: Promise<unknown> | null;
}

const storages = new WeakMap<Tensor, Storage>();
/** Tensors not yet disposed. */
const live = new Set<Tensor>();
/** Open tidy() scopes, innermost last: the tensors made inside each. */
const scopes: Set<Tensor>[] = [];
const kept = new WeakSet<Tensor>();
/** Only this module constructs tensors (new Tensor() from outside throws). */
const CONSTRUCT = Symbol('simdconv tensor');

/** A float32 tensor in WebAssembly memory. Made by tensor() or by an op given tensors. */
export class Tensor implements ResidentTensor {
  /** The dimensions (a frozen copy). */
  readonly shape: readonly number[];
  /** Number of elements: the product of the shape. */
  readonly size: number;

  /** @internal */
  constructor(token: symbol, shape: readonly number[], ptr: number) {
    if (token !== CONSTRUCT) throw new TypeError('simdconv: make tensors with tensor(data, shape), not new Tensor()');
    this.shape = Object.freeze([...shape]);
    this.size = shape.reduce((a, b) => a * b, 1);
    storages.set(this, { ptr, disposed: false, holds: 0, pending: null });
    live.add(this);
    scopes[scopes.length - 1]?.add(this);
  }

  get isDisposed(): boolean {
    return storageOf(this).disposed;
  }

  /** The values, as a fresh Float32Array the caller owns. */
  dataSync(): Float32Array<ArrayBuffer> {
    return readFloats(getRuntime(), tensorPointer(this, 'tensor'), this.size);
  }

  /** The values once pending async work on this tensor is done. */
  async data(): Promise<Float32Array<ArrayBuffer>> {
    const storage = storageOf(this);
    if (storage.pending) await storage.pending.catch(() => undefined);
    return this.dataSync();
  }

  /** Frees the tensor's memory (once async calls using it are done). Calling it twice is harmless. */
  dispose(): void {
    const storage = storageOf(this);
    if (storage.disposed) return;
    storage.disposed = true;
    live.delete(this);
    for (const scope of scopes) scope.delete(this);
    if (storage.holds === 0) free(storage);
  }
}

function storageOf(t: Tensor): Storage {
  const storage = storages.get(t);
  // A Proxy of a tensor, or an object made with Object.create(Tensor.prototype).
  if (!storage) throw new TypeError('simdconv: not a tensor made by simdconv (a Proxy or a copy of one?)');
  return storage;
}

function free(storage: Storage): void {
  if (storage.ptr !== 0) getRuntime().arena.release(storage.ptr);
  storage.ptr = 0;
}

/** Whether `value` is a simdconv tensor (not a lookalike). */
export function isTensor(value: unknown): value is Tensor {
  return value instanceof Tensor && storages.has(value);
}

/** The tensor's offset in memory; throws an Error naming `name` when it is disposed. */
export function tensorPointer(t: Tensor, name: string): number {
  const storage = storageOf(t);
  if (storage.disposed) throw new Error(`simdconv: ${name} is a disposed tensor`);
  return storage.ptr;
}

/** A copy of the tensor's values; throws an Error naming `name` when it is disposed. */
export function tensorValues(t: Tensor, name: string): Float32Array<ArrayBuffer> {
  return readFloats(getRuntime(), tensorPointer(t, name), t.size);
}

/** A new tensor of this shape, its values not yet written (readable READ_SLACK_BYTES past its end). */
export function allocTensor(shape: readonly number[]): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const ptr = getRuntime().arena.alloc(size * 4 + READ_SLACK_BYTES);
  return new Tensor(CONSTRUCT, shape, ptr);
}

/**
 * Marks `t` as used by an async call: disposing it meanwhile frees it only once the returned
 * release() has been called. Throws (naming `name`) when it is already disposed.
 */
export function holdTensor(t: Tensor, name: string): () => void {
  tensorPointer(t, name);
  const storage = storageOf(t);
  storage.holds++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--storage.holds === 0 && storage.disposed) free(storage);
  };
}

/** Records the async call that writes `t`, for data(). */
export function setPendingWrite(t: Tensor, work: Promise<unknown>): void {
  const storage = storageOf(t);
  storage.pending = work;
  void work.finally(() => {
    if (storage.pending === work) storage.pending = null;
  }).catch(() => undefined);
}

/**
 * A tensor of `shape` with a copy of `data` (a Float32Array, or an array of numbers), in
 * WebAssembly memory: pass it to any op, get tensors back, read them with dataSync() or data().
 */
export function tensor(data: Float32Array | readonly number[], shape: readonly number[]): Tensor {
  getRuntime();
  const values = Array.isArray(data) ? Float32Array.from(data as number[]) : data;
  if (!(values instanceof Float32Array)) {
    throw new TypeError(`tensor: data must be a Float32Array or an array of numbers, got ${values === null ? 'null' : typeof values}`);
  }
  const checked = checkAnyShape('tensor: shape', shape);
  if (values.length !== checked.size) {
    throw new RangeError(`tensor: data has ${values.length} elements but shape [${checked.shape.join(', ')}] needs ${checked.size}`);
  }
  return tensorFrom(values, checked.shape);
}

/** Copies a validated array into a new tensor. */
function tensorFrom(data: Float32Array, shape: readonly number[]): Tensor {
  const t = allocTensor(shape);
  try {
    writeFloats(getRuntime(), tensorPointer(t, 'tensor'), data, t.size);
  } catch (error) {
    t.dispose();
    throw error;
  }
  return t;
}

/** Every tensor in a value tidy() returns: the value itself, or inside arrays and plain objects. */
function tensorsIn(value: unknown, found: Set<Tensor>, depth = 0): Set<Tensor> {
  if (isTensor(value)) found.add(value);
  else if (depth < 8 && Array.isArray(value)) for (const item of value) tensorsIn(item, found, depth + 1);
  else if (depth < 8 && value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const item of Object.values(value)) tensorsIn(item, found, depth + 1);
  }
  return found;
}

/**
 * Runs `fn` and disposes every tensor made inside it, except those it returns (in an array or
 * plain object too) and those passed to keep(). Returned tensors belong to the enclosing
 * tidy(), if any. `fn` must be synchronous, as in tfjs: async work would outlive the scope.
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new TypeError(`tidy: fn must be a function, got ${typeof fn}`);
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T | undefined;
  try {
    result = fn();
    if (result instanceof Promise) {
      void result.catch(() => undefined);
      throw new TypeError('tidy: fn returned a Promise; tidy is for synchronous work (dispose the tensors of async work yourself)');
    }
    return result;
  } finally {
    scopes.pop();
    const returned = tensorsIn(result, new Set());
    const parent = scopes[scopes.length - 1];
    for (const t of scope) {
      if (returned.has(t) && !(result instanceof Promise)) parent?.add(t);
      else if (!kept.has(t)) t.dispose();
    }
  }
}

/** Keeps `t` alive past the tidy() it was made in (dispose it yourself). Returns it. */
export function keep<T extends Tensor>(t: T): T {
  if (!isTensor(t)) throw new TypeError('keep: argument must be a simdconv tensor');
  kept.add(t);
  for (const scope of scopes) scope.delete(t);
  return t;
}

export interface MemoryInfo {
  /** Tensors not yet disposed. */
  numTensors: number;
  /** Bytes of their values. */
  numBytes: number;
  /** Size of the WebAssembly memory (it grows, never shrinks). */
  wasmBytes: number;
  /** Bytes of WebAssembly memory in use: tensors, packed weights of prepared ops, their workspaces. */
  allocatedBytes: number;
}

/** What is held in WebAssembly memory now (tf.memory()'s counterpart). */
export function memory(): MemoryInfo {
  const rt = getRuntime();
  let numBytes = 0;
  for (const t of live) numBytes += t.size * 4;
  return { numTensors: live.size, numBytes, wasmBytes: rt.memory.buffer.byteLength, allocatedBytes: rt.arena.liveBytes };
}
