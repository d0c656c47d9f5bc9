// conv3d as one batched conv2d, so it runs on the same SIMD paths (Winograd included): each output
// depth od reads kD input depth slices; stacked as channels (channel c·kD + kd holds slice
// od·stride + kd·dilation − padFront of channel c, zeros outside) they form one image of a batch of
// N·outD, and OIDHW weights [M, C/groups, kD, kH, kW] are already conv2d OIHW [M, C/groups·kD, kH, kW].

import { getRuntime } from '../runtime.js';
import { type Conv2dPlan, PreparedConv2d } from './conv2d.js';
import { preparedForm, readArgument, readOptions, runOnce, runOnceAsync, type OutputFor, type PointerOp, type Prepared, type TensorInput } from '../core/prepared.js';
import { Region } from '../memory/region.js';
import { READ_SLACK_BYTES } from '../memory/staging.js';
import { checkOptionKeys, checkWeight, conv3dInputAxes, OPTION_KEYS, resolveConv3d, type Conv3dGeometry } from '../shape.js';
import type { Conv3dOptions, TensorData } from '../types.js';

export type Conv3d = Prepared;

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

interface Conv3dPlan {
  g: Conv3dGeometry;
  conv: PreparedConv2d;
  plan: Conv2dPlan;
  stackedFloats: number;
}

/** conv3d's pointer form: depth slices stacked as channels, one batched conv2d, planes put back in order. */
class PreparedConv3d implements PointerOp<Conv3dPlan> {
  readonly name = 'conv3d';
  readonly inputRank = 5;
  readonly inputAxes: string;
  private readonly oidhw: Float32Array;
  private readonly snapshot: TensorData;
  private readonly stacked = new Region();
  private readonly unstacked = new Region();
  /** Inner conv2d per (H/W padding) the input resolves to; 'same' padding depends on the input. */
  private inner: { key: string; conv: PreparedConv2d } | null = null;

  constructor(weightArgument: TensorInput, private readonly options: Conv3dOptions) {
    const weightLayout = options.weightLayout ?? (options.layout === 'NDHWC' ? 'DHWIO' : 'OIDHW');
    const w = checkWeight(readArgument(weightArgument), 5, weightLayout === 'DHWIO' ? 'DHWIO [kD, kH, kW, C/groups, M]' : 'OIDHW [M, C/groups, kD, kH, kW]');
    // A snapshot, as conv2d takes one: later changes to the caller's weights do not leak in.
    this.oidhw = weightLayout === 'DHWIO' ? toOIDHW(w.data, w.shape) : w.data.slice();
    this.snapshot = { data: weightLayout === 'DHWIO' ? w.data.slice() : this.oidhw, shape: [...w.shape] };
    this.options = { ...options, ...(options.bias instanceof Float32Array ? { bias: options.bias.slice() } : {}) };
    this.inputAxes = conv3dInputAxes(options.layout);
  }

  plan(shape: readonly number[]): Conv3dPlan {
    const g = resolveConv3d(shape, this.snapshot, this.options, 'conv3d');
    const key = [g.padTop, g.padBottom, g.padLeft, g.padRight].join();
    if (this.inner?.key !== key) {
      this.inner?.conv.release();
      this.inner = null;
      const conv = new PreparedConv2d(
        { data: this.oidhw, shape: [g.outChannels, (g.inChannels / g.groups) * g.kernelD, g.kernelH, g.kernelW] },
        {
          ...g.conv2dOptions, layout: g.layout === 'NCDHW' ? 'NCHW' : 'NHWC', weightLayout: 'OIHW', groups: g.groups,
          stride: [g.strideH, g.strideW], dilation: [g.dilationH, g.dilationW],
          padding: { top: g.padTop, bottom: g.padBottom, left: g.padLeft, right: g.padRight },
        },
      );
      this.inner = { key, conv };
    }
    const stackedShape = g.layout === 'NCDHW' ? [g.batch * g.outD, g.inChannels * g.kernelD, g.inH, g.inW] : [g.batch * g.outD, g.inH, g.inW, g.inChannels * g.kernelD];
    const conv = this.inner.conv;
    return { g, conv, plan: conv.plan(stackedShape), stackedFloats: g.batch * g.outD * g.kernelD * g.inChannels * g.inH * g.inW };
  }

  outputShape({ g }: Conv3dPlan): number[] {
    return g.layout === 'NCDHW' ? [g.batch, g.outChannels, g.outD, g.outH, g.outW] : [g.batch, g.outD, g.outH, g.outW, g.outChannels];
  }

  workspaceBytes({ conv, plan, stackedFloats }: Conv3dPlan): Record<string, number> {
    return { 'stacked input': stackedFloats * 4, ...conv.workspaceBytes(plan) };
  }

  /** Stacks the input; returns where the inner conv reads and writes. */
  private stage(p: Conv3dPlan, input: number, output: number): { stacked: number; result: number } {
    const rt = getRuntime();
    const stacked = this.stacked.ensure(rt, p.stackedFloats * 4 + READ_SLACK_BYTES);
    // NDHWC's batched output already is the 3-D output in order; NCDHW's planes move after.
    const result = p.g.layout === 'NDHWC' ? output : this.unstacked.ensure(rt, this.outputFloats(p) * 4);
    const g = p.g;
    rt.kernels.stackDepthSlices(input, g.batch, g.inChannels, g.inD, g.inH * g.inW, g.kernelD, g.outD, g.strideD, g.dilationD, g.padFront, g.layout === 'NDHWC', stacked);
    return { stacked, result };
  }

  private outputFloats({ g }: Conv3dPlan): number {
    return g.batch * g.outChannels * g.outD * g.outH * g.outW;
  }

  private finish(p: Conv3dPlan, result: number, output: number): void {
    if (result === output) return;
    const g = p.g;
    // [N·outD, M, plane] → [N, M, outD, plane]: whole planes move.
    getRuntime().kernels.swapPlaneAxes(result, g.batch, g.outD, g.outChannels, g.outH * g.outW, output);
  }

  run(p: Conv3dPlan, input: number, output: number): void {
    const { stacked, result } = this.stage(p, input, output);
    p.conv.run(p.plan, stacked, result);
    this.finish(p, result, output);
  }

  async runParallel(p: Conv3dPlan, input: number, output: number): Promise<void> {
    const { stacked, result } = this.stage(p, input, output);
    await p.conv.runParallel(p.plan, stacked, result);
    this.finish(p, result, output);
  }

  release(): void {
    const rt = getRuntime();
    this.inner?.conv.release();
    this.inner = null;
    this.stacked.free(rt);
    this.unstacked.free(rt);
  }
}

export function createConv3d(weight: TensorInput, options: Conv3dOptions = {}): Conv3d {
  getRuntime(); // fails now, not at the first run, when init() has not been called
  if (typeof options !== 'object' || options === null) throw new TypeError('createConv3d: options must be an object');
  options = readOptions(options);
  checkOptionKeys(options, OPTION_KEYS.conv3d, 'createConv3d');
  return preparedForm(new PreparedConv3d(weight, options));
}

/** One 3-D convolution: input `[N, C, D, H, W]` (NCDHW) or `[N, D, H, W, C]` (NDHWC). */
export function conv3d<In extends TensorInput>(input: In, weight: TensorInput, options?: Conv3dOptions): OutputFor<In> {
  return runOnce(createConv3d(weight, options), input);
}

/** conv3d on the worker pool. */
export function conv3dAsync<In extends TensorInput>(input: In, weight: TensorInput, options?: Conv3dOptions): Promise<OutputFor<In>> {
  return runOnceAsync(createConv3d(weight, options), input);
}
