// The one place for convolution shape math: option parsing and validation, padding resolution,
// output sizes and the element strides of every layout. Kernels and the reference receive only
// the resolved integers computed here.

import {
  ALGORITHMS, type Activation, type Algorithm, type Conv1dOptions, type Conv2dOptions, type Layout, type Layout1d, type TensorData,
  type WeightLayout, type WeightLayout1d, type ConvTranspose2dOptions, type WeightLayoutTranspose,
  type Conv3dOptions, type Layout3d, type WeightLayout3d,
} from './types.js';

export const LAYOUTS: readonly Layout[] = ['NCHW', 'NHWC'];
const WEIGHT_LAYOUTS: readonly WeightLayout[] = ['OIHW', 'HWIO', 'OHWI'];
export const ACTIVATIONS: readonly Activation[] = ['none', 'relu', 'relu6', 'leakyRelu', 'sigmoid', 'tanh'];
/** LeakyRelu's default slope, as ONNX and PyTorch have it. */
const DEFAULT_ALPHA = 0.01;
/** The option keys of every op, in one place (the ops registry reads them from here). */
export const OPTION_KEYS = {
  conv2d: ['layout', 'weightLayout', 'stride', 'dilation', 'padding', 'groups', 'bias', 'activation', 'alpha', 'algorithm', 'residual'],
  conv1d: ['layout', 'weightLayout', 'stride', 'dilation', 'padding', 'groups', 'bias', 'activation', 'alpha', 'algorithm'],
  conv3d: ['layout', 'weightLayout', 'stride', 'dilation', 'padding', 'groups', 'bias', 'activation', 'alpha', 'algorithm'],
  convTranspose2d: ['layout', 'weightLayout', 'stride', 'dilation', 'padding', 'outputPadding', 'groups', 'bias', 'activation', 'alpha', 'algorithm'],
  depthwiseConv2d: ['layout', 'weightLayout', 'stride', 'dilation', 'padding', 'bias', 'activation', 'alpha', 'algorithm'],
  separableConv2d: ['layout', 'weightLayout', 'stride', 'dilation', 'padding', 'bias', 'activation', 'alpha'],
  add: ['activation', 'alpha'],
  maxPool2d: ['kernel', 'stride', 'dilation', 'padding', 'layout', 'ceilMode'],
  avgPool2d: ['kernel', 'stride', 'dilation', 'padding', 'layout', 'ceilMode', 'countIncludePad'],
  globalAvgPool2d: ['layout'],
} as const satisfies Record<string, readonly string[]>;
const CONV2D_OPTION_KEYS = OPTION_KEYS.conv2d;
/** Names users bring from other libraries, mapped to ours. */
const OPTION_ALIASES: Record<string, string> = {
  strides: 'stride', pad: 'padding', pads: 'padding', dilations: 'dilation', group: 'groups',
  dataFormat: 'layout', data_format: 'layout', format: 'layout', filterFormat: 'weightLayout',
  kernelLayout: 'weightLayout', act: 'activation', fusedActivation: 'activation',
};

/** Element strides of a weight tensor, by logical axis. */
export interface WeightStrides { filter: number; channel: number; row: number; col: number }

/** Everything known from the weights and options, before an input is seen. */
export interface Conv2dFilter {
  layout: Layout;
  weightLayout: WeightLayout;
  outChannels: number;
  channelsPerGroup: number;
  groups: number;
  kernelH: number;
  kernelW: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padding: 'same' | { top: number; bottom: number; left: number; right: number };
  weightStrides: WeightStrides;
  bias: Float32Array | null;
  activation: Activation;
  /** LeakyRelu's slope (unused by the other activations). */
  alpha: number;
  algorithm: Algorithm;
}

/** A filter applied to a concrete input shape. */
export interface Conv2dGeometry extends Conv2dFilter {
  batch: number;
  inChannels: number;
  inH: number;
  inW: number;
  outH: number;
  outW: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of length ${(value as Float32Array).length}`;
  if (typeof value === 'object') return `an object (${(value as object).constructor?.name ?? 'Object'})`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** `options` as an object (undefined: {}), with no key outside `known`. */
export function checkOptions(options: unknown, known: readonly string[], fn: string): object {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${fn}: options must be an object, got ${describe(options)}`);
  }
  checkOptionKeys(options, known, fn);
  return options;
}

