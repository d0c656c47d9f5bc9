/// <reference types="node" />
// A minimal ONNX model writer for the benchmark's ONNX Runtime peer and the peer-oracle tests:
// any graph of float tensors with attribute-carrying nodes and initializers (encodeOnnxModel),
// and the single Conv or ConvTranspose model of any spatial rank (NCW, NCHW, NCDHW) that the
// layer benchmark runs (encodeConvModel, built on it). The networks benchmark encodes whole
// networks with it (networks/ort.ts).
//
// Written directly from the field numbers in onnx/onnx.proto (proto2). Only what these graphs
// need is encoded: varints (wire type 0) and length-delimited fields (wire type 2). Repeated
// scalars are written unpacked, the proto2 default that every parser accepts.

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;

/** ONNX TensorProto.DataType.FLOAT. */
const ONNX_FLOAT = 1;
/** ONNX AttributeProto.AttributeType values used here. */
const ATTR_INT = 2;
const ATTR_STRING = 3;
const ATTR_INTS = 7;

const utf8 = new TextEncoder();

/** Appends protobuf fields to a growing byte buffer. */
class ProtoWriter {
  private buf = new Uint8Array(256);
  private len = 0;

  private reserve(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** Non-negative integers up to 2^53 (every int64 this model holds is a size or a flag). */
  private varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint: expected a non-negative safe integer, got ${value}`);
    this.reserve(10);
    let v = value;
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.len++] = v;
  }

  private key(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  /** int32 / int64 / enum field (non-negative values only). */
  int(field: number, value: number): this {
    this.key(field, WIRE_VARINT);
    this.varint(value);
    return this;
  }

  /** repeated int64, unpacked. */
  ints(field: number, values: readonly number[]): this {
    for (const v of values) this.int(field, v);
    return this;
  }

  bytes(field: number, data: Uint8Array): this {
    this.key(field, WIRE_LENGTH_DELIMITED);
    this.varint(data.length);
    this.reserve(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  /** An embedded message, built by `build` into its own writer. */
  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** Float32 values as little-endian bytes (TensorProto.raw_data requires little-endian). */
function float32LittleEndian(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return out;
}

// --- ONNX messages (field numbers from onnx.proto) ---------------------------------------------

/** TensorShapeProto { repeated Dimension dim = 1 }, Dimension { int64 dim_value = 1 }. */
function writeShape(w: ProtoWriter, dims: readonly number[]): void {
  for (const d of dims) w.message(1, (dim) => dim.int(1, d));
}

/** ValueInfoProto { name = 1; TypeProto type = 2 }, TypeProto { TensorData tensor_type = 1 },
 *  TypeProto.Tensor { int32 elem_type = 1; TensorShapeProto shape = 2 }. */
function writeValueInfo(w: ProtoWriter, name: string, dims: readonly number[]): void {
  w.string(1, name);
  w.message(2, (type) => type.message(1, (tensor) => {
    tensor.int(1, ONNX_FLOAT);
    tensor.message(2, (shape) => writeShape(shape, dims));
  }));
}

/** TensorProto { repeated int64 dims = 1; int32 data_type = 2; string name = 8; bytes raw_data = 9 }. */
function writeFloatTensor(w: ProtoWriter, name: string, dims: readonly number[], data: Float32Array): void {
  w.ints(1, dims);
  w.int(2, ONNX_FLOAT);
  w.string(8, name);
  w.bytes(9, float32LittleEndian(data));
}

/** AttributeProto { name = 1; int64 i = 3; bytes s = 4; repeated int64 ints = 8; AttributeType type = 20 }. */
function writeIntAttribute(w: ProtoWriter, name: string, value: number): void {
  w.string(1, name).int(3, value).int(20, ATTR_INT);
}
function writeStringAttribute(w: ProtoWriter, name: string, value: string): void {
  w.string(1, name).string(4, value).int(20, ATTR_STRING);
}
function writeIntsAttribute(w: ProtoWriter, name: string, values: readonly number[]): void {
  w.string(1, name).ints(8, values).int(20, ATTR_INTS);
}

/** A node attribute: an int, a list of ints or a string (all that Conv, MaxPool and the rest here take). */
export type OnnxAttribute = { name: string; int: number } | { name: string; ints: readonly number[] } | { name: string; string: string };

export interface OnnxNodeSpec {
  opType: string;
  name: string;
  /** Value names; '' for an omitted optional input. */
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: readonly OnnxAttribute[];
}

/** A float32 constant; dims [] for a scalar. */
export interface OnnxInitializer {
  name: string;
  dims: readonly number[];
  data: Float32Array;
}

export interface OnnxGraphSpec {
  name: string;
  /** In execution order (ONNX requires a topologically sorted node list). */
  nodes: readonly OnnxNodeSpec[];
  initializers: readonly OnnxInitializer[];
  /** Graph inputs and outputs, float32 with fixed shapes; ORT's shape inference checks the outputs. */
  inputs: ReadonlyArray<{ name: string; dims: readonly number[] }>;
  /** dims null: declared float32 with no shape (left to the runtime). */
  outputs: ReadonlyArray<{ name: string; dims: readonly number[] | null }>;
  /** Default-domain opset; default 17. */
  opset?: number;
}

function writeAttribute(w: ProtoWriter, a: OnnxAttribute): void {
  if ('int' in a) writeIntAttribute(w, a.name, a.int);
  else if ('ints' in a) writeIntsAttribute(w, a.name, a.ints);
  else writeStringAttribute(w, a.name, a.string);
}

/**
 * Serialises a ModelProto (ir_version 8, default-domain opset 17) holding `spec`. The result can
 * be passed straight to `InferenceSession.create(bytes)`.
 */
export function encodeOnnxModel(spec: OnnxGraphSpec): Uint8Array {
  for (const t of spec.initializers) {
    const size = t.dims.reduce((a, b) => a * b, 1);
    if (t.data.length !== size) throw new RangeError(`encodeOnnxModel: initializer ${t.name} has ${t.data.length} values, shape [${t.dims.join(', ')}]`);
  }
  const model = new ProtoWriter();
  model.int(1, 8); // ir_version
  model.string(2, 'simdconv-bench'); // producer_name
  model.message(8, (opset) => opset.string(1, '').int(2, spec.opset ?? 17)); // opset_import { domain, version }
  // GraphProto: node = 1, name = 2, initializer = 5, input = 11, output = 12.
  model.message(7, (graph) => {
    for (const n of spec.nodes) {
      // NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5.
      graph.message(1, (node) => {
        for (const name of n.inputs) node.string(1, name);
        for (const name of n.outputs) node.string(2, name);
        node.string(3, n.name);
        node.string(4, n.opType);
        for (const a of n.attributes ?? []) node.message(5, (w) => writeAttribute(w, a));
      });
    }
    graph.string(2, spec.name);
    for (const t of spec.initializers) graph.message(5, (w) => writeFloatTensor(w, t.name, t.dims, t.data));
    for (const v of spec.inputs) graph.message(11, (w) => writeValueInfo(w, v.name, v.dims));
    for (const v of spec.outputs) {
      const dims = v.dims;
      if (dims) graph.message(12, (w) => writeValueInfo(w, v.name, dims));
      else graph.message(12, (w) => w.string(1, v.name).message(2, (type) => type.message(1, (tensor) => tensor.int(1, ONNX_FLOAT))));
    }
  });
  return model.finish();
}

export interface OnnxConvSpec {
  /** The node's operator; default 'Conv'. */
  opType?: 'Conv' | 'ConvTranspose';
  /** [N, C, ...spatial]: [N, C, W], [N, C, H, W] or [N, C, D, H, W]. */
  inputShape: readonly number[];
  /** Conv: [M, C/group, ...kernel] (OIHW); ConvTranspose: [C, M/group, ...kernel] (IOHW); row-major. */
  weight: Float32Array;
  weightShape: readonly number[];
  /** Optional bias of length M (the node's third input B). */
  bias?: Float32Array;
  /** One per spatial axis. */
  strides: readonly number[];
  dilations: readonly number[];
  /** ONNX order: every axis's begin, then every axis's end ([top, left, bottom, right] in 2-D). Ignored with autoPad. */
  pads?: readonly number[];
  /** ONNX `auto_pad`; when set, `pads` is not written (ONNX forbids both). */
  autoPad?: 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';
  /** ConvTranspose only: `output_padding`, one per spatial axis. */
  outputPadding?: readonly number[];
  group: number;
  /** [N, M, ...outSpatial], computed by the caller; ORT's shape inference checks it. */
  outputShape: readonly number[];
}

/** Names of the graph's input and output values. */
export const ONNX_INPUT_NAME = 'X';
export const ONNX_OUTPUT_NAME = 'Y';

/** encodeOnnxModel of a graph that is a single Conv or ConvTranspose: X [N, C, ...] → op(W[, B]) → Y. */
export function encodeConvModel(spec: OnnxConvSpec): Uint8Array {
  const opType = spec.opType ?? 'Conv';
  const outShape = spec.outputShape;
  const m = outShape[1]!;
  const spatialRank = spec.inputShape.length - 2;
  if (spec.weight.length !== spec.weightShape.reduce((a, b) => a * b, 1)) {
    throw new RangeError(`encodeConvModel: weight has ${spec.weight.length} values, shape [${spec.weightShape.join(', ')}]`);
  }
  if (spec.weightShape.length !== spec.inputShape.length || outShape.length !== spec.inputShape.length) {
    throw new RangeError(`encodeConvModel: input, weight and output ranks differ: [${spec.inputShape}], [${spec.weightShape}], [${outShape}]`);
  }
  if (spec.bias && spec.bias.length !== m) throw new RangeError(`encodeConvModel: bias length ${spec.bias.length}, expected ${m}`);
  if (outShape.some((d) => d < 1)) throw new RangeError(`encodeConvModel: empty output [${outShape.join(', ')}]`);
  if (spec.outputPadding && opType !== 'ConvTranspose') throw new RangeError('encodeConvModel: output_padding is a ConvTranspose attribute');
  if (!spec.autoPad && spec.pads?.length !== 2 * spatialRank) {
    throw new RangeError(`encodeConvModel: pads needs ${2 * spatialRank} values (or autoPad), got [${spec.pads ?? ''}]`);
  }

  const attributes: OnnxAttribute[] = [
    ...(spec.autoPad ? [{ name: 'auto_pad', string: spec.autoPad }] : []),
    { name: 'dilations', ints: spec.dilations },
    { name: 'group', int: spec.group },
    { name: 'kernel_shape', ints: spec.weightShape.slice(2) },
    ...(spec.outputPadding ? [{ name: 'output_padding', ints: spec.outputPadding }] : []),
    ...(spec.autoPad ? [] : [{ name: 'pads', ints: spec.pads! }]),
    { name: 'strides', ints: spec.strides },
  ];
  return encodeOnnxModel({
    name: 'conv',
    nodes: [{ opType, name: 'conv', inputs: [ONNX_INPUT_NAME, 'W', ...(spec.bias ? ['B'] : [])], outputs: [ONNX_OUTPUT_NAME], attributes }],
    initializers: [{ name: 'W', dims: spec.weightShape, data: spec.weight }, ...(spec.bias ? [{ name: 'B', dims: [m], data: spec.bias }] : [])],
    inputs: [{ name: ONNX_INPUT_NAME, dims: spec.inputShape }],
    outputs: [{ name: ONNX_OUTPUT_NAME, dims: outShape }],
  });
}

/** One node without initializers (pools, Add), graph inputs → op → Y: the ORT oracle tests' models. */
export interface OnnxSingleNodeSpec {
  opType: string;
  /** The graph inputs, fed to the node in this order. */
  inputs: readonly { name: string; shape: readonly number[] }[];
  attributes: Readonly<Record<string, number | readonly number[] | string>>;
  /**
   * The node's output ONNX_OUTPUT_NAME, checked by ONNX shape inference; null leaves it
   * undeclared (inference keeps a ceil_mode window that ORT's pooling kernels drop).
   */
  outputShape: readonly number[] | null;
  /** Default-domain opset (AveragePool takes `dilations` from 19). */
  opset: number;
}

export function encodeNodeModel(spec: OnnxSingleNodeSpec): Uint8Array {
  const attributes = Object.entries(spec.attributes).map(([name, value]): OnnxAttribute =>
    typeof value === 'number' ? { name, int: value } : typeof value === 'string' ? { name, string: value } : { name, ints: value });
  return encodeOnnxModel({
    name: spec.opType, opset: spec.opset, initializers: [],
    nodes: [{ opType: spec.opType, name: 'node', inputs: spec.inputs.map((input) => input.name), outputs: [ONNX_OUTPUT_NAME], attributes }],
    inputs: spec.inputs.map((input) => ({ name: input.name, dims: input.shape })),
    outputs: [{ name: ONNX_OUTPUT_NAME, dims: spec.outputShape }],
  });
}
