// The benchmark's peer adapters (bench/peers.ts) compute the same convolution as the reference:
// TensorFlow.js wasm backend (NHWC, HWIO) and ONNX Runtime Web (NCHW, OIHW, model built by
// bench/onnx-model.ts). Node only: both peers load their .wasm files from node_modules.
import { afterAll, describe, expect, it } from 'vitest';
import { conv2d as referenceConv2d } from 'simdconv/reference';
import { createOrtRunner, createTfjsWasmRunner, peerOutputSize, type PeerLayer, type PeerRunner } from '../bench/peers.js';

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

const layer = (spec: Partial<PeerLayer> & Pick<PeerLayer, 'inChannels' | 'height' | 'width' | 'outChannels' | 'kernelH' | 'kernelW'>): PeerLayer => ({
  batch: 1, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, groups: 1, padTop: 0, padBottom: 0, padLeft: 0, padRight: 0, ...spec,
});

const CASES: { name: string; layer: PeerLayer; tfjsUnsupported?: boolean }[] = [
  { name: '3→8 3×3 pad 1 @9×11', layer: layer({ inChannels: 3, height: 9, width: 11, outChannels: 8, kernelH: 3, kernelW: 3, padTop: 1, padBottom: 1, padLeft: 1, padRight: 1 }) },
  { name: '4→6 3×3 stride 2, asymmetric pad (t2,b1,l0,r1) @13×10', layer: layer({ inChannels: 4, height: 13, width: 10, outChannels: 6, kernelH: 3, kernelW: 3, strideH: 2, strideW: 2, padTop: 2, padBottom: 1, padLeft: 0, padRight: 1 }) },
  { name: 'depthwise 6 ch ×2 3×3 same @8×7', layer: layer({ inChannels: 6, height: 8, width: 7, outChannels: 12, groups: 6, kernelH: 3, kernelW: 3, padTop: 1, padBottom: 1, padLeft: 1, padRight: 1 }) },
  { name: 'depthwise 5 ch 3×3 stride 2 same @9×9', layer: layer({ inChannels: 5, height: 9, width: 9, outChannels: 5, groups: 5, kernelH: 3, kernelW: 3, strideH: 2, strideW: 2, padTop: 1, padBottom: 1, padLeft: 1, padRight: 1 }) },
  { name: 'batch 2, 5→7 3×2 dilation 2, pad 2 @7×8', layer: layer({ batch: 2, inChannels: 5, height: 7, width: 8, outChannels: 7, kernelH: 3, kernelW: 2, dilationH: 2, dilationW: 2, padTop: 2, padBottom: 2, padLeft: 1, padRight: 1 }) },
  { name: 'groups 2, 4→6 3×3 @6×6', layer: layer({ inChannels: 4, height: 6, width: 6, outChannels: 6, groups: 2, kernelH: 3, kernelW: 3 }), tfjsUnsupported: true },
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

  CASES.forEach(({ name, layer: l, tfjsUnsupported }, caseIndex) => {
    const next = random(1000 + caseIndex);
    const cg = l.inChannels / l.groups;
    const inputShape = [l.batch, l.inChannels, l.height, l.width];
    const weightShape = [l.outChannels, cg, l.kernelH, l.kernelW];
    const inputNCHW = randomArray(inputShape.reduce((a, b) => a * b, 1), next);
    const weightOIHW = randomArray(weightShape.reduce((a, b) => a * b, 1), next);
    const options = {
      stride: [l.strideH, l.strideW] as [number, number],
      dilation: [l.dilationH, l.dilationW] as [number, number],
      padding: { top: l.padTop, bottom: l.padBottom, left: l.padLeft, right: l.padRight },
      groups: l.groups,
    };
    const [outH, outW] = peerOutputSize(l);
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
    const l = layer({ inChannels: 2, height: 9, width: 9, outChannels: 2, kernelH: 3, kernelW: 3, strideH: 2, strideW: 2, dilationH: 2, dilationW: 2 });
    const result = await createTfjsWasmRunner(l, new Float32Array(2 * 81), new Float32Array(2 * 2 * 9));
    expect(result).toHaveProperty('unsupported');
  });

  it('rejects arrays of the wrong size', async () => {
    const l = layer({ inChannels: 2, height: 4, width: 4, outChannels: 3, kernelH: 3, kernelW: 3 });
    await expect(createOrtRunner(l, new Float32Array(31), new Float32Array(54))).rejects.toThrow(/input has 31 values/);
    await expect(createTfjsWasmRunner(l, new Float32Array(32), new Float32Array(53))).rejects.toThrow(/weight has 53 values/);
  });
});
