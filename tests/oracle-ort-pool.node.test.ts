// onnxruntime-web (wasm) as the oracle of the ops between convolutions: random MaxPool,
// AveragePool, GlobalAveragePool and Add nodes (opset 19, one-node models from
// src/bench/onnx-model.ts), each run by ORT and by simdconv (fast path and reference), NCHW.
// Output sizes come from the ONNX formulas written out here, not from simdconv.
//
// What is kept out, each a documented difference (README "Ops between convolutions"):
// - NaN in MaxPool inputs: ORT's result depends on its kernel path (its vector kernel propagates
//   NaN, its scalar and dilated kernels skip it or keep it only as a window's first value; even
//   one call mixes them, measured: 3×3/s2/p1 on a NaN centre gave 4, 6, NaN, NaN).
// - −Infinity in MaxPool inputs: ORT's max starts from −FLT_MAX, so a window of −Infinity gives
//   −FLT_MAX (simdconv: −Infinity); likewise a window without an input position. +Infinity is in.
// - Pads ≥ the kernel: ORT refuses them ("Pad should be smaller than kernel").
// - ceil_mode output shapes: ONNX shape inference keeps a last window that starts in the end
//   padding while ORT's kernels drop it (as the spec's text and PyTorch do; measured: in 3,
//   kernel 2, stride 2, pads 1 → inference 3, the kernel returns 2). The pooling models leave
//   the output undeclared and ORT's returned dims are checked against the formula here.
// - auto_pad SAME_UPPER: ORT ignores the dilation in its pads (measured: in 5, kernel 2, dilation 2
//   → 4 outputs, not 5) and refuses stride > kernel; 'same' cases get the spec's pads written out.
import { beforeAll, describe, expect, it } from 'vitest';
import { add, avgPool2d, globalAvgPool2d, init, maxPool2d, type TensorData } from 'simdconv';
import * as reference from 'simdconv/reference';
import { encodeNodeModel, ONNX_OUTPUT_NAME, type OnnxSingleNodeSpec } from '../src/bench/onnx-model.js';

type OnnxAttribute = OnnxSingleNodeSpec['attributes'][string];
import { onnxRuntimeWeb } from '../src/bench/peers.js';
import { expectSameValues, expectWithinTolerance, pick, poisonTensor, randomInt, randomTensor, RELATIVE_TOLERANCE, seededRandom } from './helpers.js';

const BASE_SEED = Number(process.env.ORACLE_ORT_POOL_SEED ?? 7_330_000);
const CASES = 120;

beforeAll(async () => {
  await init({ threads: 1 });
});

async function runOrt(opType: string, inputs: Record<string, TensorData>, attributes: Record<string, OnnxAttribute>, outputShape: number[] | null): Promise<TensorData> {
  const ort = await onnxRuntimeWeb();
  const model = encodeNodeModel({ opType, inputs: Object.entries(inputs).map(([name, t]) => ({ name, shape: t.shape })), attributes, outputShape, opset: 19 });
  const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'], logSeverityLevel: 3 });
  try {
    const feeds = Object.fromEntries(Object.entries(inputs).map(([name, t]) => [name, new ort.Tensor('float32', t.data, [...t.shape])]));
    const y = (await session.run(feeds))[ONNX_OUTPUT_NAME]!;
    return { data: y.data as Float32Array, shape: [...y.dims] };
  } finally {
    await session.release();
  }
}

interface Axis { size: number; kernel: number; stride: number; dilation: number; padBegin: number; padEnd: number }

const extent = (a: Axis): number => a.dilation * (a.kernel - 1) + 1;

/** ONNX pooling output size; with ceil_mode a last window starting past the input is dropped. */
function onnxOutSize(a: Axis, ceil: boolean): number {
  const room = a.size + a.padBegin + a.padEnd - extent(a);
  let out = (ceil ? Math.ceil(room / a.stride) : Math.floor(room / a.stride)) + 1;
  if (ceil && (out - 1) * a.stride >= a.size + a.padBegin) out--;
  return out;
}

/** Whether some window along the axis has none of its taps on an input position. */
function hasEmptyWindow(a: Axis, ceil: boolean): boolean {
  for (let o = 0; o < onnxOutSize(a, ceil); o++) {
    const start = o * a.stride - a.padBegin;
    let real = false;
    for (let k = 0; k < a.kernel; k++) real ||= start + k * a.dilation >= 0 && start + k * a.dilation < a.size;
    if (!real) return true;
  }
  return false;
}

