// convTranspose2d (deconvolution): the adjoint of conv2d, computed as conv2d work on the same
// SIMD paths. Two forms:
// - by phases (dilation 1): output rows oh ≡ r (mod stride) receive only the kernel rows
//   kh ≡ (r + padTop) (mod stride), so the output splits into stride_h × stride_w interleaved
//   phases, each a dense stride-1 conv2d of the input with a small flipped sub-kernel; no work is
//   spent on zeros.
// - spread (any dilation, or padding so large that a phase would need negative padding): the
//   input spread out by the stride (zeros between pixels), bordered by dilation·(k − 1) − padding
//   (a negative border crops), convolved at stride 1 with the flipped, channel-swapped weights.

import { checkCallFits } from '../memory/arena.js';
import { Region } from '../memory/region.js';
import { floatView, READ_SLACK_BYTES, readFloats, writeFloats } from '../memory/staging.js';
import { type Conv2d, type Conv2dPlan, createConv2d, outputBytes, PreparedConv2d } from './conv2d.js';
import { RunQueue, runOnce, runOnceAsync } from '../core/lifecycle.js';
import { applyActivation } from '../activation.js';
import { getRuntime } from '../runtime.js';
import {
  resolveConvTranspose2dFilter, resolveConvTranspose2dGeometry, type ConvTranspose2dFilter, type ConvTranspose2dGeometry,
} from '../shape.js';
import type { ConvTranspose2dOptions, Tensor } from '../types.js';

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

