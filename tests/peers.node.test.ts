// The benchmark's peer adapters (bench/peers.ts) compute the same convolution as the reference:
// TensorFlow.js wasm backend (NHWC, HWIO) and ONNX Runtime Web (NCHW, OIHW, model built by
// bench/onnx-model.ts). Node only: both peers load their .wasm files from node_modules.
import { afterAll, describe, expect, it } from 'vitest';
import { conv2d as referenceConv2d } from 'simdconv/reference';
import type { Conv2dOptions } from 'simdconv';
import { createOrtRunner, createTfjsWasmRunner, type PeerRunner } from '../src/bench/peers.js';
import { resolveConv2dFilter, resolveConv2dGeometry, type Conv2dGeometry } from '../dist/shape.js';

const RELATIVE_TOLERANCE = 1e-4;

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  };
}

function randomArray(size: number, next: () => number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = next();
  return out;
}

/** Moves axis order [a0, a1, a2, a3] → [a[perm[0]], …] for a dense 4-D array. */
function transpose4(data: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const strides = [shape[1]! * shape[2]! * shape[3]!, shape[2]! * shape[3]!, shape[3]!, 1];
  const outShape = perm.map((p) => shape[p]!);
  const out = new Float32Array(data.length);
  let o = 0;
  for (let i = 0; i < outShape[0]!; i++) {
    for (let j = 0; j < outShape[1]!; j++) {
      for (let k = 0; k < outShape[2]!; k++) {
        for (let l = 0; l < outShape[3]!; l++) {
          const idx = [i, j, k, l];
          let src = 0;
          for (let a = 0; a < 4; a++) src += idx[a]! * strides[perm[a]!]!;
          out[o++] = data[src]!;
        }
      }
    }
  }
  return out;
}

interface PeerCase {
  name: string;
  /** NCHW input [N, C, H, W] and OIHW weight [M, C/groups, kH, kW]. */
  input: number[];
  weight: number[];
  options: Conv2dOptions;
  tfjsUnsupported?: boolean;
}

/** The layer as simdconv's shape module resolves it: what the peers are given. */
function geometryOf(c: PeerCase): Conv2dGeometry {
  const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
  return resolveConv2dGeometry(
    resolveConv2dFilter({ data: new Float32Array(size(c.weight)), shape: c.weight }, c.options),
    { data: new Float32Array(size(c.input)), shape: c.input },
  );
}

const CASES: PeerCase[] = [
  { name: '3→8 3×3 pad 1 @9×11', input: [1, 3, 9, 11], weight: [8, 3, 3, 3], options: { padding: 1 } },
  { name: '4→6 3×3 stride 2, asymmetric pad (t2,b1,l0,r1) @13×10', input: [1, 4, 13, 10], weight: [6, 4, 3, 3], options: { stride: 2, padding: { top: 2, bottom: 1, left: 0, right: 1 } } },
  { name: 'depthwise 6 ch ×2 3×3 same @8×7', input: [1, 6, 8, 7], weight: [12, 1, 3, 3], options: { groups: 6, padding: 1 } },
  { name: 'depthwise 5 ch 3×3 stride 2 same @9×9', input: [1, 5, 9, 9], weight: [5, 1, 3, 3], options: { groups: 5, stride: 2, padding: 1 } },
  { name: 'batch 2, 5→7 3×2 dilation 2, pad 2 @7×8', input: [2, 5, 7, 8], weight: [7, 5, 3, 2], options: { dilation: 2, padding: [2, 1] } },
  { name: 'groups 2, 4→6 3×3 @6×6', input: [1, 4, 6, 6], weight: [6, 2, 3, 3], options: { groups: 2 }, tfjsUnsupported: true },
];

function expectClose(actualNCHW: Float32Array, expected: Float32Array, magnitude: Float32Array, label: string): void {
  expect(actualNCHW.length, label).toBe(expected.length);
  let worst = 0;
  let worstIndex = -1;
  for (let i = 0; i < expected.length; i++) {
    const excess = Math.abs(actualNCHW[i]! - expected[i]!) - RELATIVE_TOLERANCE * magnitude[i]!;
    if (!(excess <= 0) && (worstIndex < 0 || excess > worst)) {
      worst = excess;
      worstIndex = i;
    }
  }
  if (worstIndex >= 0) {
    expect.fail(`${label}: element ${worstIndex} is ${actualNCHW[worstIndex]}, reference ${expected[worstIndex]} (allowed ±${RELATIVE_TOLERANCE * magnitude[worstIndex]!})`);
  }
}

