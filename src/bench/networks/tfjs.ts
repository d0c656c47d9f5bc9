/// <reference types="node" />
// tfjs-backend-wasm (XNNPACK) running the network in NHWC, the way a tfjs user writes it: fused
// conv2d / depthwiseConv2d (bias and ReLU / ReLU6 in the op), add (+ relu), maxPool, mean over
// H and W, all inside one tf.tidy; the output read back with dataSync(). Weights are uploaded
// once as HWIO tensors (depthwise [kH, kW, C, 1]).

import { tfjsWasm } from '../peers.js';
import { toHWIO, type Graph, type NetworkRunner } from './graph.js';

type Tfjs = Awaited<ReturnType<typeof tfjsWasm>>;
type Tensor4D = import('@tensorflow/tfjs-core').Tensor4D;
type Tensor1D = import('@tensorflow/tfjs-core').Tensor1D;

const ACTIVATION = { none: 'linear', relu: 'relu', relu6: 'relu6' } as const;

export async function prepareTfjs(graph: Graph): Promise<NetworkRunner> {
  const tf: Tfjs = await tfjsWasm();
  const filters = new Map<string, { filter: Tensor4D; bias: Tensor1D }>();
  for (const n of graph.nodes) {
    if (n.op !== 'conv') continue;
    const depthwise = n.groups > 1;
    if (depthwise && n.groups !== n.inShape.channels) throw new Error(`tfjs: ${n.name} is grouped but not depthwise`);
    const shape: [number, number, number, number] = depthwise
      ? [n.kernel, n.kernel, n.inShape.channels, n.outShape.channels / n.groups]
      : [n.kernel, n.kernel, n.inShape.channels, n.outShape.channels];
    filters.set(n.name, { filter: tf.tensor4d(toHWIO(n), shape), bias: tf.tensor1d(n.bias) });
  }
  const { channels: c, height: h, width: w } = graph.inShape;

  /** The whole network in one tidy; with `nodeMs`, each op's time (wasm ops run synchronously). */
  const forward = (input: Float32Array, nodeMs?: number[]) => tf.tidy(() => {
    const values = new Map<string, Tensor4D>([[graph.input, tf.tensor4d(input, [1, h, w, c])]]);
    const get = (name: string) => values.get(name)!;
    for (const n of graph.nodes) {
      const t0 = nodeMs ? performance.now() : 0;
      let y: Tensor4D;
      if (n.op === 'conv') {
        const { filter, bias } = filters.get(n.name)!;
        const args = { x: get(n.input), filter, strides: n.stride, pad: n.padding, bias, activation: ACTIVATION[n.activation] } as const;
        y = n.groups > 1 ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d({ ...args, dataFormat: 'NHWC' });
      } else if (n.op === 'add') {
        y = tf.add(get(n.a), get(n.b));
        if (n.activation === 'relu') y = tf.relu(y);
      } else if (n.op === 'maxPool') {
        y = tf.maxPool(get(n.input), n.kernel, n.stride, n.pad);
      } else {
        y = tf.mean(get(n.input), [1, 2], true);
      }
      values.set(n.output, y);
      nodeMs?.push(performance.now() - t0);
    }
    return get(graph.output);
  });

  const readBack = (y: Tensor4D) => {
    try {
      return y.dataSync() as Float32Array; // copies the result out of the wasm heap
    } finally {
      y.dispose();
    }
  };
  let disposed = false;
  return {
    name: 'tfjs-wasm',
    layout: 'NHWC',
    threads: 1, // tfjs-backend-wasm never uses threads in Node (see ../peers.ts)
    run: (input) => readBack(forward(input)),
    async runTimed(input) {
      const nodeMs: number[] = [];
      return { output: readBack(forward(input, nodeMs)), nodeMs };
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const { filter, bias } of filters.values()) {
        filter.dispose(); // also frees the XNNPACK operator cached for this filter
        bias.dispose();
      }
    },
  };
}
