// conv3d as one batched conv2d, so it runs on the same SIMD paths (Winograd included): each output
// depth od reads kD input depth slices; stacked as channels (channel c·kD + kd holds slice
// od·stride + kd·dilation − padFront of channel c, zeros outside) they form one image of a batch of
// N·outD, and OIDHW weights [M, C/groups, kD, kH, kW] are already conv2d OIHW [M, C/groups·kD, kH, kW].

import { checkCallFits } from '../memory/arena.js';
import { getRuntime } from '../runtime.js';
import { type Conv2d, createConv2d } from './conv2d.js';
import { runOnce, runOnceAsync } from '../core/lifecycle.js';
import { checkOptionKeys, checkTensor, checkWeight, OPTION_KEYS, resolveConv3d, type Conv3dGeometry } from '../shape.js';
import type { Conv3dOptions, Tensor } from '../types.js';

export type Conv3d = Conv2d;

/** DHWIO [kD, kH, kW, C/g, M] → OIDHW [M, C/g, kD, kH, kW]. */
function toOIDHW(data: Float32Array, shape: readonly number[]): Float32Array {
  const [kD, kH, kW, Cg, M] = shape as [number, number, number, number, number];
  const out = new Float32Array(data.length);
  let i = 0;
  for (let kd = 0; kd < kD; kd++)
    for (let kh = 0; kh < kH; kh++)
      for (let kw = 0; kw < kW; kw++)
        for (let c = 0; c < Cg; c++)
          for (let m = 0; m < M; m++) out[(((m * Cg + c) * kD + kd) * kH + kh) * kW + kw] = data[i++]!;
  return out;
}

/** The batch of N·outD images of C·kD stacked depth slices, in the conv2d layout. */
function stackSlices(g: Conv3dGeometry, x: Float32Array): Tensor {
  const { batch: N, inChannels: C, inD, inH, inW, kernelD: kD, outD } = g;
  const plane = inH * inW;
  const channels = C * kD;
  const out = new Float32Array(N * outD * channels * plane);
  for (let n = 0; n < N; n++) {
    for (let od = 0; od < outD; od++) {
      const image = n * outD + od;
      for (let kd = 0; kd < kD; kd++) {
        const id = od * g.strideD + kd * g.dilationD - g.padFront;
        if (id < 0 || id >= inD) continue; // stays zero
        if (g.layout === 'NCDHW') {
          for (let c = 0; c < C; c++) {
            const from = ((n * C + c) * inD + id) * plane;
            out.set(x.subarray(from, from + plane), (image * channels + c * kD + kd) * plane);
          }
        } else {
          for (let p = 0; p < plane; p++) {
            const from = ((n * inD + id) * plane + p) * C;
            const to = (image * plane + p) * channels + kd;
            for (let c = 0; c < C; c++) out[to + c * kD] = x[from + c]!;
          }
        }
      }
    }
  }
  return { data: out, shape: g.layout === 'NCDHW' ? [N * outD, channels, inH, inW] : [N * outD, inH, inW, channels] };
}