describe('benchmark peers match the reference', () => {
  const runners: PeerRunner[] = [];
  afterAll(() => {
    for (const r of runners) r.dispose();
  });

  CASES.forEach((peerCase, caseIndex) => {
    const { name, options, tfjsUnsupported } = peerCase;
    const l = geometryOf(peerCase);
    const next = random(1000 + caseIndex);
    const inputShape = peerCase.input;
    const weightShape = peerCase.weight;
    const inputNCHW = randomArray(inputShape.reduce((a, b) => a * b, 1), next);
    const weightOIHW = randomArray(weightShape.reduce((a, b) => a * b, 1), next);
    const [outH, outW] = [l.outH, l.outW];
    const outShape = [l.batch, l.outChannels, outH, outW];
    const reference = () => {
      const expected = referenceConv2d({ data: inputNCHW, shape: inputShape }, { data: weightOIHW, shape: weightShape }, options);
      expect(expected.shape).toEqual(outShape);
      const magnitude = referenceConv2d(
        { data: inputNCHW.map(Math.abs), shape: inputShape },
        { data: weightOIHW.map(Math.abs), shape: weightShape },
        options,
      ).data;
      return { expected: expected.data, magnitude };
    };

    it(`tfjs-wasm: ${name}`, async () => {
      const inputNHWC = transpose4(inputNCHW, inputShape, [0, 2, 3, 1]);
      const weightHWIO = transpose4(weightOIHW, weightShape, [2, 3, 1, 0]);
      const runner = await createTfjsWasmRunner(l, inputNHWC, weightHWIO);
      if (tfjsUnsupported) {
        expect(runner).toEqual({ unsupported: 'tfjs has no grouped convolution' });
        return;
      }
      if ('unsupported' in runner) throw new Error(runner.unsupported);
      runners.push(runner);
      expect(runner.layout).toBe('NHWC');
      const { expected, magnitude } = reference();
      for (let i = 0; i < 2; i++) { // twice: the second run reuses the cached XNNPACK operator
        await runner.run();
        const outNHWC = runner.lastOutput!()!;
        expectClose(transpose4(outNHWC, [l.batch, outH, outW, l.outChannels], [0, 3, 1, 2]), expected, magnitude, `tfjs run ${i + 1}`);
      }
    });

    it(`onnxruntime-web: ${name}`, async () => {
      const runner = await createOrtRunner(l, inputNCHW, weightOIHW);
      if ('unsupported' in runner) throw new Error(runner.unsupported);
      runners.push(runner);
      expect(runner.layout).toBe('NCHW');
      const { expected, magnitude } = reference();
      for (let i = 0; i < 2; i++) {
        await runner.run();
        expectClose(runner.lastOutput!()!, expected, magnitude, `ort run ${i + 1}`);
      }
    });
  });

  it('tfjs refuses stride > 1 with dilation > 1 rather than throwing', async () => {
    const l = geometryOf({ name: '', input: [1, 2, 9, 9], weight: [2, 2, 3, 3], options: { stride: 2, dilation: 2 } });
    const result = await createTfjsWasmRunner(l, new Float32Array(2 * 81), new Float32Array(2 * 2 * 9));
    expect(result).toHaveProperty('unsupported');
  });

  it('rejects arrays of the wrong size', async () => {
    const l = geometryOf({ name: '', input: [1, 2, 4, 4], weight: [3, 2, 3, 3], options: {} });
    await expect(createOrtRunner(l, new Float32Array(31), new Float32Array(54))).rejects.toThrow(/input has 31 values/);
    await expect(createTfjsWasmRunner(l, new Float32Array(32), new Float32Array(53))).rejects.toThrow(/weight has 53 values/);
  });
});
