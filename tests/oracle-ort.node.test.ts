// onnxruntime-web (wasm backend) as a second oracle: random NCHW Conv, ConvTranspose and 1-D Conv
// configurations, each built into a one-node ONNX model (src/bench/onnx-model.ts) and run by ORT,
// then computed by simdconv/reference and by every simdconv path that can compute the shape.
// Output sizes are computed here from the ONNX formulas, not by simdconv's shape module.
//
// Each case draws from its own seed (BASE_SEED + case number), printed in every failure, so one
// case replays alone: set ORACLE_ORT_SEED to the base seed of a failing run.
import { beforeAll, describe, expect, it } from 'vitest';
import { conv1d, conv2d, convTranspose2d, init, type Algorithm, type TensorData } from 'simdconv';
import {
  conv1d as referenceConv1d, conv2d as referenceConv2d, convTranspose2d as referenceConvTranspose2d,
} from 'simdconv/reference';
import { encodeConvModel, ONNX_INPUT_NAME, ONNX_OUTPUT_NAME, type OnnxConvSpec } from '../src/bench/onnx-model.js';
import { onnxRuntimeWeb } from '../src/bench/peers.js';
import { pick, randomInt, randomTensor, referenceMagnitude, seededRandom } from './helpers.js';
import { algorithmsFor, Coverage, describeOptions, expectMatchesPeer, MismatchLog, peerMagnitude, winogradMayRun } from './oracle-peers.js';

const BASE_SEED = Number(process.env.ORACLE_ORT_SEED ?? 4_120_000);
const CONV2D_CASES = 320;
const CONV_TRANSPOSE2D_CASES = 320;
const CONV1D_CASES = 60;

beforeAll(async () => {
  await init({ threads: 1 });
});

/** One ORT session per case (creation is ~1–3 ms for these models), released after its run. */
async function runOrt(spec: OnnxConvSpec, input: Float32Array): Promise<TensorData> {
  const ort = await onnxRuntimeWeb();
  const session = await ort.InferenceSession.create(encodeConvModel(spec), {
    executionProviders: ['wasm'], graphOptimizationLevel: 'all', logSeverityLevel: 3,
  });
  try {
    const out = await session.run({ [ONNX_INPUT_NAME]: new ort.Tensor('float32', input, [...spec.inputShape]) });
    const y = out[ONNX_OUTPUT_NAME]!;
    return { data: y.data as Float32Array, shape: y.dims };
  } finally {
    await session.release();
  }
}

/** One spatial axis of a random case. */
interface Axis {
  size: number;
  kernel: number;
  stride: number;
  dilation: number;
  padBegin: number;
  padEnd: number;
  /** ConvTranspose only. */
  outputPadding: number;
}

interface OrtCase {
  seed: number;
  batch: number;
  channels: number;
  filters: number;
  groups: number;
  /** [H, W] (or [W] for 1-D). */
  axes: Axis[];
  /** auto_pad SAME_UPPER / simdconv padding 'same' (pads and output_padding unused). */
  same: boolean;
  bias: boolean;
}

const extent = (a: Axis): number => a.dilation * (a.kernel - 1) + 1;

/** ONNX Conv output size; SAME_UPPER: ceil(in / stride). */
function convOutSize(a: Axis, same: boolean): number {
  return same ? Math.ceil(a.size / a.stride) : Math.floor((a.size + a.padBegin + a.padEnd - extent(a)) / a.stride) + 1;
}

/** ONNX ConvTranspose output size: stride·(in − 1) + output_padding + extent − pads; SAME_UPPER: in·stride. */
function convTransposeOutSize(a: Axis, same: boolean): number {
  return same ? a.size * a.stride : a.stride * (a.size - 1) + a.outputPadding + extent(a) - a.padBegin - a.padEnd;
}

/**
 * What a case is drawn as. 'random': the general draw. 'depthwise width': a Conv with groups = C = M
 * whose output width is given (the NCHW depthwise kernel works in 32-column groups; its ragged last
 * group is where a store-lane bug hides). 'wide winograd': 3×3 stride 1, 64–96 channels and
 * filters, some dilation, an output 250–320 columns wide: enough tiles that a Winograd block holds
 * part of a tile row, so blocks start at column offsets (tx0 > 0) and dilation scales them.
 */
