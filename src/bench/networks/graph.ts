/// <reference types="node" />
// One description of a whole network that every engine of the networks benchmark consumes: a
// list of nodes in execution order, each reading named values and writing one. Layout-neutral:
// shapes are { channels, height, width } (batch 1) and conv weights are OIHW; each engine
// converts to what it needs. BN is folded away (a conv bias instead), so every node maps to one
// op of each engine.

import { randomData } from '../layers.js';

export type NodeActivation = 'none' | 'relu' | 'relu6';

export interface ValueShape {
  channels: number;
  height: number;
  width: number;
}

interface NodeBase {
  name: string;
  /** Name of the value this node writes; unique in the graph. */
  output: string;
  outShape: ValueShape;
}

export interface ConvNode extends NodeBase {
  op: 'conv';
  input: string;
  inShape: ValueShape;
  /** OIHW [outChannels, inChannels / groups, kernel, kernel], row-major. */
  weights: Float32Array;
  bias: Float32Array;
  kernel: number;
  stride: number;
  /** The same on all four sides. */
  padding: number;
  groups: number;
  activation: NodeActivation;
}

export interface AddNode extends NodeBase {
  op: 'add';
  a: string;
  b: string;
  activation: 'none' | 'relu';
}

export interface MaxPoolNode extends NodeBase {
  op: 'maxPool';
  input: string;
  inShape: ValueShape;
  kernel: number;
  stride: number;
  /** Padded cells never win (they count as −∞), as in ONNX, PyTorch and tfjs. */
  pad: number;
}

export interface GlobalAvgPoolNode extends NodeBase {
  op: 'globalAvgPool';
  input: string;
  inShape: ValueShape;
}

export type GraphNode = ConvNode | AddNode | MaxPoolNode | GlobalAvgPoolNode;

export interface Graph {
  name: string;
  /** Name and shape of the one input value (batch 1). */
  input: string;
  inShape: ValueShape;
  /** Name of the value the network returns (the last node's output). */
  output: string;
  outShape: ValueShape;
  nodes: GraphNode[];
}

/** What the --profile tables group nodes by. */
export type OpKind = 'conv 1×1' | 'depthwise' | 'conv k×k' | 'add' | 'pool';
export const OP_KINDS: readonly OpKind[] = ['conv 1×1', 'depthwise', 'conv k×k', 'add', 'pool'];

export function opKind(node: GraphNode): OpKind {
  if (node.op === 'conv') {
    if (node.groups > 1 && node.groups === node.inShape.channels) return 'depthwise';
    return node.kernel === 1 ? 'conv 1×1' : 'conv k×k';
  }
  return node.op === 'add' ? 'add' : 'pool';
}

export const valueSize = (s: ValueShape) => s.channels * s.height * s.width;

/** Multiply-adds of the direct algorithm, summed over the conv nodes (adds and pools not counted). */
export function multiplyAdds(graph: Graph): number {
  let total = 0;
  for (const n of graph.nodes) {
    if (n.op === 'conv') total += valueSize(n.outShape) * (n.inShape.channels / n.groups) * n.kernel * n.kernel;
  }
  return total;
}

/** Weights and biases. */
export function parameterCount(graph: Graph): number {
  let total = 0;
  for (const n of graph.nodes) if (n.op === 'conv') total += n.weights.length + n.bias.length;
  return total;
}

const outSize = (size: number, kernel: number, stride: number, pad: number) => Math.floor((size + 2 * pad - kernel) / stride) + 1;

/**
 * Appends nodes to a graph under construction, each builder call returning the name of the value
 * it wrote. Weights are He-scaled uniform (variance 2 / fan-in, so activations stay O(1) through
 * ReLU layers without BN), from one seeded generator: the same numbers on every run.
 */
class GraphBuilder {
  private readonly nodes: GraphNode[] = [];
  private readonly shapes = new Map<string, ValueShape>();
  private seed = 1;