export function checkOptionKeys(options: object, known: readonly string[], fn: string): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    let suggestion = OPTION_ALIASES[key];
    if (suggestion === undefined || !known.includes(suggestion)) {
      const nearest = known
        .map((name) => ({ name, distance: editDistance(key.toLowerCase(), name.toLowerCase()) }))
        .sort((p, q) => p.distance - q.distance)[0];
      suggestion = nearest && nearest.distance <= 3 ? nearest.name : undefined;
    }
    throw new TypeError(
      `${fn}: unknown option '${key}'` +
        (suggestion ? `; did you mean '${suggestion}'?` : '') +
        ` Known options: ${known.join(', ')}.`,
    );
  }
}

function checkInteger(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`${name} must be an integer, got ${describe(value)}`);
  }
  if (value < min) throw new RangeError(`${name} must be >= ${min}, got ${value}`);
  return value;
}

export function checkPair(name: string, value: unknown, min: number): [number, number] {
  if (typeof value === 'number') {
    const v = checkInteger(name, value, min);
    return [v, v];
  }
  if (Array.isArray(value) && value.length === 2) {
    return [checkInteger(`${name}[0]`, value[0], min), checkInteger(`${name}[1]`, value[1], min)];
  }
  throw new TypeError(`${name} must be a number or [h, w], got ${describe(value)}`);
}

export function checkChoice<T extends string>(name: string, value: unknown, choices: readonly T[]): T {
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
  throw new (typeof value === 'string' ? RangeError : TypeError)(
    `${name} must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${describe(value)}`,
  );
}

export function resolvePadding(value: unknown): Conv2dFilter['padding'] {
  if (value === undefined || value === 'valid') return { top: 0, bottom: 0, left: 0, right: 0 };
  if (value === 'same') return 'same';
  if (typeof value === 'number' || Array.isArray(value)) {
    const [h, w] = checkPair('options.padding', value, 0);
    return { top: h, bottom: h, left: w, right: w };
  }
  if (typeof value === 'object' && value !== null) {
    const sides = value as Record<string, unknown>;
    checkOptionKeys(sides, ['top', 'bottom', 'left', 'right'], 'options.padding');
    return {
      top: checkInteger('options.padding.top', sides.top ?? 0, 0),
      bottom: checkInteger('options.padding.bottom', sides.bottom ?? 0, 0),
      left: checkInteger('options.padding.left', sides.left ?? 0, 0),
      right: checkInteger('options.padding.right', sides.right ?? 0, 0),
    };
  }
  throw new TypeError(
    `options.padding must be 'valid', 'same', a number, [h, w] or { top, bottom, left, right }, got ${describe(value)}`,
  );
}

export function resolveAlpha(value: unknown, activation: Activation): number {
  if (value === undefined) return DEFAULT_ALPHA;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`options.alpha must be a finite number, got ${describe(value)}`);
  }
  if (activation !== 'leakyRelu') {
    throw new RangeError(`options.alpha only applies to activation 'leakyRelu', got activation '${activation}'`);
  }
  return value;
}

/** Checks that `shape` lists `rank` positive integer dimensions; returns it and its size. */
function checkShape(name: string, value: unknown, rank: number, axes: string): { shape: number[]; size: number } {
  if (!Array.isArray(value)) throw new TypeError(`${name} must be an array of ${rank} dimensions ${axes}, got ${describe(value)}`);
  // A copy, read once: a Proxy or getters cannot change it between the checks and its use.
  const shape: unknown[] = Array.from(value as unknown[]);
  if (shape.length !== rank) {
    throw new RangeError(`${name} must have ${rank} dimensions ${axes}, got [${shape.join(', ')}]`);
  }
  let size = 1;
  shape.forEach((dim, axis) => {
    if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 1) {
      throw new RangeError(`${name}[${axis}] must be a positive integer, got ${describe(dim)} in ${axes}`);
    }
    size *= dim;
  });
  return { shape: shape as number[], size };
}

/** The shape of a resident tensor given as an op's input: its rank and axes checked as for `{ data, shape }`. */
export function checkTensorShape(name: string, shape: readonly number[], rank: number, axes: string): number[] {
  return checkShape(`${name}.shape`, shape, rank, axes).shape;
}

/** A shape of any rank from 1 to 8 (tensor()), copied; every dimension a positive integer. */
export function checkAnyShape(name: string, value: unknown): { shape: number[]; size: number } {
  const rank = Array.isArray(value) ? value.length : 0;
  if (Array.isArray(value) && (rank < 1 || rank > 8)) throw new RangeError(`${name} must have 1 to 8 dimensions, got [${value.join(', ')}]`);
  return checkShape(name, value, rank, '');
}

