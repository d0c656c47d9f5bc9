/// <reference types="node" />
// simdconv running the network as a user writes it today: one prepared conv per conv node
// (createConv2d: bias and ReLU / ReLU6 fused, depthwise as groups = C, the OIHW weights as given
// with weightLayout in both layouts) on { data, shape } tensors, and the residual adds and pools
// as plain JavaScript loops. Every value goes back to JavaScript between ops.
//
// Each op is one small function in the "ops" block below and the executor calls nothing else:
// swapping them for resident tensors (tensor(), conv.run(tensor), add, maxPool2d,
// globalAvgPool2d) is a change to that block only.

import { createConv2d, info, type Conv2d, type Layout, type Tensor } from '../../index.js';
import type { AddNode, ConvNode, Graph, GraphNode, GlobalAvgPoolNode, MaxPoolNode, NetworkRunner, ValueShape } from './graph.js';

// --- ops ------------------------------------------------------------------------------------------

type Value = Tensor;

const shapeOf = (s: ValueShape, layout: Layout) => (layout === 'NCHW' ? [1, s.channels, s.height, s.width] : [1, s.height, s.width, s.channels]);

function fromInput(data: Float32Array, s: ValueShape, layout: Layout): Value {
  return { data, shape: shapeOf(s, layout) };
}

function toOutput(v: Value): Float32Array {
  return v.data;
}

interface PreparedConv {
  run(x: Value): Value;
  runAsync(x: Value): Promise<Value>;
  dispose(): void;
}

function prepareConv(n: ConvNode, layout: Layout): PreparedConv {
  const [m, cg, k] = [n.outShape.channels, n.inShape.channels / n.groups, n.kernel];
  const conv: Conv2d = createConv2d({ data: n.weights, shape: [m, cg, k, k] }, {
    layout, weightLayout: 'OIHW', stride: n.stride, padding: n.padding, groups: n.groups, bias: n.bias, activation: n.activation,
  });
  return conv;
}

function add(a: Value, b: Value, n: AddNode): Value {
  const out = new Float32Array(a.data.length);
  const [x, y] = [a.data, b.data];
  if (n.activation === 'relu') for (let i = 0; i < out.length; i++) out[i] = Math.max(x[i]! + y[i]!, 0);
  else for (let i = 0; i < out.length; i++) out[i] = x[i]! + y[i]!;
  return { data: out, shape: a.shape };
}

function maxPool(v: Value, n: MaxPoolNode, layout: Layout): Value {
  const { channels: c, height: h, width: w } = n.inShape;
  const { height: oh, width: ow } = n.outShape;
  const x = v.data;
  const out = new Float32Array(c * oh * ow);
  // The window clipped to the image: padded cells never win (they count as −∞).
  const window = (o: number, size: number) => [Math.max(o * n.stride - n.pad, 0), Math.min(o * n.stride - n.pad + n.kernel, size)] as const;
  if (layout === 'NCHW') {
    for (let ch = 0; ch < c; ch++) {
      const plane = ch * h * w;
      for (let oy = 0; oy < oh; oy++) {
        const [y0, y1] = window(oy, h);
        for (let ox = 0; ox < ow; ox++) {
          const [x0, x1] = window(ox, w);
          let best = -Infinity;
          for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) best = Math.max(best, x[plane + yy * w + xx]!);
          out[(ch * oh + oy) * ow + ox] = best;
        }
      }
    }
  } else {
    // Channels innermost: contiguous in NHWC.
    out.fill(-Infinity);
    for (let oy = 0; oy < oh; oy++) {
      const [y0, y1] = window(oy, h);
      for (let ox = 0; ox < ow; ox++) {
        const [x0, x1] = window(ox, w);
        const o = (oy * ow + ox) * c;
        for (let yy = y0; yy < y1; yy++) {
          for (let xx = x0; xx < x1; xx++) {
            const i = (yy * w + xx) * c;
            for (let ch = 0; ch < c; ch++) out[o + ch] = Math.max(out[o + ch]!, x[i + ch]!);
          }
        }
      }
    }
  }
  return { data: out, shape: shapeOf(n.outShape, layout) };
}

function globalAvgPool(v: Value, n: GlobalAvgPoolNode, layout: Layout): Value {
  const { channels: c, height: h, width: w } = n.inShape;
  const x = v.data;
  const sums = new Float64Array(c);
  if (layout === 'NCHW') {
    for (let ch = 0; ch < c; ch++) for (let p = 0; p < h * w; p++) sums[ch]! += x[ch * h * w + p]!;
  } else {
    for (let p = 0; p < h * w; p++) for (let ch = 0; ch < c; ch++) sums[ch]! += x[p * c + ch]!;
  }
  const out = new Float32Array(c);
  for (let ch = 0; ch < c; ch++) out[ch] = sums[ch]! / (h * w);
  return { data: out, shape: shapeOf(n.outShape, layout) };
}

// --- executor -------------------------------------------------------------------------------------

export interface SimdconvEngineOptions {
  layout: Layout;
  /** conv.runAsync on the worker pool (init({ threads }) first) instead of conv.run. */
  async?: boolean;
}

export function prepareSimdconv(graph: Graph, { layout, async = false }: SimdconvEngineOptions): NetworkRunner {
  const convs = new Map<string, PreparedConv>();
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
    for (const [name, last] of lastUse) if (last === i) map.delete(name);
  };

  const runSync = (input: Float32Array) => {
    const map = values(input);
    graph.nodes.forEach((n, i) => {
      map.set(n.output, step(n, (name) => map.get(name)!, false) as Value);
      release(map, i);
    });
    return toOutput(map.get(graph.output)!);
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
    return { output: toOutput(map.get(graph.output)!), nodeMs };
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
