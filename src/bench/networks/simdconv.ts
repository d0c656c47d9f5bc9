/// <reference types="node" />
// simdconv running the network on resident tensors: the input copied into WebAssembly memory
// once, one prepared conv per conv node (createConv2d: bias and ReLU / ReLU6 fused, depthwise as
// groups = C, the OIHW weights as given with weightLayout in both layouts), the residual adds and
// pools as simdconv ops on the same tensors, and only the final output read back to JavaScript.
// Every value is disposed right after its last use.

import {
  add as addTensors, createConv2d, globalAvgPool2d, info, maxPool2d, tensor, type Conv2d, type Layout, type Tensor,
} from '../../index.js';
import { onCallingThread } from '../timing.js';
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
  /**
   * 'run' (default): conv.run on one thread (parallelThreshold Infinity while it runs, in a
   * process with a pool); 'pool': conv.run split over the calling thread and the pool
   * (init({ threads }) first); 'async': conv.runAsync on the pool's workers.
   */
  mode?: 'run' | 'pool' | 'async';
}

/** 'run' engines keep run() on the calling thread; the others use the threads there are. */
const onTheseThreads = <T>(mode: SimdconvEngineOptions['mode'], fn: () => T): T => (mode === 'pool' || mode === 'async' ? fn() : onCallingThread(fn));

/** Engine names: 'simdconv NCHW', 'simdconv NCHW pool', 'simdconv NCHW async'. */
export const MODE_SUFFIX = { run: '', pool: ' pool', async: ' async' } as const;

/**
 * Residual adds taken into the conv before them: an add whose operand is the output of a conv
 * with no activation that nothing else reads runs as that conv with `residual` (the other
 * operand) and the add's activation, at the add's place in the order (where both are ready).
 */
function residualFusions(graph: Graph): Map<string, { conv: ConvNode; residual: string }> {
  const reads = new Map<string, number>();
  for (const n of graph.nodes) for (const v of n.op === 'add' ? [n.a, n.b] : [n.input]) reads.set(v, (reads.get(v) ?? 0) + 1);
  const producer = new Map(graph.nodes.map((n) => [n.output, n] as const));
  const fusions = new Map<string, { conv: ConvNode; residual: string }>();
  for (const n of graph.nodes) {
    if (n.op !== 'add') continue;
    for (const [mine, other] of [[n.a, n.b], [n.b, n.a]] as const) {
      const conv = producer.get(mine);
      if (conv?.op === 'conv' && conv.activation === 'none' && reads.get(mine) === 1) {
        fusions.set(n.name, { conv: { ...conv, activation: n.activation }, residual: other });
        break;
      }
    }
  }
  return fusions;
}

export function prepareSimdconv(graph: Graph, { layout, mode = 'run' }: SimdconvEngineOptions): NetworkRunner {
  const async = mode === 'async';
  const fusions = residualFusions(graph);
  const fusedConvs = new Set([...fusions.values()].map((f) => f.conv.name));
  const index = new Map(graph.nodes.map((n, i) => [n.name, i] as const));
  const convs = new Map<string, Conv2d>();
  for (const n of graph.nodes) if (n.op === 'conv' && !fusedConvs.has(n.name)) convs.set(n.name, prepareConv(n, layout));
  for (const { conv } of fusions.values()) convs.set(conv.name, prepareConv(conv, layout));
  /** What each node reads when it runs (a fused add: its conv's input and the residual; a fused conv: nothing). */
  const readsOf = (n: GraphNode): string[] => {
    if (n.op === 'conv') return fusedConvs.has(n.name) ? [] : [n.input];
    if (n.op === 'add') {
      const fusion = fusions.get(n.name);
      return fusion ? [fusion.conv.input, fusion.residual] : [n.a, n.b];
    }
    return [n.input];
  };
  // The last node reading each value: each is disposed right after it.
  const lastUse = new Map<string, number>();
  graph.nodes.forEach((n, i) => {
    for (const v of readsOf(n)) lastUse.set(v, i);
  });

  /** The node's output, or null for a conv that runs later inside its add. */
  const step = (n: GraphNode, get: (name: string) => Value, useAsync: boolean): Value | Promise<Value> | null => {
    switch (n.op) {
      case 'conv': {
        if (fusedConvs.has(n.name)) return null;
        const conv = convs.get(n.name)!;
        return useAsync ? conv.runAsync(get(n.input)) : conv.run(get(n.input));
      }
      case 'add': {
        const fusion = fusions.get(n.name);
        if (!fusion) return add(get(n.a), get(n.b), n);
        const conv = convs.get(fusion.conv.name)!;
        const options = { residual: get(fusion.residual) };
        return useAsync ? conv.runAsync(get(fusion.conv.input), options) : conv.run(get(fusion.conv.input), options);
      }
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
      const value = step(n, (name) => map.get(name)!, false) as Value | null;
      if (value) map.set(n.output, value);
      release(map, i);
    });
    return result(map);
  };
  const runTimed = (input: Float32Array) => onTheseThreads(mode, async () => {
    const map = values(input);
    const nodeMs: number[] = new Array(graph.nodes.length).fill(0);
    for (const [i, n] of graph.nodes.entries()) {
      const t0 = performance.now();
      const value = await step(n, (name) => map.get(name)!, async);
      // A fused add's time is its conv's: the profile shows it under the conv.
      const fusion = n.op === 'add' ? fusions.get(n.name) : undefined;
      nodeMs[fusion ? index.get(fusion.conv.name)! : i] = performance.now() - t0;
      if (value) map.set(n.output, value);
      release(map, i);
    }
    return { output: result(map), nodeMs };
  });
  return {
    name: `simdconv ${layout}${MODE_SUFFIX[mode]}`,
    layout,
    threads: mode === 'run' ? 1 : info().threads,
    run: async ? async (input) => (await runTimed(input)).output : (input) => onTheseThreads(mode, () => runSync(input)),
    runTimed,
    dispose() {
      for (const conv of convs.values()) conv.dispose();
    },
  };
}