/** Checks that `value` is a `{ data: Float32Array, shape }` tensor of the given rank. */
export function checkTensor(name: string, value: unknown, rank: number, axes: string): TensorData {
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(`${name} must be a tensor { data: Float32Array, shape: number[] }, got ${describe(value)}`);
  }
  const { data, shape } = value as { data: unknown; shape: unknown };
  if (!(data instanceof Float32Array)) {
    throw new TypeError(
      `${name}.data must be a Float32Array (other arrays are not converted; use Float32Array.from), got ${describe(data)}`,
    );
  }
  const checked = checkShape(`${name}.shape`, shape, rank, axes);
  if (checked.size !== data.length) {
    throw new RangeError(`${name}.data has ${data.length} elements but ${name}.shape [${checked.shape.join(', ')}] needs ${checked.size}`);
  }
  // The snapshot every later step uses: `data` and `shape` were each read once.
  return { data, shape: checked.shape };
}

/**
 * checkTensor for weights, which must also be finite: a NaN or ±Infinity weight would meet the
 * zero padding (0 × ∞ = NaN) on some paths and not on others, so it is refused up front.
 */
export function checkWeight(value: unknown, rank: number, axes: string, name = 'weight'): TensorData {
  const tensor = checkTensor(name, value, rank, axes);
  checkFinite(`${name}.data`, tensor.data);
  return tensor;
}

function checkFinite(name: string, data: Float32Array): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new RangeError(`${name}[${i}] is ${data[i]}: weights and bias must be finite`);
  }
}

/** Dimensions of a weight tensor in a layout, and its element strides. */
function weightShapeAndStrides(layout: WeightLayout, shape: readonly number[]) {
  const [a, b, c, d] = shape as [number, number, number, number];
  switch (layout) {
    case 'OIHW':
      return { outChannels: a, channelsPerGroup: b, kernelH: c, kernelW: d, strides: { filter: b * c * d, channel: c * d, row: d, col: 1 } };
    case 'HWIO':
      return { outChannels: d, channelsPerGroup: c, kernelH: a, kernelW: b, strides: { filter: 1, channel: d, row: b * c * d, col: c * d } };
    case 'OHWI':
      return { outChannels: a, channelsPerGroup: d, kernelH: b, kernelW: c, strides: { filter: b * c * d, channel: 1, row: c * d, col: d } };
  }
}

const WEIGHT_AXES: Record<WeightLayout, string> = {
  OIHW: '[M, C/groups, kH, kW]', HWIO: '[kH, kW, C/groups, M]', OHWI: '[M, kH, kW, C/groups]',
};

/** Validates weights and options; resolves everything that does not depend on the input. */
export function resolveConv2dFilter(weight: unknown, options: unknown, fn = 'conv2d'): Conv2dFilter {
  return resolveFilter((axes) => checkWeight(weight, 4, axes).shape, options, fn);
}

/** The same from the weight's shape alone (for convInfo). */
export function resolveConv2dFilterShape(weightShape: unknown, options: unknown, fn: string): Conv2dFilter {
  return resolveFilter((axes) => checkShape('weightShape', weightShape, 4, axes).shape, options, fn);
}

function resolveFilter(weightShape: (axes: string) => readonly number[], options: unknown, fn: string): Conv2dFilter {
  options = checkOptions(options, CONV2D_OPTION_KEYS, fn);
  const o = options as Conv2dOptions;
  const layout = o.layout === undefined ? 'NCHW' : checkChoice('options.layout', o.layout, LAYOUTS);
  const weightLayout = o.weightLayout === undefined
    ? (layout === 'NCHW' ? 'OIHW' : 'HWIO')
    : checkChoice('options.weightLayout', o.weightLayout, WEIGHT_LAYOUTS);
  const shape = weightShape(`${weightLayout} ${WEIGHT_AXES[weightLayout]}`);
  const dims = weightShapeAndStrides(weightLayout, shape);
  const [strideH, strideW] = checkPair('options.stride', o.stride ?? 1, 1);
  const [dilationH, dilationW] = checkPair('options.dilation', o.dilation ?? 1, 1);
  const groups = checkInteger('options.groups', o.groups ?? 1, 1);
  if (dims.outChannels % groups !== 0) {
    throw new RangeError(
      `options.groups (${groups}) must divide the output channels M = ${dims.outChannels} of weight ${weightLayout} [${shape.join(', ')}]`,
    );
  }
  let bias: Float32Array | null = null;
  if (o.bias !== undefined && o.bias !== null) {
    if (!(o.bias instanceof Float32Array)) {
      throw new TypeError(`options.bias must be a Float32Array of length ${dims.outChannels}, got ${describe(o.bias)}`);
    }
    if (o.bias.length !== dims.outChannels) {
      throw new RangeError(`options.bias must have one value per output channel (${dims.outChannels}), got ${o.bias.length}`);
    }
    checkFinite('options.bias', o.bias);
    bias = o.bias;
  }
  const activation = o.activation === undefined ? 'none' : checkChoice('options.activation', o.activation, ACTIVATIONS);
  return {
    layout,
    weightLayout,
    outChannels: dims.outChannels,
    channelsPerGroup: dims.channelsPerGroup,
    groups,
    kernelH: dims.kernelH,
    kernelW: dims.kernelW,
    strideH,
    strideW,
    dilationH,
    dilationW,
    padding: resolvePadding(o.padding),
    weightStrides: dims.strides,
    bias,
    activation,
    alpha: resolveAlpha(o.alpha, activation),
    algorithm: o.algorithm === undefined ? 'auto' : checkChoice('options.algorithm', o.algorithm, ALGORITHMS),
  };
}