interface PoolCase { seed: number; batch: number; channels: number; axes: [Axis, Axis]; same: boolean; ceil: boolean; includePad: boolean }

/** Drawn again until ORT accepts it and every window holds an input position. */
function randomPoolCase(seed: number): PoolCase {
  const random = seededRandom(seed);
  for (;;) {
    const dilated = random() < 0.3;
    const same = random() < 0.25;
    const axes = [0, 1].map(() => {
      const kernel = randomInt(random, 1, 4);
      return {
        size: randomInt(random, 1, 14), kernel, stride: randomInt(random, 1, 3), dilation: dilated ? randomInt(random, 1, 3) : 1,
        padBegin: randomInt(random, 0, kernel - 1), padEnd: randomInt(random, 0, kernel - 1),
      };
    }) as [Axis, Axis];
    if (same) {
      // ONNX SAME_UPPER: total = max(0, (ceil(in / s) − 1)·s + extent − in), the odd one at the end.
      for (const a of axes) {
        const total = Math.max(0, (Math.ceil(a.size / a.stride) - 1) * a.stride + extent(a) - a.size);
        [a.padBegin, a.padEnd] = [Math.floor(total / 2), total - Math.floor(total / 2)];
      }
    }
    const ceil = random() < 0.5;
    if (axes.some((a) => a.size < 1 || a.padBegin >= a.kernel || a.padEnd >= a.kernel || onnxOutSize(a, ceil) < 1 || hasEmptyWindow(a, ceil))) continue;
    return { seed, batch: randomInt(random, 1, 3), channels: randomInt(random, 1, 9), axes, same, ceil, includePad: random() < 0.5 };
  }
}

/** The case as ONNX attributes and as simdconv options. */
function describeCase(c: PoolCase, average: boolean) {
  const [h, w] = c.axes;
  const attributes: Record<string, OnnxAttribute> = {
    kernel_shape: [h.kernel, w.kernel], strides: [h.stride, w.stride], dilations: [h.dilation, w.dilation],
    pads: [h.padBegin, w.padBegin, h.padEnd, w.padEnd], ceil_mode: c.ceil ? 1 : 0,
    ...(average ? { count_include_pad: c.includePad ? 1 : 0 } : {}),
  };
  const options = {
    kernel: [h.kernel, w.kernel] as [number, number], stride: [h.stride, w.stride] as [number, number],
    dilation: [h.dilation, w.dilation] as [number, number], ceilMode: c.ceil,
    padding: c.same ? ('same' as const) : { top: h.padBegin, bottom: h.padEnd, left: w.padBegin, right: w.padEnd },
    ...(average ? { countIncludePad: c.includePad } : {}),
  };
  const outputShape = [c.batch, c.channels, onnxOutSize(h, c.ceil), onnxOutSize(w, c.ceil)];
  return { attributes, options, outputShape, label: `seed ${c.seed}: x [${c.batch}, ${c.channels}, ${h.size}, ${w.size}] ${JSON.stringify(options)}` };
}

/** What the generator reached: each must be seen at least once. */
function expectReached(reached: Record<string, boolean>, label: string): void {
  expect(Object.entries(reached).filter(([, seen]) => !seen).map(([name]) => name), `${label}: never drawn`).toEqual([]);
}

