// The reference's own reading of the documented semantics (README "Conventions": output sizes,
// 'same' padding, layouts, activations). Written apart from src/shape.ts on purpose: the
// reference is the oracle the fast path is tested against, so a mistake in the fast path's
// shape math must not move the reference with it. It imports nothing from src/ but types.

import type { Activation } from '../types.js';

/** LeakyRelu's slope below zero when `alpha` is not given: 0.01, as in ONNX and PyTorch. */
export const LEAKY_RELU_DEFAULT_SLOPE = 0.01;

const ACTIVATION_NAMES: readonly Activation[] = ['none', 'relu', 'relu6', 'leakyRelu', 'sigmoid', 'tanh'];
const ALGORITHM_NAMES = ['auto', 'gemm', 'direct', 'depthwise', 'winograd'];

/** The activation's definition, in float64. A NaN stays NaN; relu of −0 is +0 (IEEE max). */
export function activate(value: number, activation: Activation, slope: number): number {
  if (activation === 'relu') return value <= 0 ? 0 : value;
  if (activation === 'relu6') return value <= 0 ? 0 : value > 6 ? 6 : value;
  if (activation === 'leakyRelu') return value < 0 ? value * slope : value;
  if (activation === 'sigmoid') return 1 / (1 + Math.exp(-value));
  if (activation === 'tanh') return Math.tanh(value);
  return value;
}

/**
 * Output length along one axis: the positions where the dilated kernel, its taps `dilation`
 * apart (extent dilation·(k−1)+1), fits inside the padded input, stepping by `stride`.
 */
export function convOutputLength(input: number, kernel: number, stride: number, dilation: number, padBegin: number, padEnd: number): number {
  const extent = dilation * (kernel - 1) + 1;
  const room = input + padBegin + padEnd - extent;
  return room < 0 ? 0 : Math.floor(room / stride) + 1;
}

/**
 * 'same' padding along one axis (TensorFlow SAME, ONNX SAME_UPPER): the output has
 * ceil(input / stride) positions; the pad that needs is split in two with the odd one at the end.
 */
export function samePads(input: number, kernel: number, stride: number, dilation: number): [begin: number, end: number] {
  const outputs = Math.ceil(input / stride);
  const extent = dilation * (kernel - 1) + 1;
  const needed = (outputs - 1) * stride + extent - input;
  if (needed <= 0) return [0, 0];
  const end = Math.ceil(needed / 2);
  return [needed - end, end];
}

// --- argument checks: enough to refuse what the semantics do not define ---------------------

function shown(value: unknown): string {
  if (Array.isArray(value)) return `[${value.join(', ')}]`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  return typeof value === 'string' ? `'${value}'` : String(value);
}

/** `options` as a plain object with no key outside `known`. */
export function readOptions(fn: string, options: unknown, known: readonly string[]): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new TypeError(`${fn}: options must be an object, got ${shown(options)}`);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new TypeError(`${fn}: unknown option '${key}'; known: ${known.join(', ')}`);
  }
  return options as Record<string, unknown>;
}

export function integer(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new TypeError(`${name} must be an integer, got ${shown(value)}`);
  if (value < min) throw new RangeError(`${name} must be >= ${min}, got ${value}`);
  return value;
}

/** A number for every axis, or one integer per axis. */
export function perAxis(name: string, value: unknown, axes: number, min: number, fallback: number): number[] {
  if (value === undefined) return new Array<number>(axes).fill(fallback);
  if (typeof value === 'number') return new Array<number>(axes).fill(integer(name, value, min));
  if (Array.isArray(value) && value.length === axes) return value.map((v, i) => integer(`${name}[${i}]`, v, min));
  throw new TypeError(`${name} must be a number or ${axes} numbers, got ${shown(value)}`);
}

export function oneOf<T extends string>(name: string, value: unknown, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
  throw new (typeof value === 'string' ? RangeError : TypeError)(`${name} must be one of ${choices.join(', ')}, got ${shown(value)}`);
}

/** A `{ data: Float32Array, shape }` of `rank` positive dimensions whose product is data.length. */
export function readTensor(name: string, value: unknown, rank: number): { data: Float32Array; shape: number[] } {
  if (typeof value !== 'object' || value === null) throw new TypeError(`${name} must be { data: Float32Array, shape }, got ${shown(value)}`);
  const { data, shape } = value as { data: unknown; shape: unknown };
  if (!(data instanceof Float32Array)) throw new TypeError(`${name}.data must be a Float32Array, got ${shown(data)}`);
  if (!Array.isArray(shape) || shape.length !== rank) throw new RangeError(`${name}.shape must list ${rank} dimensions, got ${shown(shape)}`);
  const dims = shape.map((d, i) => integer(`${name}.shape[${i}]`, d, 1));
  if (dims.reduce((a, b) => a * b, 1) !== data.length) throw new RangeError(`${name}.data has ${data.length} values, ${name}.shape ${shown(dims)} needs their product`);
  return { data, shape: dims };
}

/** The options every convolution takes. */
const CONV_KEYS = ['layout', 'weightLayout', 'stride', 'dilation', 'padding', 'groups', 'bias', 'activation', 'alpha', 'algorithm'];