/** Output size along one axis: floor((in + pads − dilation·(k−1) − 1) / stride) + 1. */
function convOutputSize(input: number, kernel: number, stride: number, dilation: number, padBegin: number, padEnd: number): number {
  return Math.floor((input + padBegin + padEnd - dilation * (kernel - 1) - 1) / stride) + 1;
}

/** 'same' padding along one axis: output ceil(in / stride), the odd pad at the end. */
export function samePadding(input: number, kernel: number, stride: number, dilation: number): [number, number] {
  const output = Math.ceil(input / stride);
  const total = Math.max((output - 1) * stride + dilation * (kernel - 1) + 1 - input, 0);
  const begin = Math.floor(total / 2);
  return [begin, total - begin];
}

/** How an input's axes are named in error messages. */
export function inputAxes(layout: Layout): string {
  return layout === 'NCHW' ? 'NCHW [N, C, H, W]' : 'NHWC [N, H, W, C]';
}

/** Validates an input against a filter and resolves padding and output size. */
export function resolveConv2dGeometry(filter: Conv2dFilter, input: unknown): Conv2dGeometry {
  return resolveGeometry(filter, checkTensor('input', input, 4, inputAxes(filter.layout)).shape);
}

/** The same from the input's shape alone (for convInfo). */
export function resolveConv2dGeometryShape(filter: Conv2dFilter, inputShape: unknown): Conv2dGeometry {
  return resolveGeometry(filter, checkShape('inputShape', inputShape, 4, inputAxes(filter.layout)).shape);
}

function resolveGeometry(filter: Conv2dFilter, shape: readonly number[]): Conv2dGeometry {
  const axes = inputAxes(filter.layout);
  const [batch, inChannels, inH, inW] = filter.layout === 'NCHW'
    ? [shape[0]!, shape[1]!, shape[2]!, shape[3]!]
    : [shape[0]!, shape[3]!, shape[1]!, shape[2]!];
  if (inChannels !== filter.channelsPerGroup * filter.groups) {
    throw new RangeError(
      `input has ${inChannels} channels (${axes} [${shape.join(', ')}]) but the weight expects ` +
        `C/groups × groups = ${filter.channelsPerGroup} × ${filter.groups} = ${filter.channelsPerGroup * filter.groups}`,
    );
  }
  const [padTop, padBottom] = filter.padding === 'same'
    ? samePadding(inH, filter.kernelH, filter.strideH, filter.dilationH)
    : [filter.padding.top, filter.padding.bottom];
  const [padLeft, padRight] = filter.padding === 'same'
    ? samePadding(inW, filter.kernelW, filter.strideW, filter.dilationW)
    : [filter.padding.left, filter.padding.right];
  const outH = convOutputSize(inH, filter.kernelH, filter.strideH, filter.dilationH, padTop, padBottom);
  const outW = convOutputSize(inW, filter.kernelW, filter.strideW, filter.dilationW, padLeft, padRight);
  if (outH < 1 || outW < 1) {
    throw new RangeError(
      `input ${inH}×${inW} with padding (${padTop}, ${padBottom}, ${padLeft}, ${padRight}) is smaller than the ` +
        `dilated kernel ${filter.dilationH * (filter.kernelH - 1) + 1}×${filter.dilationW * (filter.kernelW - 1) + 1}: no output`,
    );
  }
  return { ...filter, batch, inChannels, inH, inW, outH, outW, padTop, padBottom, padLeft, padRight };
}

