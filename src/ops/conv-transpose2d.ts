// convTranspose2d (deconvolution): the adjoint of conv2d, computed as conv2d work on the same
// SIMD paths. Two forms:
// - by phases (dilation 1): output rows oh ≡ r (mod stride) receive only the kernel rows
//   kh ≡ (r + padTop) (mod stride), so the output splits into stride_h × stride_w interleaved
//   phases, each a dense stride-1 conv2d of the input with a small flipped sub-kernel; no work is
//   spent on zeros.
// - spread (any dilation, or padding so large that a phase would need negative padding): the
//   input spread out by the stride (zeros between pixels), bordered by dilation·(k − 1) − padding
//   (a negative border crops), convolved at stride 1 with the flipped, channel-swapped weights.

import { Region } from '../memory/region.js';
import { floatView, READ_SLACK_BYTES } from '../memory/staging.js';
import { type Conv2d, type Conv2dPlan, outputBytes, PreparedConv2d } from './conv2d.js';
import { preparedForm, readArgument, readOptions, runOnce, runOnceAsync, type OutputFor, type PointerOp, type TensorInput } from '../core/prepared.js';
import { applyActivation } from '../activation.js';
import { getRuntime } from '../runtime.js';
import {
  inputAxes, resolveConvTranspose2dFilter, resolveConvTranspose2dGeometry, type ConvTranspose2dFilter, type ConvTranspose2dGeometry,
} from '../shape.js';
import type { ConvTranspose2dOptions, TensorData } from '../types.js';

/** The conv2d weights OIHW [M, C/groups, kH, kW] equivalent to transposed weights. */
function flippedWeights(f: ConvTranspose2dFilter, data: Float32Array): Float32Array {
  const { inChannels: C, outChannels: M, groups, kernelH: kH, kernelW: kW } = f;
  const channelsPerGroup = C / groups;
  const filtersPerGroup = M / groups;
  const out = new Float32Array(M * channelsPerGroup * kH * kW);
  for (let group = 0; group < groups; group++) {
    for (let m = 0; m < filtersPerGroup; m++) {
      for (let c = 0; c < channelsPerGroup; c++) {
        for (let kh = 0; kh < kH; kh++) {
          for (let kw = 0; kw < kW; kw++) {
            out[(((group * filtersPerGroup + m) * channelsPerGroup + c) * kH + kh) * kW + kw] =
              data[f.weightIndex(group * channelsPerGroup + c, m, kH - 1 - kh, kW - 1 - kw)]!;
          }
        }
      }
    }
  }
  return out;
}

/** The stride-spread, bordered input's shape, in the input's layout. */
function spreadShape(g: ConvTranspose2dGeometry): number[] {
  const height = (g.inH - 1) * g.strideH + 1 + 2 * g.dilationH * (g.kernelH - 1) - g.padTop - g.padBottom + g.outputPaddingH;
  const width = (g.inW - 1) * g.strideW + 1 + 2 * g.dilationW * (g.kernelW - 1) - g.padLeft - g.padRight + g.outputPaddingW;
  return g.layout === 'NCHW' ? [g.batch, g.inChannels, height, width] : [g.batch, height, width, g.inChannels];
}

/** One axis of one phase: outputs s·j + r (j < count) = Σ_t x[j − pad + t] · subkernel[t]. */
interface PhaseAxis {
  /** Kernel taps of this phase: first = residue, then every stride-th; `taps` of them. */
  residue: number;
  taps: number;
  /** Padding before the input the phase's conv2d needs (≥ 0 for the phase form to apply). */
  pad: number;
  /** Outputs of this phase. */
  count: number;
}

function phaseAxis(r: number, stride: number, kernel: number, padBegin: number, outSize: number, inSize: number): PhaseAxis & { padEnd: number } {
  const residue = (r + padBegin) % stride;
  const shift = Math.floor((r + padBegin) / stride);
  const taps = residue < kernel ? Math.ceil((kernel - residue) / stride) : 0;
  const count = Math.max(0, Math.ceil((outSize - r) / stride));
  const pad = taps - 1 - shift;
  // Enough padding at the end for `count` outputs; surplus outputs are computed and not used.
  const padEnd = Math.max(0, count - inSize - pad + taps - 1);
  return { residue, taps, pad, count, padEnd };
}