  constructor(private readonly name: string, private readonly input: string, private readonly inShape: ValueShape) {
    this.shapes.set(input, inShape);
  }

  private shape(value: string): ValueShape {
    const s = this.shapes.get(value);
    if (!s) throw new Error(`${this.name}: no value named ${value}`);
    return s;
  }

  private push(node: GraphNode): string {
    if (this.shapes.has(node.output)) throw new Error(`${this.name}: value ${node.output} written twice`);
    this.nodes.push(node);
    this.shapes.set(node.output, node.outShape);
    return node.output;
  }

  conv(name: string, input: string, outChannels: number, kernel: number, { stride = 1, groups = 1, activation = 'none' as NodeActivation } = {}): string {
    const inShape = this.shape(input);
    const padding = (kernel - 1) >> 1;
    const fanIn = (inShape.channels / groups) * kernel * kernel;
    const weights = randomData(outChannels * fanIn, this.seed++);
    const scale = Math.sqrt(6 / fanIn); // uniform [−a, a) has variance a² / 3 = 2 / fan-in
    for (let i = 0; i < weights.length; i++) weights[i]! *= scale;
    const bias = randomData(outChannels, this.seed++);
    for (let i = 0; i < bias.length; i++) bias[i]! *= 0.1;
    const outShape = { channels: outChannels, height: outSize(inShape.height, kernel, stride, padding), width: outSize(inShape.width, kernel, stride, padding) };
    return this.push({ op: 'conv', name, input, output: name, inShape, outShape, weights, bias, kernel, stride, padding, groups, activation });
  }

  add(name: string, a: string, b: string, activation: 'none' | 'relu' = 'none'): string {
    const [sa, sb] = [this.shape(a), this.shape(b)];
    if (sa.channels !== sb.channels || sa.height !== sb.height || sa.width !== sb.width) throw new Error(`${this.name}: ${name} adds values of different shapes`);
    return this.push({ op: 'add', name, a, b, output: name, outShape: sa, activation });
  }

  maxPool(name: string, input: string, kernel: number, stride: number, pad: number): string {
    const inShape = this.shape(input);
    const outShape = { channels: inShape.channels, height: outSize(inShape.height, kernel, stride, pad), width: outSize(inShape.width, kernel, stride, pad) };
    return this.push({ op: 'maxPool', name, input, output: name, inShape, outShape, kernel, stride, pad });
  }

  globalAvgPool(name: string, input: string): string {
    const inShape = this.shape(input);
    return this.push({ op: 'globalAvgPool', name, input, output: name, inShape, outShape: { channels: inShape.channels, height: 1, width: 1 } });
  }

  channels(value: string): number {
    return this.shape(value).channels;
  }

  finish(output: string): Graph {
    return { name: this.name, input: this.input, inShape: this.inShape, output, outShape: this.shape(output), nodes: this.nodes };
  }
}

/** 224 unless a test asks for less; the networks end in a global pool, so any multiple of 32 works. */
const inputShape = (size: number): ValueShape => ({ channels: 3, height: size, width: size });

/**
 * MobileNetV2, width 1.0 (torchvision / Keras structure): stem 3×3/2 → 32 + ReLU6; 17 inverted
 * residual blocks (1×1 expansion + ReLU6 unless the expansion is 1, depthwise 3×3 + ReLU6, 1×1
 * linear projection, residual add when stride 1 and in = out channels); 1×1 → 1280 + ReLU6;
 * global average pool; the classifier as a 1×1 conv 1280 → 1000.
 */