/** Output tensor shape in the geometry's layout. */
export function conv2dOutputShape(g: Conv2dGeometry): number[] {
  return g.layout === 'NCHW' ? [g.batch, g.outChannels, g.outH, g.outW] : [g.batch, g.outH, g.outW, g.outChannels];
}

/** Multiply-adds of the direct algorithm (what GFLOP/s figures count). */
export function conv2dMultiplyAdds(g: Conv2dGeometry): number {
  return g.batch * g.outChannels * g.outH * g.outW * g.channelsPerGroup * g.kernelH * g.kernelW;
}

// --- conv1d as a conv2d of height 1 ---------------------------------------------------------------

const CONV1D_OPTION_KEYS = OPTION_KEYS.conv1d;

/** conv1d's layouts and options as the conv2d of height 1 that computes it. */
export function conv1dAsConv2d(options: unknown, fn: string): { layout1d: Layout1d; options: Conv2dOptions } {
  options = checkOptions(options, CONV1D_OPTION_KEYS, fn);
  const o = options as Conv1dOptions;
  const layout1d = o.layout === undefined ? 'NCW' : checkChoice('options.layout', o.layout, ['NCW', 'NWC'] as const);
  const weightLayout1d: WeightLayout1d = o.weightLayout === undefined
    ? (layout1d === 'NCW' ? 'OIW' : 'WIO')
    : checkChoice('options.weightLayout', o.weightLayout, ['OIW', 'WIO'] as const);
  let padding: Conv2dOptions['padding'];
  if (o.padding === undefined || o.padding === 'valid' || o.padding === 'same') padding = o.padding;
  else if (typeof o.padding === 'number') {
    const p = checkInteger('options.padding', o.padding, 0);
    padding = { top: 0, bottom: 0, left: p, right: p };
  } else if (Array.isArray(o.padding) && o.padding.length === 2) {
    padding = { top: 0, bottom: 0, left: checkInteger('options.padding[0]', o.padding[0], 0), right: checkInteger('options.padding[1]', o.padding[1], 0) };
  } else {
    throw new TypeError(`options.padding must be 'valid', 'same', a number or [left, right], got ${describe(o.padding)}`);
  }
  const { layout: _layout, weightLayout: _weightLayout, stride, dilation, padding: _padding, ...rest } = o;
  return {
    layout1d,
    options: {
      ...rest,
      layout: layout1d === 'NCW' ? 'NCHW' : 'NHWC',
      weightLayout: weightLayout1d === 'OIW' ? 'OIHW' : 'HWIO',
      stride: [1, stride === undefined ? 1 : checkInteger('options.stride', stride, 1)],
      dilation: [1, dilation === undefined ? 1 : checkInteger('options.dilation', dilation, 1)],
      ...(padding === undefined ? {} : { padding }),
    },
  };
}

/** A 3-D tensor shape of conv1d as the 4-D shape of its conv2d (height 1), and back. */
export function conv1dShapeAs2d(shape: readonly number[], layout: Layout1d | WeightLayout1d): number[] {
  const [a, b, c] = shape as [number, number, number];
  switch (layout) {
    case 'NCW': // [N, C, W] → NCHW [N, C, 1, W]
    case 'OIW': // [M, C/g, kW] → OIHW [M, C/g, 1, kW]
      return [a, b, 1, c];
    case 'NWC': // [N, W, C] → NHWC [N, 1, W, C]
      return [a, 1, b, c];
    case 'WIO': // [kW, C/g, M] → HWIO [1, kW, C/g, M]
      return [1, a, b, c];
  }
}

export function conv2dShapeAs1d(shape: readonly number[], layout: Layout1d): number[] {
  const [a, b, c, d] = shape as [number, number, number, number];
  return layout === 'NCW' ? [a, b, d] : [a, c, d];
}

// --- convTranspose2d ------------------------------------------------------------------------------

const CONV_TRANSPOSE_OPTION_KEYS = OPTION_KEYS.convTranspose2d;