type CaseFamily = { kind: 'random' } | { kind: 'depthwise width'; outWidth: number } | { kind: 'wide winograd' };

/**
 * A random case: groups 1–3 or depthwise, up to 10 channels and filters per group (≥ 8 reaches
 * Winograd under 'auto'), kernels 1–5 with 3×3 common, strides and dilations 1–3, asymmetric pads
 * 0–3, SAME_UPPER, output_padding, bias, batch 1–3; shaped by `family`. Drawn again until the
 * output is non-empty.
 */
function randomOrtCase(seed: number, op: 'Conv' | 'ConvTranspose', rank: 1 | 2, family: CaseFamily = { kind: 'random' }): OrtCase {
  const random = seededRandom(seed);
  for (;;) {
    const wide = family.kind === 'wide winograd';
    const depthwise = family.kind === 'depthwise width' || (!wide && random() < 0.2);
    const groups = depthwise ? randomInt(random, 1, 12) : wide ? 1 : pick(random, [1, 1, 1, 2, 3]);
    const channels = depthwise ? groups : wide ? randomInt(random, 64, 96) : groups * randomInt(random, 1, 10);
    const filters = depthwise ? groups : wide ? randomInt(random, 64, 96) : groups * randomInt(random, 1, 10);
    const square3 = wide || random() < 0.4;
    const strided = !wide && random() < 0.5;
    const dilated = wide || random() < 0.3;
    const axes: Axis[] = Array.from({ length: rank }, () => {
      const stride = strided ? randomInt(random, 1, 3) : 1;
      return {
        size: wide ? randomInt(random, 1, 4) : randomInt(random, 1, rank === 1 ? 40 : 20),
        kernel: square3 ? 3 : pick(random, [1, 2, 3, 4, 5]),
        stride,
        dilation: dilated ? randomInt(random, wide ? 2 : 1, 3) : 1,
        padBegin: randomInt(random, 0, 3),
        padEnd: randomInt(random, 0, 3),
        // ORT refuses output_padding ≥ stride (simdconv allows up to max(stride, dilation) − 1).
        outputPadding: op === 'ConvTranspose' && random() < 0.5 ? randomInt(random, 0, stride - 1) : 0,
      };
    });
    let same = random() < 0.25;
    // ConvTranspose SAME_UPPER differs by design where the kernel extent is below the stride: ORT
    // then gives the unpadded full output ((in − 1)·stride + extent, measured: in 3, k 1, stride 3 → 7)
    // while simdconv's documented 'same' gives in·stride (output padding makes up the rest). Only
    // the extent ≥ stride cases, where both are in·stride with the odd pad at the end, are compared.
    if (same && op === 'ConvTranspose' && axes.some((a) => extent(a) < a.stride)) same = false;
    const width = axes[axes.length - 1]!;
    const outWidth = family.kind === 'depthwise width' ? family.outWidth : wide ? randomInt(random, 250, 320) : undefined;
    if (outWidth !== undefined) {
      // The input width that gives this Conv output width (inverting the ONNX formula).
      width.size = same ? outWidth * width.stride - randomInt(random, 0, width.stride - 1)
        : (outWidth - 1) * width.stride + extent(width) - width.padBegin - width.padEnd;
    }
    const outSize = op === 'Conv' ? convOutSize : convTransposeOutSize;
    if (axes.some((a) => a.size < 1 || outSize(a, same) < 1)) continue;
    return { seed, batch: wide ? 1 : randomInt(random, 1, 3), channels, filters, groups, axes, same, bias: random() < 0.5 };
  }
}

/** Where simdconv's paths apply: depthwise needs groups = C = M; Winograd a 3×3 kernel at stride 1. */
function pathsOf(c: OrtCase, op: 'Conv' | 'ConvTranspose'): { depthwise: boolean; winograd: boolean } {
  const depthwise = c.groups === c.channels && c.groups === c.filters;
  const is3x3 = c.axes.length === 2 && c.axes.every((a) => a.kernel === 3);
  const stride1 = c.axes.every((a) => a.stride === 1);
  // convTranspose2d runs stride-1 conv2d work: per stride phase (dilation 1: a 3×3 sub-kernel only
  // at stride 1) or on the stride-spread input (any dilation > 1: the 3×3 kernel itself).
  const winograd = is3x3 && (stride1 || (op === 'ConvTranspose' && c.axes.some((a) => a.dilation > 1)));
  return { depthwise, winograd };
}

