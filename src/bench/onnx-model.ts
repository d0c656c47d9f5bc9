/// <reference types="node" />
// A minimal ONNX model writer for the benchmark's ONNX Runtime peer and the peer-oracle tests: one
// Conv or ConvTranspose node of any spatial rank (NCW, NCHW, NCDHW), the weights (and optional
// bias) as initializers, a fixed input shape.
//
// Written directly from the field numbers in onnx/onnx.proto (proto2). Only what a single Conv
// node needs is encoded: varints (wire type 0) and length-delimited fields (wire type 2). Repeated
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

/** ValueInfoProto { name = 1; TypeProto type = 2 }, TypeProto { Tensor tensor_type = 1 },
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

/**
 * Serialises a ModelProto (ir_version 8, default-domain opset 17) whose graph is a single Conv or
 * ConvTranspose: X [N, C, ...] → op(W[, B]) → Y. The result can be passed straight to
 * `InferenceSession.create(bytes)`.
 */
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

  const model = new ProtoWriter();
  model.int(1, 8); // ir_version
  model.string(2, 'simdconv-bench'); // producer_name
  model.message(8, (opset) => opset.string(1, '').int(2, 17)); // opset_import { domain, version }
  // GraphProto: node = 1, name = 2, initializer = 5, input = 11, output = 12.
  model.message(7, (graph) => {
    // NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5.
    graph.message(1, (node) => {
      node.string(1, ONNX_INPUT_NAME).string(1, 'W');
      if (spec.bias) node.string(1, 'B');
      node.string(2, ONNX_OUTPUT_NAME);
      node.string(3, 'conv');
      node.string(4, opType);
      if (spec.autoPad) node.message(5, (a) => writeStringAttribute(a, 'auto_pad', spec.autoPad!));
      node.message(5, (a) => writeIntsAttribute(a, 'dilations', spec.dilations));
      node.message(5, (a) => writeIntAttribute(a, 'group', spec.group));
      node.message(5, (a) => writeIntsAttribute(a, 'kernel_shape', spec.weightShape.slice(2)));
      if (spec.outputPadding) node.message(5, (a) => writeIntsAttribute(a, 'output_padding', spec.outputPadding!));
      if (!spec.autoPad) node.message(5, (a) => writeIntsAttribute(a, 'pads', spec.pads!));
      node.message(5, (a) => writeIntsAttribute(a, 'strides', spec.strides));
    });
    graph.string(2, 'conv');
    graph.message(5, (t) => writeFloatTensor(t, 'W', spec.weightShape, spec.weight));
    if (spec.bias) graph.message(5, (t) => writeFloatTensor(t, 'B', [m], spec.bias!));
    graph.message(11, (v) => writeValueInfo(v, ONNX_INPUT_NAME, spec.inputShape));
    graph.message(12, (v) => writeValueInfo(v, ONNX_OUTPUT_NAME, outShape));
  });
  return model.finish();
}

/** An attribute of encodeNodeModel: an int, a list of ints, or a string. */
export type OnnxAttribute = number | readonly number[] | string;

export interface OnnxNodeSpec {
  opType: string;
  /** The graph inputs, fed to the node in this order. */
  inputs: readonly { name: string; shape: readonly number[] }[];
  attributes: Readonly<Record<string, OnnxAttribute>>;
  /**
   * The node's output ONNX_OUTPUT_NAME, checked by ONNX shape inference; null leaves it
   * undeclared (inference keeps a ceil_mode window that ORT's pooling kernels drop).
   */
  outputShape: readonly number[] | null;
  /** Default-domain opset (AveragePool takes `dilations` from 19). */
  opset: number;
}

/** A ModelProto whose graph is one node without initializers (pools, Add): inputs → op → Y. */
export function encodeNodeModel(spec: OnnxNodeSpec): Uint8Array {
  const model = new ProtoWriter();
  model.int(1, 8); // ir_version
  model.string(2, 'simdconv-tests');
  model.message(8, (opset) => opset.string(1, '').int(2, spec.opset));
  model.message(7, (graph) => {
    graph.message(1, (node) => {
      for (const input of spec.inputs) node.string(1, input.name);
      node.string(2, ONNX_OUTPUT_NAME).string(3, 'node').string(4, spec.opType);
      for (const [name, value] of Object.entries(spec.attributes)) {
        node.message(5, (a) => typeof value === 'number' ? writeIntAttribute(a, name, value)
          : typeof value === 'string' ? writeStringAttribute(a, name, value) : writeIntsAttribute(a, name, value));
      }
    });
    graph.string(2, spec.opType);
    for (const input of spec.inputs) graph.message(11, (v) => writeValueInfo(v, input.name, input.shape));
    const outputShape = spec.outputShape;
    if (outputShape) graph.message(12, (v) => writeValueInfo(v, ONNX_OUTPUT_NAME, outputShape));
    else graph.message(12, (v) => v.string(1, ONNX_OUTPUT_NAME).message(2, (type) => type.message(1, (tensor) => tensor.int(1, ONNX_FLOAT))));
  });
  return model.finish();
}
