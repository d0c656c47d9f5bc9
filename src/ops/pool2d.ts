// maxPool2d, avgPool2d and globalAvgPool2d with ONNX MaxPool / AveragePool / GlobalAveragePool
// semantics (opset 19), on the kernels of assembly/pool.ts. Each op: validate → geometry →
// stage the input → runPool2dInMemory on pointers → read back. The geometry is plain integers,
// so a caller holding tensors in WebAssembly memory can run the kernels without the copies.

import { preparedForm, readOptions, runOnce, type OutputFor, type PointerOp, type Prepared, type TensorInput } from '../core/prepared.js';
import { Region } from '../memory/region.js';
import { READ_SLACK_BYTES } from '../memory/staging.js';
import { getRuntime, startedPool, type Runtime } from '../runtime.js';
import {
  checkChoice, checkOptions, checkPair, describe, OPTION_KEYS, inputAxes, LAYOUTS, namedChecks, resolvePadding, samePadding,
} from '../shape.js';
import type { AvgPool2dOptions, GlobalPool2dOptions, Layout, Pool2dOptions } from '../types.js';

/** Kernel modes (assembly/pool.ts POOL_*). */
const POOL_MODES = { max: 0, avgExcludePad: 1, avgIncludePad: 2 } as const;
type PoolMode = (typeof POOL_MODES)[keyof typeof POOL_MODES];


/** The window of a pooling op, and its mode and layout: fixed when the op is made. */
interface PoolWindow {
  mode: PoolMode;
  layout: Layout;
  kernelH: number;
  kernelW: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
}

/** A pooling call resolved to integers: what the kernels take. */
export interface Pool2dGeometry extends PoolWindow {
  batch: number;
  channels: number;
  inH: number;
  inW: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
  outH: number;
  outW: number;
}