/** A transposed convolution's weights and options, before an input is seen. Channels: C in, M out. */
export interface ConvTranspose2dFilter {
  layout: Layout;
  weightLayout: WeightLayoutTranspose;
  inChannels: number;
  outChannels: number;
  groups: number;
  kernelH: number;
  kernelW: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  /** 'same', or the rows/columns removed from the full output. */
  padding: Conv2dFilter['padding'];
  outputPaddingH: number;
  outputPaddingW: number;
  /** Element offset of weight (input channel c, output channel m of its group, kh, kw). */
  weightIndex: (c: number, m: number, kh: number, kw: number) => number;
  bias: Float32Array | null;
  activation: Activation;
  alpha: number;
  /** The options the equivalent conv2d shares (bias, activation, alpha, algorithm). */
  conv2dOptions: Conv2dOptions;
}

/** A transposed convolution on a concrete input. */
export interface ConvTranspose2dGeometry extends ConvTranspose2dFilter {
  batch: number;
  inH: number;
  inW: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
  outH: number;
  outW: number;
}

export function resolveConvTranspose2dFilter(weight: unknown, options: unknown, fn: string): ConvTranspose2dFilter {
  options = checkOptions(options, CONV_TRANSPOSE_OPTION_KEYS, fn);
  const o = options as ConvTranspose2dOptions;
  const layout = o.layout === undefined ? 'NCHW' : checkChoice('options.layout', o.layout, LAYOUTS);
  const weightLayout = o.weightLayout === undefined
    ? (layout === 'NCHW' ? 'IOHW' : 'HWOI')
    : checkChoice('options.weightLayout', o.weightLayout, ['IOHW', 'HWOI'] as const);
  const groups = checkInteger('options.groups', o.groups ?? 1, 1);
  const w = checkWeight(weight, 4, weightLayout === 'IOHW' ? 'IOHW [C, M/groups, kH, kW]' : 'HWOI [kH, kW, M, C]');
  const [a, b, c, d] = w.shape as [number, number, number, number];
  if (weightLayout === 'HWOI' && groups !== 1) throw new RangeError(`options.groups must be 1 with weight layout 'HWOI', got ${groups}`);
  const [inChannels, filtersPerGroup, kernelH, kernelW] = weightLayout === 'IOHW' ? [a, b, c, d] : [d, c, a, b];
  const outChannels = filtersPerGroup * groups;
  if (inChannels % groups !== 0) {
    throw new RangeError(`options.groups (${groups}) must divide the weight's input channels C = ${inChannels} (${weightLayout} [${w.shape.join(', ')}])`);
  }
  const [strideH, strideW] = checkPair('options.stride', o.stride ?? 1, 1);
  const [dilationH, dilationW] = checkPair('options.dilation', o.dilation ?? 1, 1);
  const [outputPaddingH, outputPaddingW] = checkPair('options.outputPadding', o.outputPadding ?? 0, 0);
  for (const [axis, pad, stride, dilation] of [['h', outputPaddingH, strideH, dilationH], ['w', outputPaddingW, strideW, dilationW]] as const) {
    if (pad >= Math.max(stride, dilation)) {
      throw new RangeError(`options.outputPadding (${axis}: ${pad}) must be smaller than the stride or the dilation (${Math.max(stride, dilation)})`);
    }
  }
  const padding = resolvePadding(o.padding);
  if (padding === 'same' && o.outputPadding !== undefined) {
    throw new RangeError(`options.outputPadding cannot be combined with padding 'same' (which sets it)`);
  }
  const { layout: _l, weightLayout: _w, stride: _s, dilation: _d, padding: _p, outputPadding: _o, groups: _g, ...shared } = o;
  // bias, activation, alpha and algorithm are checked as conv2d's (the same rules, the same names).
  const checked = resolveConv2dFilterShape([outChannels, 1, 1, 1], shared, fn);
  const weightIndex = weightLayout === 'IOHW'
    ? (ch: number, m: number, kh: number, kw: number) => ((ch * filtersPerGroup + m) * kernelH + kh) * kernelW + kw
    : (ch: number, m: number, kh: number, kw: number) => ((kh * kernelW + kw) * outChannels + m) * inChannels + ch;
  return {
    layout, weightLayout, inChannels, outChannels, groups, kernelH, kernelW, strideH, strideW, dilationH, dilationW,
    padding, outputPaddingH, outputPaddingW, weightIndex,
    bias: checked.bias, activation: checked.activation, alpha: checked.alpha, conv2dOptions: shared,
  };
}

/**
 * Validates an input against a transposed convolution. Output size per axis:
 * (in − 1)·stride − padBegin − padEnd + dilation·(k − 1) + outputPadding + 1.
 */