interface Phase {
  rowPhase: number;
  colPhase: number;
  rows: PhaseAxis;
  cols: PhaseAxis;
  /** null: no kernel tap reaches this phase, its outputs are the activated bias. */
  conv: PreparedConv2d | null;
}

/** The phases of a geometry, or null when one would need negative padding (use the spread form). */
/** Beyond this many stride phases (strides far past any model's) the spread form is used. */
const MAX_PHASES = 1024;

function makePhases(f: ConvTranspose2dFilter, g: ConvTranspose2dGeometry, weight: Float32Array): Phase[] | null {
  if (g.dilationH !== 1 || g.dilationW !== 1 || g.strideH * g.strideW > MAX_PHASES) return null;
  const rows = Array.from({ length: g.strideH }, (_, r) => phaseAxis(r, g.strideH, g.kernelH, g.padTop, g.outH, g.inH));
  const cols = Array.from({ length: g.strideW }, (_, r) => phaseAxis(r, g.strideW, g.kernelW, g.padLeft, g.outW, g.inW));
  if ([...rows, ...cols].some((axis) => axis.taps > 0 && axis.pad < 0)) return null;
  const channelsPerGroup = f.inChannels / f.groups;
  const filtersPerGroup = f.outChannels / f.groups;
  const phases: Phase[] = [];
  for (const [rowPhase, rowAxis] of rows.entries()) {
    for (const [colPhase, colAxis] of cols.entries()) {
      if (rowAxis.count === 0 || colAxis.count === 0) continue;
      let conv: PreparedConv2d | null = null;
      if (rowAxis.taps > 0 && colAxis.taps > 0) {
        const [th, tw] = [rowAxis.taps, colAxis.taps];
        // Sub-kernel OIHW [M, C/g, th, tw], flipped: tap t reads kernel row residue + stride·(th − 1 − t).
        const sub = new Float32Array(f.outChannels * channelsPerGroup * th * tw);
        for (let group = 0; group < f.groups; group++)
          for (let m = 0; m < filtersPerGroup; m++)
            for (let c = 0; c < channelsPerGroup; c++)
              for (let t = 0; t < th; t++)
                for (let u = 0; u < tw; u++) {
                  sub[(((group * filtersPerGroup + m) * channelsPerGroup + c) * th + t) * tw + u] = weight[f.weightIndex(
                    group * channelsPerGroup + c, m, rowAxis.residue + g.strideH * (th - 1 - t), colAxis.residue + g.strideW * (tw - 1 - u),
                  )]!;
                }
        conv = new PreparedConv2d({ data: sub, shape: [f.outChannels, channelsPerGroup, th, tw] }, {
          ...f.conv2dOptions, layout: f.layout, weightLayout: 'OIHW', groups: f.groups,
          padding: { top: rowAxis.pad, bottom: rowAxis.padEnd, left: colAxis.pad, right: colAxis.padEnd },
        });
      }
      phases.push({ rowPhase, colPhase, rows: rowAxis, cols: colAxis, conv });
    }
  }
  return phases;
}

/** One call: the geometry, and its phases with their plans (null: the spread form). */
interface TransposePlan {
  g: ConvTranspose2dGeometry;
  phases: Phase[] | null;
  plans: Array<Conv2dPlan | null>;
  /** The spread form's input shape and plan. */
  spread: { shape: number[]; plan: Conv2dPlan } | null;
}

/** convTranspose2d's pointer form: phase convs interleaved into the output, or one conv of the spread input. */
class PreparedConvTranspose2d implements PointerOp<TransposePlan> {
  readonly name = 'convTranspose2d';
  readonly inputRank = 4;
  readonly inputAxes: string;
  private readonly filter: ConvTranspose2dFilter;
  private readonly weights: Float32Array;
  private spreadConv: PreparedConv2d | null = null;
  private phased: { key: string; phases: Phase[] | null } | null = null;
  private readonly regions = { spread: new Region(), phase: new Region(), scratch: new Region() };