function checkKernel(value: unknown): [number, number] {
  const positive = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
  if (positive(value)) return [value, value];
  if (Array.isArray(value) && value.length === 2 && positive(value[0]) && positive(value[1])) return [value[0], value[1]];
  const shown = typeof value === 'number' ? String(value) : Array.isArray(value) && value.length === 2 ? `[${value.map(describe).join(', ')}]` : describe(value);
  const wrongValue = typeof value === 'number' || (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number'));
  throw new (wrongValue ? RangeError : TypeError)(`options.kernel must be a positive integer or [h, w], got ${shown}`);
}

function checkFlag(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new TypeError(`${name} must be a boolean, got ${describe(value)}`);
  return value;
}

/**
 * Output length along one axis. With ceilMode the last window may hang past the padding (even a
 * first window up to stride − 1 longer than the padded input, as ONNX and PyTorch compute it),
 * but one that would start in the end padding or past it is dropped.
 */
function poolOutputSize(input: number, kernel: number, stride: number, dilation: number, padBegin: number, padEnd: number, ceilMode: boolean): number {
  const span = input + padBegin + padEnd - dilation * (kernel - 1) - 1;
  if (!ceilMode) return span < 0 ? 0 : Math.floor(span / stride) + 1;
  const size = Math.ceil(span / stride) + 1;
  return (size - 1) * stride >= input + padBegin ? size - 1 : size;
}

/** A pooling op's options, validated once when it is made: everything but the input's shape. */
interface PoolSettings extends PoolWindow {
  padding: ReturnType<typeof resolvePadding>;
  ceilMode: boolean;
}

/** Validates a max or average pooling op's options. */
function resolvePoolSettings(fn: string, options: unknown, average: boolean): PoolSettings {
  if (options === undefined) throw new TypeError(`${fn}: options.kernel is required (a positive integer or [h, w])`);
  const o = checkOptions(options, average ? OPTION_KEYS.avgPool2d : OPTION_KEYS.maxPool2d, fn) as AvgPool2dOptions;
  return namedChecks(fn, () => {
    if (o.kernel === undefined) throw new TypeError('options.kernel is required (a positive integer or [h, w])');
    const [kernelH, kernelW] = checkKernel(o.kernel);
    const [strideH, strideW] = checkPair('options.stride', o.stride ?? 1, 1);
    const [dilationH, dilationW] = checkPair('options.dilation', o.dilation ?? 1, 1);
    const padding = resolvePadding(o.padding);
    const layout = o.layout === undefined ? 'NCHW' : checkChoice('options.layout', o.layout, LAYOUTS);
    const ceilMode = checkFlag('options.ceilMode', o.ceilMode);
    const includePad = checkFlag('options.countIncludePad', o.countIncludePad);
    const mode = !average ? POOL_MODES.max : includePad ? POOL_MODES.avgIncludePad : POOL_MODES.avgExcludePad;
    return { mode, layout, kernelH, kernelW, strideH, strideW, dilationH, dilationW, padding, ceilMode };
  });
}

/** The geometry of a pooling op on an input of this shape (4 positive dimensions, checked). */
function poolGeometry(s: PoolSettings, shape: readonly number[]): Pool2dGeometry {
  const { batch, channels, inH, inW } = inputDims(shape, s.layout);
  const { kernelH, kernelW, strideH, strideW, dilationH, dilationW, padding } = s;
  const [padTop, padBottom] = padding === 'same' ? samePadding(inH, kernelH, strideH, dilationH) : [padding.top, padding.bottom];
  const [padLeft, padRight] = padding === 'same' ? samePadding(inW, kernelW, strideW, dilationW) : [padding.left, padding.right];
  const outH = poolOutputSize(inH, kernelH, strideH, dilationH, padTop, padBottom, s.ceilMode);
  const outW = poolOutputSize(inW, kernelW, strideW, dilationW, padLeft, padRight, s.ceilMode);
  if (outH < 1 || outW < 1) {
    throw new RangeError(
      `input ${inH}×${inW} with padding (${padTop}, ${padBottom}, ${padLeft}, ${padRight}) is smaller than the ` +
        `dilated window ${dilationH * (kernelH - 1) + 1}×${dilationW * (kernelW - 1) + 1}: no output`,
    );
  }
  return {
    mode: s.mode, layout: s.layout, batch, channels, inH, inW, kernelH, kernelW, strideH, strideW, dilationH, dilationW,
    padTop, padBottom, padLeft, padRight, outH, outW,
  };
}

function inputDims(shape: readonly number[], layout: Layout) {
  const [n, a, b, c] = shape as [number, number, number, number];
  return layout === 'NCHW' ? { batch: n, channels: a, inH: b, inW: c } : { batch: n, channels: c, inH: a, inW: b };
}

/** globalAvgPool2d as the average pool whose one window is the whole image. */
function globalPoolGeometry(layout: Layout, shape: readonly number[]): Pool2dGeometry {
  const { batch, channels, inH, inW } = inputDims(shape, layout);
  return {
    mode: POOL_MODES.avgExcludePad, layout, batch, channels, inH, inW, kernelH: inH, kernelW: inW,
    strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padTop: 0, padBottom: 0, padLeft: 0, padRight: 0, outH: 1, outW: 1,
  };
}

/** An average whose single window is the unpadded image: the global kernels' one pass. */
function isGlobalAverage(g: Pool2dGeometry): boolean {
  return g.mode !== POOL_MODES.max && g.kernelH === g.inH && g.kernelW === g.inW && g.dilationH === 1 && g.dilationW === 1 &&
    g.padTop + g.padBottom + g.padLeft + g.padRight === 0 && g.outH === 1 && g.outW === 1;
}

/** The NCHW plane with its padding written out: large enough for every window (ceilMode ones too). */
function paddedPlane(g: Pool2dGeometry): { paddedH: number; paddedW: number } {
  return {
    paddedH: Math.max(g.inH + g.padTop + g.padBottom, (g.outH - 1) * g.strideH + g.dilationH * (g.kernelH - 1) + 1),
    paddedW: Math.max(g.inW + g.padLeft + g.padRight, (g.outW - 1) * g.strideW + g.dilationW * (g.kernelW - 1) + 1),
  };
}

/**
 * Scratch bytes of poolNCHW: the padded plane, the per-column divisors (rounded to 4), and room
 * for the gathered reads of the ragged last column group (3·strideW floats, + the read slack).
 */
function poolScratchBytes(g: Pool2dGeometry): number {
  if (g.layout === 'NHWC' || isGlobalAverage(g)) return 0;
  const { paddedH, paddedW } = paddedPlane(g);
  return (paddedH * paddedW + Math.ceil(g.outW / 4) * 4 + 3 * g.strideW) * 4 + READ_SLACK_BYTES;
}

/** Runs the kernels on an input at `inPtr` (with read slack) into `outPtr`; scratch is its own. */
export function runPool2dInMemory(rt: Runtime, g: Pool2dGeometry, inPtr: number, outPtr: number): void {
  const k = rt.kernels;
  if (isGlobalAverage(g)) {
    if (g.layout === 'NCHW') k.globalAvgPoolNCHW(inPtr, g.batch * g.channels, g.inH * g.inW, outPtr);
    else k.globalAvgPoolNHWC(inPtr, g.batch, g.inH * g.inW, g.channels, outPtr);
    return;
  }
  const window = [g.kernelH, g.kernelW, g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft, g.padBottom, g.padRight, g.outH, g.outW, g.mode] as const;
  if (g.layout === 'NHWC') {
    k.poolNHWC(inPtr, g.batch, g.inH, g.inW, g.channels, ...window, outPtr);
    return;
  }
  const scratch = new Region(true);
  try {
    const { paddedH, paddedW } = paddedPlane(g);
    k.poolNCHW(inPtr, g.batch * g.channels, g.inH, g.inW, ...window, paddedH, paddedW, scratch.ensure(rt, poolScratchBytes(g)), outPtr);
  } finally {
    scratch.free(rt);
  }
}

export function pool2dOutputShape(g: Pool2dGeometry): number[] {
  return g.layout === 'NCHW' ? [g.batch, g.channels, g.outH, g.outW] : [g.batch, g.outH, g.outW, g.channels];
}

/** A pooling op's pointer form: the geometry per input shape, the kernels on offsets. */
class PreparedPool2d implements PointerOp<Pool2dGeometry> {
  readonly inputRank = 4;
  readonly inputAxes: string;

  constructor(readonly name: string, private readonly geometry: (shape: readonly number[]) => Pool2dGeometry, layout: Layout) {
    this.inputAxes = inputAxes(layout);
  }

  plan(shape: readonly number[]): Pool2dGeometry {
    return this.geometry(shape);
  }

  outputShape(g: Pool2dGeometry): number[] {
    return pool2dOutputShape(g);
  }

  workspaceBytes(g: Pool2dGeometry): Record<string, number> {
    return { scratch: poolScratchBytes(g) };
  }

  run(g: Pool2dGeometry, input: number, output: number): void {
    startedPool()?.rest();
    runPool2dInMemory(getRuntime(), g, input, output);
  }

  /** Pooling is memory-bound: on the pool it would mostly wait for memory, so it stays here. */
  async runParallel(g: Pool2dGeometry, input: number, output: number): Promise<void> {
    this.run(g, input, output);
  }

  release(): void {}
}

function createPool(fn: string, options: unknown, average: boolean): Prepared {
  getRuntime();
  const settings = resolvePoolSettings(fn, readOptions(options), average);
  return preparedForm(new PreparedPool2d(fn, (shape) => poolGeometry(settings, shape), settings.layout));
}

function createGlobalPool(options: unknown): Prepared {
  getRuntime();
  const fn = 'globalAvgPool2d';
  const o = checkOptions(readOptions(options), OPTION_KEYS.globalAvgPool2d, fn) as GlobalPool2dOptions;
  const layout = namedChecks(fn, () => (o.layout === undefined ? 'NCHW' : checkChoice('options.layout', o.layout, LAYOUTS)));
  return preparedForm(new PreparedPool2d(fn, (shape) => globalPoolGeometry(layout, shape), layout));
}

/**
 * Max over each window (ONNX MaxPool). Padded positions never win; a window with no input
 * position (possible with dilation or padding ≥ kernel) gives −Infinity. A NaN anywhere in a
 * window gives NaN (IEEE maximum, as PyTorch; onnxruntime's result depends on its kernel path).
 */
export function maxPool2d<In extends TensorInput>(input: In, options: Pool2dOptions): OutputFor<In> {
  return namedChecks('maxPool2d', () => runOnce(createPool('maxPool2d', options, false), input));
}

/**
 * Mean over each window (ONNX AveragePool): divided by the window's real input positions, or
 * with countIncludePad by its positions inside input + explicit padding. A window with nothing
 * to count gives 0 (as onnxruntime).
 */
export function avgPool2d<In extends TensorInput>(input: In, options: AvgPool2dOptions): OutputFor<In> {
  return namedChecks('avgPool2d', () => runOnce(createPool('avgPool2d', options, true), input));
}

/** Mean over each image and channel (ONNX GlobalAveragePool): [N, C, 1, 1] or [N, 1, 1, C]. */
export function globalAvgPool2d<In extends TensorInput>(input: In, options?: GlobalPool2dOptions): OutputFor<In> {
  return namedChecks('globalAvgPool2d', () => runOnce(createGlobalPool(options), input));
}

// The async forms run on the calling thread (pooling is memory-bound: the pool would mostly
// wait); a bad argument rejects the promise, never throws.
export function maxPool2dAsync<In extends TensorInput>(input: In, options: Pool2dOptions): Promise<OutputFor<In>> {
  return new Promise((resolve) => resolve(maxPool2d(input, options)));
}

export function avgPool2dAsync<In extends TensorInput>(input: In, options: AvgPool2dOptions): Promise<OutputFor<In>> {
  return new Promise((resolve) => resolve(avgPool2d(input, options)));
}

export function globalAvgPool2dAsync<In extends TensorInput>(input: In, options?: GlobalPool2dOptions): Promise<OutputFor<In>> {
  return new Promise((resolve) => resolve(globalAvgPool2d(input, options)));
}