/** The transposed conv's geometry for an input shape already checked as 4 positive dimensions. */
export function resolveConvTranspose2dGeometry(f: ConvTranspose2dFilter, inputShape: readonly number[]): ConvTranspose2dGeometry {
  const axes = inputAxes(f.layout);
  const x = { shape: inputShape };
  const [batch, inChannels, inH, inW] = f.layout === 'NCHW'
    ? [x.shape[0]!, x.shape[1]!, x.shape[2]!, x.shape[3]!]
    : [x.shape[0]!, x.shape[3]!, x.shape[1]!, x.shape[2]!];
  if (inChannels !== f.inChannels) {
    throw new RangeError(`input has ${inChannels} channels (${axes} [${x.shape.join(', ')}]) but the weight expects ${f.inChannels}`);
  }
  let { outputPaddingH, outputPaddingW } = f;
  let pads: [number, number, number, number];
  if (f.padding === 'same') {
    // The transpose of conv2d's 'same' on an input of size in·stride: its pads, and the output
    // padding that makes the output exactly in·stride.
    const [top, bottom] = samePadding(inH * f.strideH, f.kernelH, f.strideH, f.dilationH);
    const [left, right] = samePadding(inW * f.strideW, f.kernelW, f.strideW, f.dilationW);
    pads = [top, bottom, left, right];
    outputPaddingH = inH * f.strideH - ((inH - 1) * f.strideH - top - bottom + f.dilationH * (f.kernelH - 1) + 1);
    outputPaddingW = inW * f.strideW - ((inW - 1) * f.strideW - left - right + f.dilationW * (f.kernelW - 1) + 1);
  } else {
    pads = [f.padding.top, f.padding.bottom, f.padding.left, f.padding.right];
  }
  const [padTop, padBottom, padLeft, padRight] = pads;
  const outH = (inH - 1) * f.strideH - padTop - padBottom + f.dilationH * (f.kernelH - 1) + outputPaddingH + 1;
  const outW = (inW - 1) * f.strideW - padLeft - padRight + f.dilationW * (f.kernelW - 1) + outputPaddingW + 1;
  if (outH < 1 || outW < 1) {
    throw new RangeError(`padding (${padTop}, ${padBottom}, ${padLeft}, ${padRight}) removes the whole output of input ${inH}×${inW}: no output`);
  }
  return { ...f, batch, inH, inW, padTop, padBottom, padLeft, padRight, outputPaddingH, outputPaddingW, outH, outW };
}

// --- conv3d ---------------------------------------------------------------------------------------

const CONV3D_OPTION_KEYS = OPTION_KEYS.conv3d;

function checkTriple(name: string, value: unknown, min: number): [number, number, number] {
  if (typeof value === 'number') {
    const v = checkInteger(name, value, min);
    return [v, v, v];
  }
  if (Array.isArray(value) && value.length === 3) {
    return [checkInteger(`${name}[0]`, value[0], min), checkInteger(`${name}[1]`, value[1], min), checkInteger(`${name}[2]`, value[2], min)];
  }
  throw new TypeError(`${name} must be a number or [d, h, w], got ${describe(value)}`);
}

/** A 3-D convolution on a concrete input; channels C in, M out; axes depth, height, width. */
export interface Conv3dGeometry {
  layout: Layout3d;
  weightLayout: WeightLayout3d;
  batch: number;
  inChannels: number;
  outChannels: number;
  groups: number;
  inD: number;
  inH: number;
  inW: number;
  kernelD: number;
  kernelH: number;
  kernelW: number;
  strideD: number;
  strideH: number;
  strideW: number;
  dilationD: number;
  dilationH: number;
  dilationW: number;
  padFront: number;
  padBack: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
  outD: number;
  outH: number;
  outW: number;
  /** bias, activation, alpha and algorithm, as conv2d takes them. */
  conv2dOptions: Conv2dOptions;
}

/** conv3d's weights, options and input, validated; output size per axis as conv2d's. */
/** The axes conv3d's input has in a layout option (validated later with the rest of the options). */
export function conv3dInputAxes(layout: unknown): string {
  return layout === 'NDHWC' ? 'NDHWC [N, D, H, W, C]' : 'NCDHW [N, C, D, H, W]';
}

