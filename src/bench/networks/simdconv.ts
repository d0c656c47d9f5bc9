/// <reference types="node" />
// simdconv running the network on resident tensors: the input copied into WebAssembly memory
// once, one prepared conv per conv node (createConv2d: bias and ReLU / ReLU6 fused, depthwise as
// groups = C, the OIHW weights as given with weightLayout in both layouts), the residual adds and
// pools as simdconv ops on the same tensors, and only the final output read back to JavaScript.
// Every value is disposed right after its last use.

import {
  add as addTensors, createConv2d, globalAvgPool2d, info, maxPool2d, tensor, type Conv2d, type Layout, type Tensor,
} from '../../index.js';
import type { AddNode, ConvNode, Graph, GraphNode, GlobalAvgPoolNode, MaxPoolNode, NetworkRunner, ValueShape } from './graph.js';

// --- ops ------------------------------------------------------------------------------------------

type Value = Tensor;

const shapeOf = (s: ValueShape, layout: Layout) => (layout === 'NCHW' ? [1, s.channels, s.height, s.width] : [1, s.height, s.width, s.channels]);

function fromInput(data: Float32Array, s: ValueShape, layout: Layout): Value {
  return tensor(data, shapeOf(s, layout));
}

function toOutput(v: Value): Float32Array {
  return v.dataSync();
}

function prepareConv(n: ConvNode, layout: Layout): Conv2d {
  const [m, cg, k] = [n.outShape.channels, n.inShape.channels / n.groups, n.kernel];
  return createConv2d({ data: n.weights, shape: [m, cg, k, k] }, {
    layout, weightLayout: 'OIHW', stride: n.stride, padding: n.padding, groups: n.groups, bias: n.bias, activation: n.activation,
  });
}

function add(a: Value, b: Value, n: AddNode): Value {
  return addTensors(a, b, { activation: n.activation });
}

function maxPool(v: Value, n: MaxPoolNode, layout: Layout): Value {
  return maxPool2d(v, { kernel: n.kernel, stride: n.stride, padding: n.pad, layout });
}

function globalAvgPool(v: Value, _n: GlobalAvgPoolNode, layout: Layout): Value {
  return globalAvgPool2d(v, { layout });
}

// --- executor -------------------------------------------------------------------------------------

export interface SimdconvEngineOptions {
  layout: Layout;
  /** conv.runAsync on the worker pool (init({ threads }) first) instead of conv.run. */
  async?: boolean;
}

export function prepareSimdconv(graph: Graph, { layout, async = false }: SimdconvEngineOptions): NetworkRunner {
  const convs = new Map<string, Conv2d>();
  for (const n of graph.nodes) if (n.op === 'conv') convs.set(n.name, prepareConv(n, layout));
  // The last node reading each value: values are dropped from the map after it, as a user's
  // locals go out of scope, so that the garbage collector sees the same live set.
  const lastUse = new Map<string, number>();
  graph.nodes.forEach((n, i) => {
    for (const v of n.op === 'add' ? [n.a, n.b] : [n.input]) lastUse.set(v, i);
  });

  const step = (n: GraphNode, get: (name: string) => Value, useAsync: boolean): Value | Promise<Value> => {
    switch (n.op) {
      case 'conv': {
        const conv = convs.get(n.name)!;
        return useAsync ? conv.runAsync(get(n.input)) : conv.run(get(n.input));
      }
      case 'add': return add(get(n.a), get(n.b), n);
      case 'maxPool': return maxPool(get(n.input), n, layout);
      case 'globalAvgPool': return globalAvgPool(get(n.input), n, layout);
    }
  };
  const values = (input: Float32Array) => new Map([[graph.input, fromInput(input, graph.inShape, layout)]]);
  const release = (map: Map<string, Value>, i: number) => {
    for (const [name, last] of lastUse) {
      if (last !== i) continue;
      map.get(name)?.dispose();
      map.delete(name);
    }
  };
  const result = (map: Map<string, Value>) => {
    const out = map.get(graph.output)!;
    const data = toOutput(out);
    out.dispose();
    return data;
  };

  const runSync = (input: Float32Array) => {
    const map = values(input);
    graph.nodes.forEach((n, i) => {
      map.set(n.output, step(n, (name) => map.get(name)!, false) as Value);
      release(map, i);
    });
    return result(map);
  };
  const runTimed = async (input: Float32Array) => {
    const map = values(input);
    const nodeMs: number[] = [];
    for (const [i, n] of graph.nodes.entries()) {
      const t0 = performance.now();
      map.set(n.output, await step(n, (name) => map.get(name)!, async));
      nodeMs.push(performance.now() - t0);
      release(map, i);
    }
    return { output: result(map), nodeMs };
  };

  return {
    name: `simdconv ${layout}${async ? ' async' : ''}`,
    layout,
    threads: async ? info().threads : 1,
    run: async ? async (input) => (await runTimed(input)).output : runSync,
    runTimed,
    dispose() {
      for (const conv of convs.values()) conv.dispose();
    },
  };
}