  constructor(weightArgument: TensorInput, options: ConvTranspose2dOptions | undefined) {
    const weight = readArgument(weightArgument);
    this.filter = resolveConvTranspose2dFilter(weight, readOptions(options), 'createConvTranspose2d');
    this.weights = (weight as TensorData).data.slice();
    this.inputAxes = inputAxes(this.filter.layout);
  }

  plan(shape: readonly number[]): TransposePlan {
    const filter = this.filter;
    const g = resolveConvTranspose2dGeometry(filter, shape);
    // Phases depend on the padding, which 'same' resolves per input size.
    const key = [g.padTop, g.padLeft, g.outH, g.outW, g.inH, g.inW].join();
    if (this.phased?.key !== key) {
      this.releasePhases();
      this.phased = { key, phases: makePhases(filter, g, this.weights) };
    }
    const phases = this.phased.phases;
    if (phases) return { g, phases, plans: phases.map((phase) => (phase.conv ? phase.conv.plan(shape) : null)), spread: null };
    this.spreadConv ??= new PreparedConv2d(
      { data: flippedWeights(filter, this.weights), shape: [filter.outChannels, filter.inChannels / filter.groups, filter.kernelH, filter.kernelW] },
      { ...filter.conv2dOptions, layout: filter.layout, weightLayout: 'OIHW', groups: filter.groups, dilation: [filter.dilationH, filter.dilationW] },
    );
    const spread = spreadShape(g);
    return { g, phases: null, plans: [], spread: { shape: spread, plan: this.spreadConv.plan(spread) } };
  }

  outputShape({ g }: TransposePlan): number[] {
    return g.layout === 'NCHW' ? [g.batch, g.outChannels, g.outH, g.outW] : [g.batch, g.outH, g.outW, g.outChannels];
  }

  workspaceBytes(p: TransposePlan): Record<string, number> {
    if (p.spread) return { 'spread input': p.spread.shape.reduce((a, b) => a * b, 1) * 4, ...this.spreadConv!.workspaceBytes(p.spread.plan) };
    return {
      'phase output': Math.max(0, ...p.plans.map((plan) => (plan ? outputBytes(plan) : 0))),
      scratch: Math.max(0, ...p.plans.map((plan) => (plan ? plan.algorithm.scratchBytes(plan.geometry) : 0))),
    };
  }

  /** The spread input, written from `input` into memory of its own. */
  private spreadFrom(p: TransposePlan, input: number): number {
    const rt = getRuntime();
    const floats = p.spread!.shape.reduce((a, b) => a * b, 1);
    const ptr = this.regions.spread.ensure(rt, floats * 4 + READ_SLACK_BYTES);
    const g = p.g;
    const nchw = g.layout === 'NCHW';
    const [height, width] = nchw ? [p.spread!.shape[2]!, p.spread!.shape[3]!] : [p.spread!.shape[1]!, p.spread!.shape[2]!];
    rt.kernels.spreadPixels(
      input, g.batch, g.inChannels, g.inH, g.inW, g.strideH, g.strideW,
      g.dilationH * (g.kernelH - 1) - g.padTop, g.dilationW * (g.kernelW - 1) - g.padLeft, height, width, !nchw, ptr,
    );
    return ptr;
  }

  run(p: TransposePlan, input: number, output: number): void {
    if (p.spread) {
      this.spreadConv!.run(p.spread.plan, this.spreadFrom(p, input), output);
      return;
    }
    const steps = this.runPhases(p, input, output);
    for (let step = steps.next(); !step.done; step = steps.next()) {
      step.value.conv.runInMemoryShared(step.value.plan, step.value.input, step.value.output, step.value.scratch);
    }
  }

