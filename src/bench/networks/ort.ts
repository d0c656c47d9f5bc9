/// <reference types="node" />
// onnxruntime-web (wasm execution provider) running a whole network as one ONNX model, NCHW. The
// graph is encoded by ../onnx-model.ts: Conv (bias as its third input) followed by Relu, or by
// Clip with min 0 / max 6 as scalar inputs (opset ≥ 11) for ReLU6; Add (+ Relu); MaxPool;
// GlobalAveragePool. ORT's own optimiser fuses the activations into its convs ('all' level).

import { encodeOnnxModel, type OnnxInitializer, type OnnxNodeSpec } from '../onnx-model.js';
import { onnxRuntimeWeb } from '../peers.js';
import { valueSize, type Graph, type NetworkRunner, type ValueShape } from './graph.js';

const dims = (s: ValueShape) => [1, s.channels, s.height, s.width];

/** The graph as ONNX nodes and initializers; value names are the graph's own. */
export function encodeNetwork(graph: Graph): Uint8Array {
  const nodes: OnnxNodeSpec[] = [];
  const initializers: OnnxInitializer[] = [
    { name: 'relu6.min', dims: [], data: new Float32Array([0]) },
    { name: 'relu6.max', dims: [], data: new Float32Array([6]) },
  ];
  /** Appends the activation after a node that wrote `raw`; returns the node's final value name. */
  const activate = (raw: string, output: string, activation: 'none' | 'relu' | 'relu6') => {
    if (activation === 'relu') nodes.push({ opType: 'Relu', name: `${output}.relu`, inputs: [raw], outputs: [output] });
    else if (activation === 'relu6') nodes.push({ opType: 'Clip', name: `${output}.relu6`, inputs: [raw, 'relu6.min', 'relu6.max'], outputs: [output] });
  };
  for (const n of graph.nodes) {
    const raw = n.op === 'conv' || n.op === 'add' ? (n.activation === 'none' ? n.output : `${n.output}.pre`) : n.output;
    if (n.op === 'conv') {
      const m = n.outShape.channels;
      initializers.push(
        { name: `${n.name}.W`, dims: [m, n.inShape.channels / n.groups, n.kernel, n.kernel], data: n.weights },
        { name: `${n.name}.B`, dims: [m], data: n.bias },
      );
      nodes.push({
        opType: 'Conv', name: n.name, inputs: [n.input, `${n.name}.W`, `${n.name}.B`], outputs: [raw],
        attributes: [
          { name: 'group', int: n.groups },
          { name: 'kernel_shape', ints: [n.kernel, n.kernel] },
          { name: 'pads', ints: [n.padding, n.padding, n.padding, n.padding] },
          { name: 'strides', ints: [n.stride, n.stride] },
        ],
      });
      activate(raw, n.output, n.activation);
    } else if (n.op === 'add') {
      nodes.push({ opType: 'Add', name: n.name, inputs: [n.a, n.b], outputs: [raw] });
      activate(raw, n.output, n.activation);
    } else if (n.op === 'maxPool') {
      nodes.push({
        opType: 'MaxPool', name: n.name, inputs: [n.input], outputs: [n.output],
        attributes: [
          { name: 'kernel_shape', ints: [n.kernel, n.kernel] },
          { name: 'pads', ints: [n.pad, n.pad, n.pad, n.pad] },
          { name: 'strides', ints: [n.stride, n.stride] },
        ],
      });
    } else {
      nodes.push({ opType: 'GlobalAveragePool', name: n.name, inputs: [n.input], outputs: [n.output] });
    }
  }
  return encodeOnnxModel({
    name: graph.name, nodes, initializers,
    inputs: [{ name: graph.input, dims: dims(graph.inShape) }],
    outputs: [{ name: graph.output, dims: dims(graph.outShape) }],
  });
}

/**
 * One session for the whole network (thread count as the process set it: see setOrtThreads in
 * ../peers.ts). With `profile`, the session records ORT's own per-node profile, which ORT web
 * prints to the process's stdout at endProfiling() (parseOrtProfile reads it back).
 */
export async function prepareOrt(graph: Graph, { profile = false } = {}): Promise<NetworkRunner & { endProfiling(): void }> {
  const ort = await onnxRuntimeWeb();
  const session = await ort.InferenceSession.create(encodeNetwork(graph), {
    executionProviders: ['wasm'],
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3, // errors only
    enableProfiling: profile,
  });
  const outSize = valueSize(graph.outShape);
  const shape = dims(graph.inShape);
  let disposed = false;
  return {
    name: 'ort-web',
    layout: 'NCHW',
    threads: ort.env.wasm.numThreads ?? 1,
    async run(input) {
      const out = await session.run({ [graph.input]: new ort.Tensor('float32', input, shape) });
      const data = out[graph.output]!.data as Float32Array;
      if (data.length !== outSize) throw new Error(`onnxruntime-web returned ${data.length} values, expected ${outSize}`);
      return data;
    },
    endProfiling: () => session.endProfiling(),
    dispose() {
      if (disposed) return;
      disposed = true;
      void session.release().catch(() => undefined);
    },
  };
}

/** One node's kernel time per run, in ms, from ORT's printed profile (Chrome trace events). */
export function parseOrtProfile(text: string): { nodes: Map<string, { opName: string; ms: number[] }>; runMs: number[] } {
  const nodes = new Map<string, { opName: string; ms: number[] }>();
  const runMs: number[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{"cat"')) continue; // one event per line, each but the last ending in ','
    const event = JSON.parse(line.replace(/,\s*$/, '')) as { cat: string; name: string; dur: number; args?: { op_name?: string } };
    if (event.cat === 'Session' && event.name === 'model_run') runMs.push(event.dur / 1000);
    if (event.cat !== 'Node' || !event.name.endsWith('_kernel_time')) continue;
    const name = event.name.slice(0, -'_kernel_time'.length);
    const entry = nodes.get(name) ?? { opName: event.args?.op_name ?? '?', ms: [] };
    entry.ms.push(event.dur / 1000);
    nodes.set(name, entry);
  }
  return { nodes, runMs };
}