/** What a convolution's layouts are called, and which weight layout goes with each input layout by default. */
export interface LayoutNames<L extends string, W extends string> {
  rank: number;
  layouts: readonly [L, L];
  weightLayouts: readonly W[];
  defaultWeightLayouts: readonly [W, W];
  extraKeys?: readonly string[];
}

/** The arguments every convolution reads first: its options, layouts, input, weight and groups. */
export function readConvCall<L extends string, W extends string>(fn: string, input: unknown, weight: unknown, options: unknown, names: LayoutNames<L, W>) {
  const o = readOptions(fn, options, [...CONV_KEYS, ...(names.extraKeys ?? [])]);
  const layout = oneOf('options.layout', o.layout, names.layouts, names.layouts[0]);
  const weightLayout = oneOf('options.weightLayout', o.weightLayout, names.weightLayouts, names.defaultWeightLayouts[names.layouts.indexOf(layout)]!);
  const x = readTensor('input', input, names.rank);
  const w = readTensor('weight', weight, names.rank);
  const groups = integer('options.groups', o.groups ?? 1, 1);
  return { o, layout, weightLayout, x, w, groups };
}

/** bias, activation, alpha (and the ignored algorithm) as every convolution takes them. */
export interface OutputStage {
  bias: Float32Array | null;
  activation: Activation;
  slope: number;
}

export function readOutputStage(o: Record<string, unknown>, outChannels: number): OutputStage {
  let bias: Float32Array | null = null;
  if (o.bias !== undefined && o.bias !== null) {
    if (!(o.bias instanceof Float32Array)) throw new TypeError(`options.bias must be a Float32Array, got ${shown(o.bias)}`);
    if (o.bias.length !== outChannels) throw new RangeError(`options.bias must have ${outChannels} values (one per output channel), got ${o.bias.length}`);
    bias = o.bias;
  }
  const { activation, slope } = readActivation(o);
  oneOf('options.algorithm', o.algorithm, ALGORITHM_NAMES, 'auto'); // a fast-path choice: same result
  return { bias, activation, slope };
}

/** `activation` (default 'none') and its slope `alpha` (leakyRelu only, default 0.01). */
export function readActivation(o: Record<string, unknown>): { activation: Activation; slope: number } {
  const activation = oneOf('options.activation', o.activation, ACTIVATION_NAMES, 'none');
  if (o.alpha === undefined) return { activation, slope: LEAKY_RELU_DEFAULT_SLOPE };
  if (typeof o.alpha !== 'number' || !Number.isFinite(o.alpha)) throw new TypeError(`options.alpha must be a finite number, got ${shown(o.alpha)}`);
  if (activation !== 'leakyRelu') throw new RangeError(`options.alpha only applies to activation 'leakyRelu'`);
  return { activation, slope: o.alpha };
}

/** Σ (float64) + bias, through the activation, rounded to float32 by the caller's array. */
export function finish(sum: number, channel: number, stage: OutputStage): number {
  return activate(sum + (stage.bias ? stage.bias[channel]! : 0), stage.activation, stage.slope);
}

/**
 * Explicit padding of `axes` spatial axes (begin and end per axis) from the forms conv2d takes:
 * a number (every side), one number per axis (both ends), or an object naming every side.
 * 'same' is resolved by the caller, per input.
 */
export function readPadding(value: unknown, sides: readonly string[]): 'same' | number[] {
  const axes = sides.length / 2;
  if (value === undefined || value === 'valid') return new Array<number>(sides.length).fill(0);
  if (value === 'same') return 'same';
  if (typeof value === 'number' || Array.isArray(value)) return perAxis('options.padding', value, axes, 0, 0).flatMap((p) => [p, p]);
  if (typeof value === 'object' && value !== null) {
    const given = readOptions('options.padding', value, sides);
    return sides.map((side) => integer(`options.padding.${side}`, given[side] ?? 0, 0));
  }
  throw new TypeError(`options.padding must be 'valid', 'same', a number, one per axis or { ${sides.join(', ')} }, got ${shown(value)}`);
}

/** Pads [begin, end] of every axis for an input, 'same' resolved. */
export function resolvePads(padding: 'same' | number[], inputs: number[], kernels: number[], strides: number[], dilations: number[]): number[] {
  if (padding !== 'same') return padding;
  return inputs.flatMap((size, axis) => samePads(size, kernels[axis]!, strides[axis]!, dilations[axis]!));
}

/** Output lengths per axis; a RangeError when any is empty. */
export function outputLengths(inputs: number[], kernels: number[], strides: number[], dilations: number[], pads: number[]): number[] {
  const lengths = inputs.map((size, axis) => convOutputLength(size, kernels[axis]!, strides[axis]!, dilations[axis]!, pads[2 * axis]!, pads[2 * axis + 1]!));
  if (lengths.some((n) => n < 1)) throw new RangeError(`input ${inputs.join('×')} with pads ${pads.join(', ')} is smaller than the dilated kernel: no output`);
  return lengths;
}