const COVERAGE = [
  'asymmetric pads', 'SAME_UPPER', 'SAME_UPPER with dilation', 'dilation > 1', 'stride > 1', 'group > 1 (grouped)', 'depthwise',
  'bias', 'batch > 1', 'auto', 'gemm', 'direct', 'depthwise path', 'winograd path', 'winograd with dilation', '≥ 8 channels per group',
] as const;
/** Conv only: the wide Winograd family (blocks at column offsets, see CaseFamily). */
const WIDE_WINOGRAD = 'winograd, > 200 columns, ≥ 64 channels, dilated';
type CoverageName = (typeof COVERAGE)[number] | 'output_padding > 0' | typeof WIDE_WINOGRAD;

function coverageFor(op: 'Conv' | 'ConvTranspose'): Coverage<CoverageName> {
  return new Coverage<CoverageName>(op === 'Conv' ? [...COVERAGE, WIDE_WINOGRAD] : [...COVERAGE, 'output_padding > 0']);
}

function noteCase(coverage: Coverage<CoverageName>, c: OrtCase, op: 'Conv' | 'ConvTranspose', algorithms: Algorithm[]): void {
  coverage.note('asymmetric pads', !c.same && c.axes.some((a) => a.padBegin !== a.padEnd));
  coverage.note('SAME_UPPER', c.same);
  coverage.note('SAME_UPPER with dilation', c.same && dilated(c));
  coverage.note('dilation > 1', dilated(c));
  coverage.note('stride > 1', c.axes.some((a) => a.stride > 1));
  coverage.note('group > 1 (grouped)', c.groups > 1 && c.groups !== c.channels);
  coverage.note('depthwise', c.groups > 1 && c.groups === c.channels && c.groups === c.filters);
  coverage.note('bias', c.bias);
  coverage.note('batch > 1', c.batch > 1);
  if (op === 'Conv') {
    coverage.note(WIDE_WINOGRAD, algorithms.includes('winograd') && convOutSize(c.axes[1]!, c.same) > 200 && c.channels >= 64 && dilated(c));
  }
  if (op === 'ConvTranspose') coverage.note('output_padding > 0', !c.same && c.axes.some((a) => a.outputPadding > 0));
  coverage.note('≥ 8 channels per group', c.channels / c.groups >= 8);
  for (const algorithm of ['auto', 'gemm', 'direct'] as const) coverage.note(algorithm, algorithms.includes(algorithm));
  coverage.note('depthwise path', algorithms.includes('depthwise'));
  coverage.note('winograd path', algorithms.includes('winograd'));
  coverage.note('winograd with dilation', algorithms.includes('winograd') && dilated(c));
}

/** The ONNX model of a case: pads [begins..., ends...] or auto_pad, output shape from the ONNX formulas. */
function onnxSpec(c: OrtCase, op: 'Conv' | 'ConvTranspose', weight: TensorData, bias: Float32Array | undefined): OnnxConvSpec {
  const outSize = op === 'Conv' ? convOutSize : convTransposeOutSize;
  return {
    opType: op,
    inputShape: [c.batch, c.channels, ...c.axes.map((a) => a.size)],
    weight: weight.data,
    weightShape: weight.shape,
    ...(bias ? { bias } : {}),
    strides: c.axes.map((a) => a.stride),
    dilations: c.axes.map((a) => a.dilation),
    ...(c.same && !(op === 'Conv' && dilated(c))
      ? { autoPad: 'SAME_UPPER' as const }
      : { pads: [...c.axes.map((a) => padsOf(a, op, c.same)[0]), ...c.axes.map((a) => padsOf(a, op, c.same)[1])] }),
    ...(op === 'ConvTranspose' && !c.same ? { outputPadding: c.axes.map((a) => a.outputPadding) } : {}),
    group: c.groups,
    outputShape: [c.batch, c.filters, ...c.axes.map((a) => outSize(a, c.same))],
  };
}