  async runParallel(p: TransposePlan, input: number, output: number): Promise<void> {
    if (p.spread) {
      await this.spreadConv!.runParallel(p.spread.plan, this.spreadFrom(p, input), output);
      return;
    }
    const steps = this.runPhases(p, input, output);
    for (let step = steps.next(); !step.done; step = steps.next()) {
      await step.value.conv.runInMemoryParallel(step.value.plan, step.value.input, step.value.output);
    }
  }

  /**
   * The phase form, one phase at a time: yields each phase's conv for the caller to run (on this
   * thread or on the pool), then interleaves its output into the result.
   */
  private *runPhases(p: TransposePlan, inputPtr: number, outputPtr: number): Generator<PhaseStep, void, void> {
    const { g, plans } = p;
    const filter = this.filter;
    const rt = getRuntime();
    const M = g.outChannels;
    const nchw = g.layout === 'NCHW';
    const resultLength = g.batch * M * g.outH * g.outW;
    const phasePtr = this.regions.phase.ensure(rt, Math.max(64, ...plans.map((plan) => (plan ? outputBytes(plan) : 0))));
    const scratchPtr = this.regions.scratch.ensure(rt, Math.max(64, ...plans.map((plan) => (plan ? plan.algorithm.scratchBytes(plan.geometry) : 0))));
    for (const [index, phase] of p.phases!.entries()) {
      const { rows, cols } = phase;
      const plan = plans[index];
      if (!phase.conv || !plan) {
        // No tap reaches these outputs: the activated bias, in float32 as the kernels compute it.
        const result = floatView(rt, outputPtr, resultLength);
        for (let n = 0; n < g.batch; n++)
          for (let m = 0; m < M; m++) {
            const value = applyActivation(filter.bias ? filter.bias[m]! : 0, filter.activation, Math.fround(filter.alpha));
            for (let j = 0; j < rows.count; j++)
              for (let i = 0; i < cols.count; i++) {
                const [oh, ow] = [phase.rowPhase + g.strideH * j, phase.colPhase + g.strideW * i];
                result[nchw ? ((n * M + m) * g.outH + oh) * g.outW + ow : ((n * g.outH + oh) * g.outW + ow) * M + m] = value;
              }
          }
        continue;
      }
      yield { conv: phase.conv, plan, input: inputPtr, output: phasePtr, scratch: scratchPtr };
      const { outH: ph, outW: pw } = plan.geometry;
      // Interleave the phase into the result: planes of one channel (NCHW) or of all M (NHWC).
      const element = nchw ? 1 : M;
      rt.kernels.scatterPhase(
        phasePtr, ph * pw * element, pw * element,
        outputPtr, g.outH * g.outW * element, g.outW * element,
        nchw ? g.batch * M : g.batch, rows.count, cols.count, element,
        phase.rowPhase, g.strideH, phase.colPhase, g.strideW,
      );
    }
  }

  private releasePhases(): void {
    for (const phase of this.phased?.phases ?? []) phase.conv?.release();
    this.phased = null;
  }

  release(): void {
    this.releasePhases();
    this.spreadConv?.release();
    const rt = getRuntime();
    for (const region of Object.values(this.regions)) region.free(rt);
  }
}

interface PhaseStep {
  conv: PreparedConv2d;
  plan: Conv2dPlan;
  input: number;
  output: number;
  scratch: number;
}

export function createConvTranspose2d(weight: TensorInput, options?: ConvTranspose2dOptions): Conv2d {
  getRuntime(); // fails now, not at the first run, when init() has not been called
  return preparedForm(new PreparedConvTranspose2d(weight, options));
}

/** One transposed convolution (ONNX ConvTranspose / PyTorch conv_transpose2d semantics). */
export function convTranspose2d<In extends TensorInput>(input: In, weight: TensorInput, options?: ConvTranspose2dOptions): OutputFor<In> {
  return runOnce(createConvTranspose2d(weight, options), input);
}

/** convTranspose2d on the worker pool. */
export function convTranspose2dAsync<In extends TensorInput>(input: In, weight: TensorInput, options?: ConvTranspose2dOptions): Promise<OutputFor<In>> {
  return runOnceAsync(createConvTranspose2d(weight, options), input);
}