/** The stride-spread, bordered input the equivalent conv2d reads, in the input's layout. */
function spreadInput(g: ConvTranspose2dGeometry, x: Float32Array): Tensor {
  const borderTop = g.dilationH * (g.kernelH - 1) - g.padTop;
  const borderLeft = g.dilationW * (g.kernelW - 1) - g.padLeft;
  const height = (g.inH - 1) * g.strideH + 1 + borderTop + g.dilationH * (g.kernelH - 1) - g.padBottom + g.outputPaddingH;
  const width = (g.inW - 1) * g.strideW + 1 + borderLeft + g.dilationW * (g.kernelW - 1) - g.padRight + g.outputPaddingW;
  const C = g.inChannels;
  const out = new Float32Array(g.batch * C * height * width);
  const nchw = g.layout === 'NCHW';
  for (let n = 0; n < g.batch; n++) {
    for (let ih = 0; ih < g.inH; ih++) {
      const row = ih * g.strideH + borderTop;
      if (row < 0 || row >= height) continue;
      for (let iw = 0; iw < g.inW; iw++) {
        const col = iw * g.strideW + borderLeft;
        if (col < 0 || col >= width) continue;
        if (nchw) {
          for (let c = 0; c < C; c++) out[((n * C + c) * height + row) * width + col] = x[((n * C + c) * g.inH + ih) * g.inW + iw]!;
        } else {
          const from = ((n * g.inH + ih) * g.inW + iw) * C;
          out.set(x.subarray(from, from + C), ((n * height + row) * width + col) * C);
        }
      }
    }
  }
  return { data: out, shape: nchw ? [g.batch, C, height, width] : [g.batch, height, width, C] };
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

export function createConvTranspose2d(weight: Tensor, options?: ConvTranspose2dOptions): Conv2d {
  getRuntime(); // fails now, not at the first run, when init() has not been called
  const filter = resolveConvTranspose2dFilter(weight, options, 'createConvTranspose2d');
  const weights = weight.data.slice();
  let spread: Conv2d | null = null;
  let phased: { key: string; phases: Phase[] | null } | null = null;
  const regions = { input: new Region(), phase: new Region(), output: new Region(), scratch: new Region() };
  let disposed = false;
  const disposePhases = () => {
    for (const phase of phased?.phases ?? []) phase.conv?.dispose();
    phased = null;
  };

  const spreadConv = (): Conv2d => (spread ??= createConv2d(
    { data: flippedWeights(filter, weights), shape: [filter.outChannels, filter.inChannels / filter.groups, filter.kernelH, filter.kernelW] },
    { ...filter.conv2dOptions, layout: filter.layout, weightLayout: 'OIHW', groups: filter.groups, dilation: [filter.dilationH, filter.dilationW] },
  ));

  /**
   * The phase form, one phase at a time: yields each phase's conv for the caller to run (on this
   * thread or on the pool), then interleaves its output into the result; returns the result.
   */
  function* runPhases(g: ConvTranspose2dGeometry, phases: Phase[], input: Tensor): Generator<PhaseStep, Tensor, void> {
    const rt = getRuntime();
    const M = g.outChannels;
    const nchw = g.layout === 'NCHW';
    const plans = phases.map((phase) => (phase.conv ? phase.conv.planForShape(input.shape) : null));
    const resultLength = g.batch * M * g.outH * g.outW;
    const inputPtr = regions.input.ensure(rt, input.data.length * 4 + READ_SLACK_BYTES);
    const phasePtr = regions.phase.ensure(rt, Math.max(64, ...plans.map((plan) => (plan ? outputBytes(plan) : 0))));
    const outputPtr = regions.output.ensure(rt, resultLength * 4);
    const scratchPtr = regions.scratch.ensure(rt, Math.max(64, ...plans.map((plan) => (plan ? plan.algorithm.scratchBytes(plan.geometry) : 0))));
    writeFloats(rt, inputPtr, input.data);
    for (const [p, phase] of phases.entries()) {
      const { rows, cols } = phase;
      const plan = plans[p];
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
    return { data: readFloats(rt, outputPtr, resultLength), shape: nchw ? [g.batch, M, g.outH, g.outW] : [g.batch, g.outH, g.outW, M] };
  }

  /** The geometry for this input, and its phases (null: the spread form). */
  const prepare = (input: Tensor): { g: ConvTranspose2dGeometry; phases: Phase[] | null } => {
    if (disposed) throw new Error('simdconv: run() called on a disposed convTranspose2d');
    const g = resolveConvTranspose2dGeometry(filter, input);
    // Before any phase or spread buffer exists: each is about the size of the output.
    const outputBytes = g.batch * g.outChannels * g.outH * g.outW * 4;
    const spreadBytes = g.batch * g.inChannels * ((g.inH - 1) * g.strideH + g.dilationH * g.kernelH) * ((g.inW - 1) * g.strideW + g.dilationW * g.kernelW) * 4;
    checkCallFits('convTranspose2d', { input: input.data.length * 4, output: outputBytes, 'phase or spread input': Math.max(outputBytes, spreadBytes) });
    // Phases depend on the padding, which 'same' resolves per input size.
    const key = [g.padTop, g.padLeft, g.outH, g.outW, g.inH, g.inW].join();
    if (phased?.key !== key) {
      disposePhases();
      phased = { key, phases: makePhases(filter, g, weights) };
    }
    return { g, phases: phased.phases };
  };

  const queue = new RunQueue('convTranspose2d');
  return {
    run(input: Tensor): Tensor {
      queue.checkIdle();
      const { g, phases } = prepare(input);
      if (!phases) return spreadConv().run(spreadInput(g, input.data));
      const steps = runPhases(g, phases, input);
      for (let step = steps.next(); ; step = steps.next()) {
        if (step.done) return step.value;
        step.value.conv.runInMemory(step.value.plan, step.value.input, step.value.output, step.value.scratch);
      }
    },
    runAsync(input: Tensor): Promise<Tensor> {
      return queue.add(async () => {
        const { g, phases } = prepare(input);
        if (!phases) return spreadConv().runAsync(spreadInput(g, input.data));
        const steps = runPhases(g, phases, input);
        for (let step = steps.next(); ; step = steps.next()) {
          if (step.done) return step.value;
          await step.value.conv.runInMemoryParallel(step.value.plan, step.value.input, step.value.output);
        }
      });
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      const release = () => {
        disposePhases();
        spread?.dispose();
        const rt = getRuntime();
        for (const region of Object.values(regions)) region.free(rt);
      };
      queue.whenIdle(release);
    },
  };
}

interface PhaseStep {
  conv: PreparedConv2d;
  plan: Conv2dPlan;
  input: number;
  output: number;
  scratch: number;
}

/** One transposed convolution (ONNX ConvTranspose / PyTorch conv_transpose2d semantics). */
export function convTranspose2d(input: Tensor, weight: Tensor, options?: ConvTranspose2dOptions): Tensor {
  return runOnce(createConvTranspose2d(weight, options), input);
}

/** convTranspose2d on the worker pool. */
export function convTranspose2dAsync(input: Tensor, weight: Tensor, options?: ConvTranspose2dOptions): Promise<Tensor> {
  return runOnceAsync(createConvTranspose2d(weight, options), input);
}