/** conv3d's geometry for an input shape already checked as 5 positive dimensions. */
export function resolveConv3d(inputShape: readonly number[], weight: unknown, options: unknown, fn: string): Conv3dGeometry {
  options = checkOptions(options, CONV3D_OPTION_KEYS, fn);
  const o = options as Conv3dOptions;
  const layout = o.layout === undefined ? 'NCDHW' : checkChoice('options.layout', o.layout, ['NCDHW', 'NDHWC'] as const);
  const weightLayout = o.weightLayout === undefined
    ? (layout === 'NCDHW' ? 'OIDHW' : 'DHWIO')
    : checkChoice('options.weightLayout', o.weightLayout, ['OIDHW', 'DHWIO'] as const);
  const w = checkWeight(weight, 5, weightLayout === 'OIDHW' ? 'OIDHW [M, C/groups, kD, kH, kW]' : 'DHWIO [kD, kH, kW, C/groups, M]');
  const ws = w.shape as [number, number, number, number, number];
  const [outChannels, channelsPerGroup, kernelD, kernelH, kernelW] = weightLayout === 'OIDHW'
    ? ws : [ws[4], ws[3], ws[0], ws[1], ws[2]];
  const xs = inputShape as [number, number, number, number, number];
  const [batch, inChannels, inD, inH, inW] = layout === 'NCDHW' ? xs : [xs[0], xs[4], xs[1], xs[2], xs[3]];
  const groups = checkInteger('options.groups', o.groups ?? 1, 1);
  if (outChannels % groups !== 0) throw new RangeError(`options.groups (${groups}) must divide the output channels M = ${outChannels}`);
  if (inChannels !== channelsPerGroup * groups) {
    throw new RangeError(`input has ${inChannels} channels but the weight expects C/groups × groups = ${channelsPerGroup} × ${groups}`);
  }
  const [strideD, strideH, strideW] = checkTriple('options.stride', o.stride ?? 1, 1);
  const [dilationD, dilationH, dilationW] = checkTriple('options.dilation', o.dilation ?? 1, 1);
  let pads: number[];
  const p = o.padding;
  if (p === undefined || p === 'valid') pads = [0, 0, 0, 0, 0, 0];
  else if (p === 'same') {
    pads = [
      ...samePadding(inD, kernelD, strideD, dilationD), ...samePadding(inH, kernelH, strideH, dilationH), ...samePadding(inW, kernelW, strideW, dilationW),
    ];
  } else if (typeof p === 'number' || Array.isArray(p)) {
    const [d, h, wd] = checkTriple('options.padding', p, 0);
    pads = [d, d, h, h, wd, wd];
  } else if (typeof p === 'object' && p !== null) {
    const sides = ['front', 'back', 'top', 'bottom', 'left', 'right'] as const;
    checkOptionKeys(p, sides, 'options.padding');
    pads = sides.map((side) => checkInteger(`options.padding.${side}`, (p as Record<string, unknown>)[side] ?? 0, 0));
  } else {
    throw new TypeError(`options.padding must be 'valid', 'same', a number, [d, h, w] or { front, back, top, bottom, left, right }, got ${describe(p)}`);
  }
  const [padFront, padBack, padTop, padBottom, padLeft, padRight] = pads as [number, number, number, number, number, number];
  const outD = convOutputSize(inD, kernelD, strideD, dilationD, padFront, padBack);
  const outH = convOutputSize(inH, kernelH, strideH, dilationH, padTop, padBottom);
  const outW = convOutputSize(inW, kernelW, strideW, dilationW, padLeft, padRight);
  if (outD < 1 || outH < 1 || outW < 1) {
    throw new RangeError(`input ${inD}×${inH}×${inW} with this padding is smaller than the dilated kernel: no output`);
  }
  const { layout: _l, weightLayout: _w, stride: _s, dilation: _d, padding: _p, groups: _g, ...shared } = o;
  resolveConv2dFilterShape([outChannels, 1, 1, 1], shared, fn); // bias, activation, alpha, algorithm: conv2d's rules
  return {
    layout, weightLayout, batch, inChannels, outChannels, groups, inD, inH, inW, kernelD, kernelH, kernelW,
    strideD, strideH, strideW, dilationD, dilationH, dilationW, padFront, padBack, padTop, padBottom, padLeft, padRight,
    outD, outH, outW, conv2dOptions: shared,
  };
}

/**
 * Runs `check`, naming the op in the message of a TypeError or RangeError it throws: the shared
 * checks above name only the argument, the ops between convolutions name themselves too.
 */
export function namedChecks<T>(fn: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    // Once: a check inside another named check of the same op keeps one prefix.
    if (error instanceof Error && error.message.startsWith(`${fn}:`)) throw error;
    if (error instanceof TypeError) throw new TypeError(`${fn}: ${error.message}`);
    if (error instanceof RangeError) throw new RangeError(`${fn}: ${error.message}`);
    throw error;
  }
}