describe(`onnxruntime-web as oracle of the pooling ops and add (base seed ${BASE_SEED}, ${CASES} cases each)`, () => {
  it('MaxPool: maxPool2d and the reference identical to ORT (+Infinity in a third of the inputs)', async () => {
    const reached = { 'ceil_mode': false, 'dilation > 1': false, 'stride > 2': false, 'SAME_UPPER': false, 'asymmetric pads': false, 'batch > 1': false };
    for (let i = 0; i < CASES; i++) {
      const c = randomPoolCase(BASE_SEED + i);
      const { attributes, options, outputShape, label } = describeCase(c, false);
      const random = seededRandom(c.seed ^ 0x5eed);
      const x = randomTensor(random, [c.batch, c.channels, c.axes[0].size, c.axes[1].size]);
      if (random() < 0.33) for (let k = 0; k < 3; k++) x.data[randomInt(random, 0, x.data.length - 1)] = Infinity;
      const peer = await runOrt('MaxPool', { X: x }, attributes, null);
      expect(peer.shape, `${label}: ORT shape against the ONNX formula`).toEqual(outputShape);
      expectSameValues(maxPool2d(x, options).data, peer.data, `${label}, fast path`);
      expectSameValues(reference.maxPool2d(x, options).data, peer.data, `${label}, reference`);
      Object.assign(reached, {
        'ceil_mode': reached['ceil_mode'] || c.ceil, 'dilation > 1': reached['dilation > 1'] || c.axes.some((a) => a.dilation > 1),
        'stride > 2': reached['stride > 2'] || c.axes.some((a) => a.stride > 2), 'SAME_UPPER': reached['SAME_UPPER'] || c.same,
        'asymmetric pads': reached['asymmetric pads'] || c.axes.some((a) => a.padBegin !== a.padEnd), 'batch > 1': reached['batch > 1'] || c.batch > 1,
      });
    }
    expectReached(reached, 'MaxPool');
  });

  it('AveragePool: avgPool2d and the reference within RELATIVE_TOLERANCE of ORT (NaN and ±Infinity in a third)', async () => {
    const reached = { 'count_include_pad': false, 'count_include_pad with ceil_mode': false, 'dilation > 1': false, 'SAME_UPPER': false };
    for (let i = 0; i < CASES; i++) {
      const c = randomPoolCase(BASE_SEED + 10_000 + i);
      const { attributes, options, outputShape, label } = describeCase(c, true);
      const random = seededRandom(c.seed ^ 0x5eed);
      const x = randomTensor(random, [c.batch, c.channels, c.axes[0].size, c.axes[1].size]);
      if (random() < 0.33) poisonTensor(random, x);
      const peer = await runOrt('AveragePool', { X: x }, attributes, null);
      expect(peer.shape, `${label}: ORT shape against the ONNX formula`).toEqual(outputShape);
      const magnitude = reference.avgPool2d({ data: x.data.map(Math.abs), shape: x.shape }, options).data;
      expectWithinTolerance(avgPool2d(x, options).data, peer.data, magnitude, RELATIVE_TOLERANCE, 0, `${label}, fast path`);
      expectWithinTolerance(reference.avgPool2d(x, options).data, peer.data, magnitude, RELATIVE_TOLERANCE, 0, `${label}, reference`);
      reached['count_include_pad'] ||= c.includePad;
      reached['count_include_pad with ceil_mode'] ||= c.includePad && c.ceil;
      reached['dilation > 1'] ||= c.axes.some((a) => a.dilation > 1);
      reached['SAME_UPPER'] ||= c.same;
    }
    expectReached(reached, 'AveragePool');
  });

  it('GlobalAveragePool: globalAvgPool2d and the reference within RELATIVE_TOLERANCE of ORT', async () => {
    for (let i = 0; i < CASES; i++) {
      const random = seededRandom(BASE_SEED + 20_000 + i);
      const x = randomTensor(random, [randomInt(random, 1, 3), randomInt(random, 1, 9), randomInt(random, 1, 20), randomInt(random, 1, 20)]);
      if (random() < 0.33) poisonTensor(random, x);
      const label = `seed ${BASE_SEED + 20_000 + i}: x [${x.shape}]`;
      const outputShape = [x.shape[0]!, x.shape[1]!, 1, 1];
      const peer = await runOrt('GlobalAveragePool', { X: x }, {}, outputShape);
      expect(peer.shape, label).toEqual(outputShape);
      const magnitude = reference.globalAvgPool2d({ data: x.data.map(Math.abs), shape: x.shape }).data;
      expectWithinTolerance(globalAvgPool2d(x).data, peer.data, magnitude, RELATIVE_TOLERANCE, 0, `${label}, fast path`);
      expectWithinTolerance(reference.globalAvgPool2d(x).data, peer.data, magnitude, RELATIVE_TOLERANCE, 0, `${label}, reference`);
    }
  });

  it('Add: add and the reference identical to ORT, ranks 1–5 (NaN and ±Infinity in a third)', async () => {
    for (let i = 0; i < CASES; i++) {
      const random = seededRandom(BASE_SEED + 30_000 + i);
      const shape = Array.from({ length: randomInt(random, 1, 5) }, () => randomInt(random, 1, 9));
      const [a, b] = [randomTensor(random, shape), randomTensor(random, shape)];
      if (random() < 0.33) poisonTensor(random, pick(random, [a, b]));
      const label = `seed ${BASE_SEED + 30_000 + i}: [${shape}]`;
      const peer = await runOrt('Add', { A: a, B: b }, {}, shape);
      expectSameValues(add(a, b).data, peer.data, `${label}, fast path`);
      expectSameValues(reference.add(a, b).data, peer.data, `${label}, reference`);
    }
  });
});