const dilated = (c: OrtCase): boolean => c.axes.some((a) => a.dilation > 1);

/**
 * An axis's ONNX pads [begin, end]. ORT's Conv refuses auto_pad SAME_UPPER with dilation > 1
 * ("Dilation not supported for AutoPadType::SAME_UPPER"), so those cases get the pads the ONNX
 * spec defines for SAME_UPPER written out: total = max(0, (ceil(in / s) − 1)·s + extent − in),
 * the odd one at the end. simdconv is still given padding: 'same' (its dilated 'same' is what
 * this checks).
 */
function padsOf(a: Axis, op: 'Conv' | 'ConvTranspose', same: boolean): [number, number] {
  if (!same || op !== 'Conv') return [a.padBegin, a.padEnd];
  const total = Math.max(0, (Math.ceil(a.size / a.stride) - 1) * a.stride + extent(a) - a.size);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

type Op<O> = (input: TensorData, weight: TensorData, options: O) => TensorData;

/**
 * One case end to end: ORT's result, then the reference and each applicable simdconv path against
 * it, under the peer tolerance (with the Winograd term where Winograd may run).
 */
async function checkCase<O extends object>(
  log: MismatchLog, c: OrtCase, op: 'Conv' | 'ConvTranspose', options: O, fast: Op<O>, reference: Op<O>, algorithms: Algorithm[],
  winogradApplies: boolean,
): Promise<void> {
  const random = seededRandom(c.seed ^ 0x5eed);
  const perGroup = op === 'Conv' ? c.channels / c.groups : c.filters / c.groups;
  const kernel = c.axes.map((a) => a.kernel);
  const input = randomTensor(random, [c.batch, c.channels, ...c.axes.map((a) => a.size)]);
  const weight = randomTensor(random, op === 'Conv' ? [c.filters, perGroup, ...kernel] : [c.channels, perGroup, ...kernel]);
  const bias = c.bias ? randomTensor(random, [c.filters]).data : undefined;
  const fullOptions = { ...options, ...(bias ? { bias } : {}) };
  const label = `seed ${c.seed}: ${op} x [${input.shape}] w [${weight.shape}] ${describeOptions(fullOptions)}`;
  await log.check(label, async () => {
    const spec = onnxSpec(c, op, weight, bias);
    const peer = await runOrt(spec, input.data);
    expect([...peer.shape], `${label}: ORT output shape against the ONNX formula`).toEqual(spec.outputShape);
    const magnitude = referenceMagnitude(reference, input, weight, fullOptions);
    expectMatchesPeer(reference(input, weight, fullOptions), peer, magnitude, `${label}, simdconv/reference`);
    const dilation = Math.max(...c.axes.map((a) => a.dilation));
    for (const algorithm of algorithms) {
      const winograd = winogradMayRun(algorithm, winogradApplies) ? { shape: peer.shape, layout: 'NCHW' as const, dilation } : null;
      const actual = fast(input, weight, { ...fullOptions, algorithm });
      expectMatchesPeer(actual, peer, peerMagnitude(magnitude, winograd), `${label}, simdconv algorithm '${algorithm}'`);
    }
  });
}

/** simdconv options of a 2-D case: explicit pads as { top, bottom, left, right }, or 'same'. */
function options2d(c: OrtCase, op: 'Conv' | 'ConvTranspose') {
  const [h, w] = c.axes as [Axis, Axis];
  return {
    stride: [h.stride, w.stride] as [number, number],
    dilation: [h.dilation, w.dilation] as [number, number],
    groups: c.groups,
    padding: c.same ? ('same' as const) : { top: h.padBegin, bottom: h.padEnd, left: w.padBegin, right: w.padEnd },
    ...(op === 'ConvTranspose' && !c.same ? { outputPadding: [h.outputPadding, w.outputPadding] as [number, number] } : {}),
  };
}

async function runOp2d(op: 'Conv' | 'ConvTranspose', cases: number, firstSeed: number): Promise<void> {
  const log = new MismatchLog();
  const coverage = coverageFor(op);
  let ran = 0;
  const depthwiseWidthResidues = new Set<number>();
  const outWidthResidues = new Set<number>();
  for (let i = 0; i < cases; i++) {
    const c = randomOrtCase(firstSeed + i, op, 2, op === 'Conv' ? convFamily(i) : { kind: 'random' });
    const paths = pathsOf(c, op);
    const algorithms = algorithmsFor(paths);
    noteCase(coverage, c, op, algorithms);
    const outWidth = (op === 'Conv' ? convOutSize : convTransposeOutSize)(c.axes[1]!, c.same);
    outWidthResidues.add(outWidth % 8);
    if (paths.depthwise) depthwiseWidthResidues.add(outWidth % 32);
    if (op === 'Conv') await checkCase(log, c, op, options2d(c, op), conv2d, referenceConv2d, algorithms, paths.winograd);
    else await checkCase(log, c, op, options2d(c, op), convTranspose2d, referenceConvTranspose2d, algorithms, paths.winograd);
    ran++;
  }
  log.expectNone(`${op} against onnxruntime-web`);
  expect(ran).toBe(cases);
  coverage.expectAllReached(`${op} generator (seeds ${firstSeed}–${firstSeed + cases - 1})`);
  // Every ragged edge of the 8-column gemm/direct tiles, and for Conv of the 32-column depthwise groups.
  expect([...outWidthResidues].sort((a, b) => a - b), `${op}: output widths mod 8`).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  if (op === 'Conv') expect(depthwiseWidthResidues.size, `Conv: depthwise output widths mod 32 (${[...depthwiseWidthResidues]})`).toBe(32);
}

/**
 * Conv cases by index: every 5th a depthwise case whose output width runs through every residue
 * mod 32 (twice over 320 cases, below and above 32 columns), every 80th a wide Winograd case.
 */
function convFamily(index: number): CaseFamily {
  if (index % 80 === 7) return { kind: 'wide winograd' };
  if (index % 5 === 0) return { kind: 'depthwise width', outWidth: ((index / 5) % 32) + 1 + 32 * (Math.floor(index / 160) % 2) };
  return { kind: 'random' };
}

describe(`onnxruntime-web as oracle (base seed ${BASE_SEED})`, () => {
  it(`Conv: ${CONV2D_CASES} random NCHW configurations, conv2d on every applicable path and the reference`, async () => {
    await runOp2d('Conv', CONV2D_CASES, BASE_SEED);
  });

  it(`ConvTranspose: ${CONV_TRANSPOSE2D_CASES} random NCHW configurations, convTranspose2d on every applicable path and the reference`, async () => {
    await runOp2d('ConvTranspose', CONV_TRANSPOSE2D_CASES, BASE_SEED + 100_000);
  });

  it(`1-D Conv: ${CONV1D_CASES} random NCW configurations, conv1d on every applicable path and the reference`, async () => {
    const log = new MismatchLog();
    const coverage = new Coverage(['asymmetric pads', 'SAME_UPPER', 'dilation > 1', 'stride > 1', 'groups > 1', 'bias', 'batch > 1'] as const);
    for (let i = 0; i < CONV1D_CASES; i++) {
      const c = randomOrtCase(BASE_SEED + 200_000 + i, 'Conv', 1);
      const [a] = c.axes as [Axis];
      coverage.note('asymmetric pads', !c.same && a.padBegin !== a.padEnd);
      coverage.note('SAME_UPPER', c.same);
      coverage.note('dilation > 1', a.dilation > 1);
      coverage.note('stride > 1', a.stride > 1);
      coverage.note('groups > 1', c.groups > 1);
      coverage.note('bias', c.bias);
      coverage.note('batch > 1', c.batch > 1);
      const options = {
        stride: a.stride, dilation: a.dilation, groups: c.groups,
        padding: c.same ? ('same' as const) : ([a.padBegin, a.padEnd] as [number, number]),
      };
      // conv1d runs as conv2d of height 1, so Winograd (3×3) never applies.
      const algorithms = algorithmsFor({ depthwise: pathsOf(c, 'Conv').depthwise, winograd: false });
      await checkCase(log, c, 'Conv', options, conv1d, referenceConv1d, algorithms, false);
    }
    log.expectNone('1-D Conv against onnxruntime-web');
    coverage.expectAllReached('1-D Conv generator');
  });
});