export function createConv3d(weight: Tensor, options: Conv3dOptions = {}): Conv3d {
  getRuntime(); // fails now, not at the first run, when init() has not been called
  if (typeof options !== 'object' || options === null) throw new TypeError('createConv3d: options must be an object');
  checkOptionKeys(options, OPTION_KEYS.conv3d, 'createConv3d');
  const weightLayout = options.weightLayout ?? (options.layout === 'NDHWC' ? 'DHWIO' : 'OIDHW');
  const w = checkWeight(weight, 5, weightLayout === 'DHWIO' ? 'DHWIO [kD, kH, kW, C/groups, M]' : 'OIDHW [M, C/groups, kD, kH, kW]');
  // A snapshot, as conv2d takes one: later changes to the caller's weights do not leak in.
  const oidhw = weightLayout === 'DHWIO' ? toOIDHW(w.data, w.shape) : w.data.slice();
  const snapshot = { data: weightLayout === 'DHWIO' ? w.data.slice() : oidhw, shape: [...w.shape] };
  options = { ...options, ...(options.bias instanceof Float32Array ? { bias: options.bias.slice() } : {}) };
  // Inner conv2d per (H/W padding) the input resolves to; 'same' padding depends on the input.
  let inner: { key: string; conv: Conv2d } | null = null;
  let disposed = false;
  // The inner conv2d for this input (made on first use and per padding), its input stacked.
  const prepare = (input: Tensor): { g: Conv3dGeometry; conv: Conv2d; stacked: Tensor } => {
    if (disposed) throw new Error('simdconv: run() called on a disposed conv3d');
    const g = resolveConv3d(input, snapshot, options, 'conv3d');
    // The stacked depth slices (built in JavaScript) and the output, before either exists.
    const Cg = g.inChannels / g.groups;
    checkCallFits('conv3d', {
      'stacked input': g.batch * g.outD * g.kernelD * g.inChannels * g.inH * g.inW * 4,
      output: g.batch * g.outChannels * g.outD * g.outH * g.outW * 4,
    });
    const key = [g.padTop, g.padBottom, g.padLeft, g.padRight].join();
    if (inner?.key !== key) {
      inner?.conv.dispose();
      inner = null;
      const conv = createConv2d(
        { data: oidhw, shape: [g.outChannels, Cg * g.kernelD, g.kernelH, g.kernelW] },
        {
          ...g.conv2dOptions, layout: g.layout === 'NCDHW' ? 'NCHW' : 'NHWC', weightLayout: 'OIHW', groups: g.groups,
          stride: [g.strideH, g.strideW], dilation: [g.dilationH, g.dilationW],
          padding: { top: g.padTop, bottom: g.padBottom, left: g.padLeft, right: g.padRight },
        },
      );
      inner = { key, conv };
    }
    return { g, conv: inner.conv, stacked: stackSlices(g, input.data) };
  };
  return {
    run(input: Tensor): Tensor {
      const { g, conv, stacked } = prepare(input);
      return unstack(g, conv.run(stacked));
    },
    async runAsync(input: Tensor): Promise<Tensor> {
      const { g, conv, stacked } = prepare(input);
      return unstack(g, await conv.runAsync(stacked));
    },
    dispose(): void {
      disposed = true;
      inner?.conv.dispose();
      inner = null;
    },
  };
}

/** The batched conv2d's [N·outD, …] result as the 3-D output. */
function unstack(g: Conv3dGeometry, y2: Tensor): Tensor {
  const { batch: N, outChannels: M, outD, outH, outW } = g;
  if (g.layout === 'NDHWC') return { data: y2.data, shape: [N, outD, outH, outW, M] }; // already in order
  // [N·outD, M, outH, outW] → [N, M, outD, outH, outW]: move whole planes.
  const plane = outH * outW;
  const y = new Float32Array(y2.data.length);
  for (let n = 0; n < N; n++)
    for (let od = 0; od < outD; od++)
      for (let m = 0; m < M; m++) {
        const from = ((n * outD + od) * M + m) * plane;
        y.set(y2.data.subarray(from, from + plane), ((n * M + m) * outD + od) * plane);
      }
  return { data: y, shape: [N, M, outD, outH, outW] };
}

/** One 3-D convolution: input `[N, C, D, H, W]` (NCDHW) or `[N, D, H, W, C]` (NDHWC). */
export function conv3d(input: Tensor, weight: Tensor, options?: Conv3dOptions): Tensor {
  return runOnce(createConv3d(weight, options), input);
}

/** conv3d on the worker pool. */
export function conv3dAsync(input: Tensor, weight: Tensor, options?: Conv3dOptions): Promise<Tensor> {
  return runOnceAsync(createConv3d(weight, options), input);
}