export function mobileNetV2(size = 224): Graph {
  const b = new GraphBuilder('MobileNetV2', 'input', inputShape(size));
  let x = b.conv('stem', 'input', 32, 3, { stride: 2, activation: 'relu6' });
  // (expansion t, output channels c, blocks n, first stride s), from the paper's table 2.
  const stages: Array<[number, number, number, number]> = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]];
  let block = 0;
  for (const [t, c, n, s] of stages) {
    for (let i = 0; i < n; i++, block++) {
      const stride = i === 0 ? s : 1;
      const inC = b.channels(x);
      const hidden = inC * t;
      const p = `block${block}`;
      let y = t === 1 ? x : b.conv(`${p}.expand`, x, hidden, 1, { activation: 'relu6' });
      y = b.conv(`${p}.depthwise`, y, hidden, 3, { stride, groups: hidden, activation: 'relu6' });
      y = b.conv(`${p}.project`, y, c, 1);
      x = stride === 1 && inC === c ? b.add(`${p}.add`, x, y) : y;
    }
  }
  x = b.conv('head', x, 1280, 1, { activation: 'relu6' });
  x = b.globalAvgPool('pool', x);
  return b.finish(b.conv('classifier', x, 1000, 1));
}

/**
 * ResNet-18: 7×7/2 → 64 + ReLU, 3×3/2 max pool (pad 1), four stages of two basic blocks (3×3
 * conv + ReLU, 3×3 conv, + shortcut — a 1×1/2 conv on the downsampling blocks — then ReLU),
 * global average pool, the FC as a 1×1 conv 512 → 1000.
 */
export function resNet18(size = 224): Graph {
  const b = new GraphBuilder('ResNet-18', 'input', inputShape(size));
  let x = b.conv('stem', 'input', 64, 7, { stride: 2, activation: 'relu' });
  x = b.maxPool('maxpool', x, 3, 2, 1);
  for (const [stage, c] of [64, 128, 256, 512].entries()) {
    for (let i = 0; i < 2; i++) {
      const stride = stage > 0 && i === 0 ? 2 : 1;
      const p = `layer${stage + 1}.${i}`;
      const y = b.conv(`${p}.conv1`, x, c, 3, { stride, activation: 'relu' });
      const z = b.conv(`${p}.conv2`, y, c, 3);
      const shortcut = stride === 1 && b.channels(x) === c ? x : b.conv(`${p}.downsample`, x, c, 1, { stride });
      x = b.add(`${p}.add`, z, shortcut, 'relu');
    }
  }
  x = b.globalAvgPool('pool', x);
  return b.finish(b.conv('fc', x, 1000, 1));
}

export const NETWORKS = { mobilenetv2: mobileNetV2, resnet18: resNet18 } as const;
export type NetworkName = keyof typeof NETWORKS;

/** One engine prepared for one graph. */
export interface NetworkRunner {
  name: string;
  /** Layout of the input run() takes (the output is [1, 1000, 1, 1], the same in both). */
  layout: 'NCHW' | 'NHWC';
  /** Threads it computes on. */
  threads: number;
  run(input: Float32Array): Float32Array | Promise<Float32Array>;
  /** Milliseconds per node (graph order) of one run, for --profile; engines that can time nodes. */
  runTimed?(input: Float32Array): Promise<{ output: Float32Array; nodeMs: number[] }>;
  dispose(): void;
}

/** NCHW → NHWC for a batch-1 value (the benchmark hands NHWC engines the same input transposed). */
export function toNHWC(data: Float32Array, s: ValueShape): Float32Array {
  const out = new Float32Array(data.length);
  const plane = s.height * s.width;
  for (let c = 0; c < s.channels; c++)
    for (let p = 0; p < plane; p++) out[p * s.channels + c] = data[c * plane + p]!;
  return out;
}

/** OIHW → HWIO ([kH, kW, C/groups, M]); for depthwise this is tfjs's [kH, kW, C, 1] too. */
export function toHWIO(n: ConvNode): Float32Array {
  const m = n.outShape.channels;
  const cg = n.inShape.channels / n.groups;
  const taps = n.kernel * n.kernel;
  const out = new Float32Array(n.weights.length);
  for (let o = 0; o < m; o++)
    for (let c = 0; c < cg; c++)
      for (let t = 0; t < taps; t++) out[(t * cg + c) * m + o] = n.weights[(o * cg + c) * taps + t]!;
  return out;
}
